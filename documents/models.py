"""Templates of the official people's-mediation documents (司法部 人民调解文书格式), as data:
an administrator adjusts titles, the order of fields, their labels and the fixed text."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Subject(models.TextChoices):
    """What one document is drawn up from, and so where the case page offers it."""

    CASE = "case", _("the case")
    FOLLOW_UP = "follow_up", _("a follow-up visit")
    INVESTIGATION = "investigation", _("an investigation")
    MEDIATION = "mediation", _("a mediation session")
    WRITTEN = "written", _("a written agreement")
    ORAL = "oral", _("an oral agreement")
    CONFIRMATION = "confirmation", _("a judicial confirmation")
    # Not a case's: the minutes of a 研判 meeting (risk), printed from the meeting's page.
    MEETING = "meeting", _("a 研判 meeting")
    PETITION = "petition", _("a petition opinion")


class DocumentTemplate(models.Model):
    slug = models.SlugField(_("key"), unique=True)
    title = models.CharField(_("title"), max_length=100)
    subject = models.CharField(_("drawn up from"), max_length=15, choices=Subject.choices)
    show_qr = models.BooleanField(
        _("print the case code and its QR code"),
        default=False,
    )
    order = models.PositiveSmallIntegerField(_("order"), default=0)
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ["order", "pk"]
        verbose_name = _("document template")
        verbose_name_plural = _("document templates")

    def __str__(self) -> str:
        return self.title


class BlockKind(models.TextChoices):
    HEADING = "heading", _("section heading")
    FIELD = "field", _("field: label and case data")
    TEXT = "text", _("fixed text")
    TABLE = "table", _("table of case data")
    SIGNATURES = "signatures", _("signature lines")


class Block(models.Model):
    """One part of a document, in order. Fixed text may quote case data as {source}."""

    template = models.ForeignKey(DocumentTemplate, on_delete=models.CASCADE, related_name="blocks")
    order = models.PositiveSmallIntegerField(_("order"))
    kind = models.CharField(_("kind"), max_length=12, choices=BlockKind.choices)
    label = models.CharField(_("label"), max_length=100, blank=True)
    source = models.CharField(_("case data"), max_length=40, blank=True)
    text = models.TextField(
        _("text"),
        blank=True,
        help_text=_(
            "Fixed text; {case.title} and the other data keys are replaced. "
            "Signature lines: one label per line."
        ),
    )

    class Meta:
        verbose_name = _("document block")
        verbose_name_plural = _("document blocks")
        ordering = ["order", "pk"]

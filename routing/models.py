"""三事分流 rules: which unit a case is proposed to."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from areas.models import Level, UnitKind
from cases.models import TriageClass


class RoutingRule(models.Model):
    """三事分流 proposal: cases matching the conditions go to the target; lowest priority wins.

    The target is a unit kind (and speciality) looked up at a level above the case's area,
    e.g. "the labour department of the county", or one fixed unit.
    """

    name = models.CharField(_("name"), max_length=100)
    priority = models.PositiveIntegerField(_("priority"), default=100)
    is_active = models.BooleanField(_("active"), default=True)
    area = models.ForeignKey(
        "areas.Area",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        verbose_name=_("applies in area"),
        help_text=_("Empty: everywhere."),
    )
    category = models.ForeignKey(
        "cases.Category",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        verbose_name=_("category"),
        help_text=_("A major category also matches its minor categories."),
    )
    min_scale = models.CharField(_("from scale"), max_length=2, blank=True)
    min_people = models.PositiveIntegerField(_("from people involved"), null=True, blank=True)
    min_amount = models.DecimalField(
        _("from amount (yuan)"), max_digits=14, decimal_places=2, null=True, blank=True
    )
    triage_class = models.CharField(_("triage"), max_length=10, choices=TriageClass.choices)
    target_unit = models.ForeignKey(
        "areas.Unit",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="+",
        verbose_name=_("fixed handling unit"),
    )
    target_kind = models.CharField(
        _("handling unit kind"), max_length=20, choices=UnitKind.choices, blank=True
    )
    target_speciality = models.CharField(_("handling unit speciality"), max_length=60, blank=True)
    target_level = models.PositiveSmallIntegerField(
        _("handling level"), choices=Level.choices, null=True, blank=True
    )
    subject_kind = models.CharField(
        _("subject-matter unit kind"), max_length=20, choices=UnitKind.choices, blank=True
    )
    subject_speciality = models.CharField(_("subject-matter speciality"), max_length=60, blank=True)
    guidance = models.TextField(
        _("guidance for private matters"),
        blank=True,
        help_text=_("Which service or channel the residents are pointed to."),
    )

    class Meta:
        ordering = ["priority", "pk"]
        verbose_name = _("routing rule")
        verbose_name_plural = _("routing rules")

    def __str__(self) -> str:
        return self.name

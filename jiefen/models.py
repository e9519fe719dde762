"""The platform's own records (jiefen.exports): a big export prepared in the background."""

import uuid

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class Export(models.Model):
    """An export run as a Celery task (jiefen.exports): who asked for it, and once done the
    workbook in the default storage under a random name, kept EXPORT_KEEP_HOURS. The id is
    the task's id and is random; only the user who asked may see its progress or download it."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="exports",
        verbose_name=_("user"),
    )
    kind = models.CharField(_("kind"), max_length=40)
    title = models.CharField(_("title"), max_length=200)
    created_at = models.DateTimeField(_("created at"), db_index=True)
    total = models.PositiveIntegerField(_("rows"), default=0)
    file = models.FileField(_("file"), upload_to="exports/", max_length=200, blank=True)
    filename = models.CharField(_("file name"), max_length=200, blank=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)

    class Meta:
        verbose_name = _("export")
        verbose_name_plural = _("exports")

    def __str__(self) -> str:
        return f"{self.title} ({self.created_at:%Y-%m-%d %H:%M})"

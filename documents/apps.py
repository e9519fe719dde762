from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DocumentsConfig(AppConfig):
    name = "documents"
    verbose_name = _("Documents")

    def ready(self):
        from cases.registry import CasePanel, register_panel

        from .services import panel_context

        # Beside the mediation panel (order 100): the MoJ documents the case can fill now.
        register_panel(CasePanel("documents", "documents/_panel.html", panel_context, "main", 110))

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class WorkshopsConfig(AppConfig):
    name = "workshops"
    verbose_name = _("共富工坊")

    def ready(self) -> None:
        from alliances import panels

        from .panels import alliance_workshops

        panels.register(
            panels.Panel(
                key="workshops",
                template="workshops/alliance_panel.html",
                context=alliance_workshops,
                order=30,
            )
        )

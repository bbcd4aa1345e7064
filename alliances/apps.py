from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AlliancesConfig(AppConfig):
    name = "alliances"
    verbose_name = _("党建联盟")

    def ready(self) -> None:
        from . import (
            importers,  # noqa: F401 - registers the alliance and membership importers
            norms,  # noqa: F401 - registers the built-in "3+X" items
            views,
        )
        from .panels import Panel, register

        register(Panel("norm", "alliances/panels/norm.html", views.norm_panel, order=10))
        register(Panel("operations", "alliances/panels/operations.html", views.operations_panel, order=20))

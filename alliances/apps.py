from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AlliancesConfig(AppConfig):
    name = "alliances"
    verbose_name = _("党建联盟")

    def ready(self) -> None:
        from . import importers  # noqa: F401 - registers the alliance and membership importers

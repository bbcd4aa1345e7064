from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MembersConfig(AppConfig):
    name = "members"
    verbose_name = _("成员单位与人员")

    def ready(self) -> None:
        from . import importers, schema  # noqa: F401 - registers the Excel importers and the API token scheme

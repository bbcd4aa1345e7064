from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class EvaluationsConfig(AppConfig):
    name = "evaluations"
    verbose_name = _("考评")

    def ready(self) -> None:
        from . import metrics, reports  # noqa: F401 - register the metrics and rollup kinds

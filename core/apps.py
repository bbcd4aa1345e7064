from django.apps import AppConfig


class CoreConfig(AppConfig):
    """What every app shares: database and API helpers, base views, Excel, uploads, audit,
    periods, jobs, logging, HTTP security, charts. It has no models and imports no app."""

    name = "core"

    def ready(self) -> None:
        from .audit import declare_append_only_history

        declare_append_only_history()

from django.apps import AppConfig


class DemoConfig(AppConfig):
    """The demo data set and its ``seed_demo`` command. No models, so nothing of it shows
    in the admin or the migrations."""

    name = "demo"

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ProjectsConfig(AppConfig):
    name = "projects"
    verbose_name = _("项目清单")

    def ready(self) -> None:
        from alliances import panels

        from .panels import alliance_projects

        panels.register(
            panels.Panel(
                key="projects", template="projects/panel_alliance_projects.html", context=alliance_projects, order=10
            )
        )

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ProjectsConfig(AppConfig):
    name = "projects"
    verbose_name = _("项目清单")

    def ready(self) -> None:
        from alliances import norms, panels

        from .norms import check_project_list
        from .panels import alliance_projects

        norms.register_item(norms.NormItem("projects", _("项目清单"), check_project_list, order=30))
        panels.register(
            panels.Panel(
                key="projects", template="projects/panel_alliance_projects.html", context=alliance_projects, order=10
            )
        )

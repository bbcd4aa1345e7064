from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ProjectsConfig(AppConfig):
    name = "projects"
    verbose_name = _("项目清单")

    def ready(self) -> None:
        from django.db.models.signals import post_migrate

        from alliances import norms, panels

        from . import importers  # noqa: F401 - registers the project list's importer
        from .norms import check_project_list
        from .ordering import install_after_migrate
        from .panels import alliance_projects

        norms.register_item(norms.NormItem("projects", _("项目清单"), check_project_list, order=30))
        panels.register(
            panels.Panel(
                key="projects", template="projects/panel_alliance_projects.html", context=alliance_projects, order=10
            )
        )
        post_migrate.connect(install_after_migrate, sender=self, dispatch_uid="projects.alliance_code_triggers")

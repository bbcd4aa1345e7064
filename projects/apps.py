from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ProjectsConfig(AppConfig):
    name = "projects"
    verbose_name = _("项目清单")

    def ready(self) -> None:
        from django.db.models.signals import post_save, pre_save

        from alliances import norms, panels
        from alliances.models import Alliance

        from . import importers  # noqa: F401 - registers the project list's importer
        from .models import Project
        from .norms import check_project_list
        from .ordering import copy_alliance_code, rename_alliance_code
        from .panels import alliance_projects

        norms.register_item(norms.NormItem("projects", _("项目清单"), check_project_list, order=30))
        panels.register(
            panels.Panel(
                key="projects", template="projects/panel_alliance_projects.html", context=alliance_projects, order=10
            )
        )
        # Where the database has no triggers (SQLite), the ORM keeps each project's copy of
        # its alliance's code (projects/ordering.py).
        pre_save.connect(copy_alliance_code, sender=Project, dispatch_uid="projects.copy_alliance_code")
        post_save.connect(rename_alliance_code, sender=Alliance, dispatch_uid="projects.rename_alliance_code")

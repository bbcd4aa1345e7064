from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MembersConfig(AppConfig):
    name = "members"
    verbose_name = _("成员单位与人员")

    def ready(self) -> None:
        from django.db.models.signals import pre_save
        from knox.models import AuthToken

        from . import importers, schema  # noqa: F401 - registers the Excel importers and the API token scheme
        from .tokens import cap_user_token_expiry

        pre_save.connect(cap_user_token_expiry, sender=AuthToken, dispatch_uid="members.cap_user_token_expiry")

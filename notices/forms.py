from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from members.forms import ScopedModelForm
from members.models import Region

from .models import Channel, EventGroup, RobotKind, WorkChatRobot


def channel_field(group: str, channel: str) -> str:
    return f"{group}__{channel}"


class PreferencesForm(forms.Form):
    """One checkbox per group and channel (the site is always on), and the quiet hours."""

    quiet_enabled = forms.BooleanField(label=_("启用免打扰"), required=False)
    quiet_starts = forms.TimeField(
        label=_("免打扰开始"), required=False, widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M")
    )
    quiet_ends = forms.TimeField(
        label=_("免打扰结束"), required=False, widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M")
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for group in EventGroup:
            for channel in Channel:
                self.fields[channel_field(group, channel)] = forms.BooleanField(label=channel.label, required=False)

    def rows(self):
        """(group label, [bound checkbox per channel]) for the template."""
        return [(group.label, [self[channel_field(group, channel)] for channel in Channel]) for group in EventGroup]

    def channels(self) -> dict[str, dict[str, bool]]:
        return {
            group: {channel: self.cleaned_data[channel_field(group, channel)] for channel in Channel.values}
            for group in EventGroup.values
        }


class RobotForm(ScopedModelForm):
    webhook_url = forms.URLField(
        label=_("Webhook 地址"),
        max_length=500,
        assume_scheme="https",
        help_text=_("在群设置中添加机器人后复制的 Webhook 地址。"),
    )
    secret = forms.CharField(
        label=_("加签密钥"),
        required=False,
        widget=forms.PasswordInput(render_value=False),
        help_text=_("钉钉机器人“加签”的密钥（SEC 开头）；企业微信不需要。修改时留空表示不变。"),
    )

    class Meta:
        model = WorkChatRobot
        fields = ["region", "kind", "webhook_url", "active"]

    field_order = ["region", "kind", "webhook_url", "secret", "active"]

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, user=user, **kwargs)
        self.fields["region"].queryset = (
            Region.objects.in_scope_of(user).filter(level__in=["city", "county"]).order_by("code")
        )
        self.fields["kind"].choices = RobotKind.choices
        self.order_fields(self.field_order)

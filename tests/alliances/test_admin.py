from __future__ import annotations

import pytest
from django.contrib import admin
from django.urls import reverse

pytestmark = pytest.mark.django_db


def admin_models():
    return [(m._meta.app_label, m._meta.model_name) for m in admin.site._registry]


@pytest.mark.parametrize(("app_label", "model_name"), admin_models())
def test_every_admin_list_page_loads(client, world, app_label, model_name):
    client.force_login(world.admin)
    changelist = client.get(reverse(f"admin:{app_label}_{model_name}_changelist"), {"q": "联盟"})
    assert changelist.status_code == 200
    assert client.get(reverse(f"admin:{app_label}_{model_name}_add")).status_code in {200, 403}


def test_every_project_model_is_in_the_admin():
    from django.apps import apps

    ours = {"members", "notices", "alliances", "projects", "workshops", "evaluations"}
    inline_models = {inline.model for model_admin in admin.site._registry.values() for inline in model_admin.inlines}
    missing = [
        m._meta.label
        for m in apps.get_models()
        if m._meta.app_label in ours
        and not m._meta.auto_created
        and not m.__name__.startswith("Historical")
        and m not in admin.site._registry
        and m not in inline_models
    ]
    assert missing == []


def test_alliance_admin_change_page_has_member_and_team_inlines(client, world):
    client.force_login(world.admin)
    page = client.get(reverse("admin:alliances_alliance_change", args=[world.alliance_a.pk])).content.decode()
    assert "memberships-TOTAL_FORMS" in page and "team_roles-TOTAL_FORMS" in page


def test_staff_admin_lists_are_scoped(client, world):
    world.alice.is_staff = True
    world.alice.save()
    from django.contrib.auth.models import Permission

    world.alice.user_permissions.add(Permission.objects.get(codename="view_alliance"))
    client.force_login(world.alice)
    page = client.get(reverse("admin:alliances_alliance_changelist")).content.decode()
    assert "姜山共富联盟" in page and "岱山海岛联盟" not in page
    assert client.get(reverse("admin:alliances_alliance_change", args=[world.alliance_b.pk])).status_code in {302, 404}

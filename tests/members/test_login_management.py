"""County staff manage people's logins within their scope (members.logins and its pages).

alice is staff of county A, carol of the city above it, bob of county B; tina is township
staff and vera a viewer in county A; lily leads alliance A1 and has a login.
"""

from __future__ import annotations

import datetime
import re

import pytest
from django.core.cache import cache
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import DatabaseError, transaction
from django.urls import reverse

from alliances.models import TeamRole
from core import sms
from members import logins
from members.models import AccessProfile, AccountAction, AccountEvent, Department, Person
from members.tokens import user_token_create
from tests.members.factories import PersonFactory
from tests.workshops.factories import WorkshopFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _clean_slate():
    sms.outbox.clear()
    cache.clear()
    yield
    sms.outbox.clear()


@pytest.fixture
def new_leader(world) -> Person:
    """王建国 (village A) leads alliance A2 and has no login yet."""
    TeamRole.objects.create(
        alliance=world.alliance_a2, person=world.person_a, role="leader", started_on=datetime.date(2025, 1, 1)
    )
    return world.person_a


@pytest.fixture
def transport(world) -> Department:
    return Department.objects.create(county=world.county_a, name="鄞州区交通运输局")


def can_sign_in(client, username, password) -> bool:
    ok = client.login(username=username, password=password)
    client.logout()
    return ok


# ----------------------------------------------------------------- opening a login


def test_county_staff_open_a_leader_login_and_the_leader_signs_in_with_the_temporary_password(
    client, world, new_leader
):
    client.force_login(world.alice)

    response = client.post(
        reverse("members:login-create", args=[new_leader.pk]), {"role": "alliance_leader", "username": "wangjg"}
    )

    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]
    password = response.context["password"]
    assert password in response.content.decode()
    new_leader.refresh_from_db()
    assert new_leader.user.username == "wangjg"
    assert new_leader.user.access_profile.role == "alliance_leader"
    event = AccountEvent.objects.get(person=new_leader)
    assert (event.action, event.actor, event.role) == (AccountAction.CREATED, world.alice, "alliance_leader")
    assert can_sign_in(client, "wangjg", password)


def test_the_temporary_password_is_never_shown_again(client, world, new_leader):
    client.force_login(world.alice)
    response = client.post(
        reverse("members:login-create", args=[new_leader.pk]), {"role": "alliance_leader", "username": "wangjg"}
    )
    password = response.context["password"]

    page = client.get(reverse("members:person-login", args=[new_leader.pk]))

    assert page.status_code == 200
    assert password not in page.content.decode()
    assert "开通登录账号" in page.content.decode()


def test_a_workshop_steward_gets_a_steward_login(world):
    steward = PersonFactory(name="赵管家", organization=world.org_a)
    WorkshopFactory(region=world.village_a, host=world.org_a, steward=steward)

    result = logins.login_create(actor=world.alice, person=steward, role="workshop_steward", username="zhaogj")

    assert result.user.access_profile.role == "workshop_steward"
    assert result.user.access_profile.department is None


def test_a_department_liaison_gets_a_login_for_a_department_of_the_county(world, transport):
    liaison = PersonFactory(name="钱联络", organization=world.org_a, mobile="13500002222")

    result = logins.login_create(
        actor=world.alice, person=liaison, role="department_liaison", username="qianll", department=transport
    )

    profile = AccessProfile.objects.get(user=result.user)
    assert (profile.role, profile.department, profile.region) == ("department_liaison", transport, None)


def test_a_liaison_without_a_department_is_refused_with_a_message(world):
    with pytest.raises(ValidationError) as refused:
        logins.login_create(actor=world.alice, person=world.person_a, role="department_liaison", username="x1")

    assert "部门联络员必须选择所属部门。" in str(refused.value)


def test_a_department_of_another_county_is_refused(world):
    other = Department.objects.create(county=world.county_b, name="岱山县水利局")

    with pytest.raises(PermissionDenied):
        logins.login_create(
            actor=world.alice, person=world.person_a, role="department_liaison", username="x2", department=other
        )
    assert not AccountEvent.objects.exists()


def test_a_person_who_leads_no_alliance_gets_no_leader_login(world):
    with pytest.raises(ValidationError) as refused:
        logins.login_create(actor=world.alice, person=world.person_a, role="alliance_leader", username="x3")

    assert "此人目前不是任何联盟的在任带头人。" in str(refused.value)


def test_a_person_who_stewards_no_workshop_gets_no_steward_login(world):
    with pytest.raises(ValidationError) as refused:
        logins.login_create(actor=world.alice, person=world.person_a, role="workshop_steward", username="x4")

    assert "此人目前不是任何共富工坊的助富管家。" in str(refused.value)


def test_a_user_name_already_taken_is_refused_with_a_message(client, world, new_leader):
    client.force_login(world.alice)

    response = client.post(
        reverse("members:login-create", args=[new_leader.pk]), {"role": "alliance_leader", "username": "Lily"}
    )

    assert response.status_code == 200
    assert "用户名“Lily”已被使用。" in response.content.decode()
    new_leader.refresh_from_db()
    assert new_leader.user is None


def test_a_person_with_a_working_login_gets_no_second_one(world):
    with pytest.raises(ValidationError) as refused:
        logins.login_create(actor=world.alice, person=world.lily.person, role="alliance_leader", username="lily2")

    assert "此人已有可用的登录账号。" in str(refused.value)


def test_a_mobile_number_that_signs_in_another_account_is_refused(world, new_leader, transport):
    world.lily.person.mobile = new_leader.mobile
    world.lily.person.save()

    with pytest.raises(ValidationError) as refused:
        logins.login_create(actor=world.alice, person=new_leader, role="alliance_leader", username="wangjg")

    assert "已用于另一个登录账号" in str(refused.value)


def test_the_role_choices_offer_only_what_the_person_qualifies_for(client, world, new_leader):
    client.force_login(world.alice)

    form = client.get(reverse("members:login-create", args=[new_leader.pk])).context["form"]

    assert [value for value, _label in form.fields["role"].choices] == ["alliance_leader", "department_liaison"]
    assert form.fields["username"].initial == new_leader.mobile


# ----------------------------------------------------------------- scope


def test_staff_of_another_county_do_not_find_the_person(client, world):
    client.force_login(world.bob)

    for name in ("members:person-login", "members:login-create", "members:login-password", "members:login-disable"):
        assert client.get(reverse(name, args=[world.person_a.pk])).status_code == 404
    assert client.post(reverse("members:login-disable", args=[world.lily.person.pk])).status_code == 404
    world.lily.refresh_from_db()
    assert world.lily.is_active


@pytest.mark.parametrize("who", ["tina", "vera", "lily"])
def test_township_staff_viewers_and_leaders_may_not_manage_logins(client, world, who):
    client.force_login(getattr(world, who))

    assert client.get(reverse("members:login-list")).status_code == 403
    assert client.get(reverse("members:person-login", args=[world.person_a.pk])).status_code == 403
    assert client.get(reverse("members:login-create", args=[world.person_a.pk])).status_code == 403
    response = client.post(reverse("members:login-disable", args=[world.lily.person.pk]), {"note": ""})
    assert response.status_code in {403, 404}  # a leader does not see people outside their alliances
    world.lily.refresh_from_db()
    assert world.lily.is_active


def test_the_service_refuses_an_actor_outside_the_scope(world):
    with pytest.raises(PermissionDenied):
        logins.login_disable(actor=world.bob, person=world.lily.person)
    with pytest.raises(PermissionDenied):
        logins.password_reset_temporary(actor=world.tina, person=world.lily.person)
    world.lily.refresh_from_db()
    assert world.lily.is_active


def test_city_staff_manage_logins_in_their_counties(client, world):
    client.force_login(world.carol)

    assert client.get(reverse("members:person-login", args=[world.lily.person.pk])).status_code == 200


def test_signing_in_is_needed_first(client, world):
    response = client.get(reverse("members:person-login", args=[world.person_a.pk]))

    assert response.status_code == 302
    assert response.url.startswith(reverse("login"))


def test_the_list_shows_the_scope_s_leaders_with_and_without_login(client, world, new_leader):
    client.force_login(world.alice)

    response = client.get(reverse("members:login-list"))

    html = response.content.decode()
    assert response.status_code == 200
    assert world.lily.person.name in html and new_leader.name in html
    assert world.person_b.name not in html
    only_new = client.get(reverse("members:login-list"), {"state": "none"}).content.decode()
    assert new_leader.name in only_new and world.lily.person.name not in only_new


# ----------------------------------------------------------------- resetting a password


def test_a_temporary_password_replaces_the_old_one(client, world):
    client.force_login(world.alice)

    response = client.post(reverse("members:login-password", args=[world.lily.person.pk]), {"method": "temporary"})

    assert response.status_code == 200
    password = response.context["password"]
    assert not can_sign_in(client, "lily", "test-pass-2026")
    assert can_sign_in(client, "lily", password)
    assert AccountEvent.objects.filter(action=AccountAction.PASSWORD_TEMPORARY, actor=world.alice).count() == 1


def test_a_reset_by_sms_sends_a_code_the_person_uses_to_set_a_password(
    client, world, django_capture_on_commit_callbacks
):
    person = world.lily.person
    client.force_login(world.alice)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("members:login-password", args=[person.pk]), {"method": "sms"})
    assert response.status_code == 302
    [message] = sms.outbox
    assert message.phone == person.mobile
    client.logout()

    client.post(reverse("password-reset"), {"phone": person.mobile, "code": message.params["code"], "action": "verify"})
    client.post(reverse("password-reset-new"), {"new_password1": "xin-mima-2027-a", "new_password2": "xin-mima-2027-a"})

    assert can_sign_in(client, "lily", "xin-mima-2027-a")


def test_a_reset_by_sms_without_a_mobile_asks_for_a_temporary_password(client, world):
    world.lily.person.mobile = ""
    world.lily.person.save()
    client.force_login(world.alice)

    response = client.post(reverse("members:login-password", args=[world.lily.person.pk]), {"method": "sms"})

    assert response.status_code == 200
    assert "此人没有登记手机号码，请改用临时密码。" in response.content.decode()
    assert sms.outbox == []


def test_a_person_without_a_login_has_no_password_to_reset(world):
    with pytest.raises(ValidationError) as refused:
        logins.password_reset_temporary(actor=world.alice, person=world.person_a)

    assert "此人没有可用的登录账号。" in str(refused.value)


# ----------------------------------------------------------------- disabling


def test_a_disabled_login_cannot_sign_in_and_its_sessions_and_tokens_end(client, world, api):
    lily = world.lily
    _token, key = user_token_create(lily)
    leader_browser = client
    leader_browser.force_login(lily)
    assert leader_browser.get(reverse("home")).status_code == 302
    assert api.get("/api/v1/alliances/", HTTP_AUTHORIZATION=f"Token {key}").status_code == 200

    logins.login_disable(actor=world.alice, person=lily.person, note="任期届满")

    lily.refresh_from_db()
    assert not lily.is_active
    page = leader_browser.get(reverse("projects:my-work"))
    assert page.status_code == 302 and page.url.startswith(reverse("login"))
    assert api.get("/api/v1/alliances/", HTTP_AUTHORIZATION=f"Token {key}").status_code == 401
    assert not can_sign_in(client, "lily", "test-pass-2026")
    event = AccountEvent.objects.get(action=AccountAction.DISABLED)
    assert (event.actor, event.note) == (world.alice, "任期届满")


def test_a_disabled_login_is_sent_no_sms_code(client, world, django_capture_on_commit_callbacks):
    logins.login_disable(actor=world.alice, person=world.lily.person)

    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("login-code"), {"phone": world.lily.person.mobile, "action": "send"})

    assert sms.outbox == []


def test_disabling_from_the_page_returns_to_where_it_was_asked(client, world):
    client.force_login(world.alice)
    back = reverse("alliances:detail", args=[world.alliance_a.pk])

    response = client.post(
        reverse("members:login-disable", args=[world.lily.person.pk]), {"note": "换届", "next": back}
    )

    assert response.status_code == 302 and response.url == back
    world.lily.refresh_from_db()
    assert not world.lily.is_active


def test_a_disabled_login_can_be_enabled_again_with_a_new_password(world):
    logins.login_disable(actor=world.alice, person=world.lily.person)

    result = logins.login_create(actor=world.alice, person=world.lily.person, role="alliance_leader", username="")

    assert result.user == world.lily
    assert result.user.is_active
    assert AccountEvent.objects.filter(action=AccountAction.ENABLED).count() == 1


def test_disabling_a_disabled_login_is_refused_with_a_message(world):
    logins.login_disable(actor=world.alice, person=world.lily.person)

    with pytest.raises(ValidationError) as refused:
        logins.login_disable(actor=world.alice, person=world.lily.person)

    assert "此人没有可用的登录账号。" in str(refused.value)


def test_the_account_record_is_append_only(world):
    logins.login_disable(actor=world.alice, person=world.lily.person)
    event = AccountEvent.objects.get()

    with pytest.raises(DatabaseError), transaction.atomic():
        AccountEvent.objects.filter(pk=event.pk).update(note="改写")


# ----------------------------------------------------------------- a change of leader


def test_changing_a_leader_offers_to_disable_the_outgoing_leader_s_login(client, world):
    client.force_login(world.alice)
    alliance = world.alliance_a

    response = client.post(
        reverse("alliances:teamrole-assign", args=[alliance.pk]),
        {"person": world.person_a.pk, "role": "leader", "started_on": "2026-06-01"},
    )

    assert response.status_code == 302
    assert response.url.startswith(reverse("members:login-disable", args=[world.lily.person.pk]))
    page = client.get(response.url)
    assert "已不再担任任何联盟的带头人" in page.content.decode()
    assert "暂不停用" in page.content.decode()
    client.post(response.url, {"note": "换届", "next": alliance.get_absolute_url()})
    world.lily.refresh_from_db()
    assert not world.lily.is_active


def test_a_leader_who_still_leads_another_alliance_is_not_offered(client, world):
    TeamRole.objects.create(
        alliance=world.alliance_a2, person=world.lily.person, role="leader", started_on=datetime.date(2025, 1, 1)
    )
    client.force_login(world.alice)

    response = client.post(
        reverse("alliances:teamrole-assign", args=[world.alliance_a.pk]),
        {"person": world.person_a.pk, "role": "leader", "started_on": "2026-06-01"},
    )

    assert response.url == world.alliance_a.get_absolute_url()


def current_team(response) -> str:
    """The HTML of the alliance page's current team."""
    return re.search(r'<table class="list" id="current-team">.*?</table>', response.content.decode(), re.S).group(0)


def test_the_team_shows_county_staff_whether_the_new_leader_can_sign_in_and_leads_to_opening_a_login(client, world):
    """Journey 2.5: change the leader, then open the new leader's login from the team."""
    alliance_page = world.alliance_a.get_absolute_url()
    client.force_login(world.alice)
    assert "登录账号可用" in current_team(client.get(alliance_page))  # lily, the leader, signs in

    response = client.post(
        reverse("alliances:teamrole-assign", args=[world.alliance_a.pk]),
        {"person": world.person_a.pk, "role": "leader", "started_on": "2026-06-01"},
    )
    client.post(response.url, {"note": "换届", "next": alliance_page})  # lily's login disabled
    page = client.get(alliance_page)
    assert f"新任带头人 {world.person_a.name} 还没有可用的登录账号" in " ".join(
        str(message) for message in page.context["messages"]
    )
    team = current_team(page)
    assert "尚未开通登录账号" in team
    opening = reverse("members:person-login", args=[world.person_a.pk])
    assert f'href="{opening}"' in team
    assert reverse("members:login-create", args=[world.person_a.pk]) in client.get(opening).content.decode()

    client.post(
        reverse("members:login-create", args=[world.person_a.pk]), {"role": "alliance_leader", "username": "wangjg"}
    )
    assert "登录账号可用" in current_team(client.get(alliance_page))


def test_only_staff_who_manage_logins_see_the_leader_s_login_on_the_team(client, world):
    for user in (world.tina, world.vera, world.lily):
        client.force_login(user)
        response = client.get(world.alliance_a.get_absolute_url())
        assert response.status_code == 200, user
        team = current_team(response)
        assert world.lily.person.name in team  # the leader is listed, without the login line
        assert "登录账号可用" not in team and "尚未开通登录账号" not in team, user


def test_township_staff_changing_a_leader_are_told_to_ask_the_county(client, world):
    client.force_login(world.tina)

    response = client.post(
        reverse("alliances:teamrole-assign", args=[world.alliance_a.pk]),
        {"person": world.person_a.pk, "role": "leader", "started_on": "2026-06-01"},
        follow=True,
    )

    assert "请联系县级组织部门停用" in response.content.decode()
    world.lily.refresh_from_db()
    assert world.lily.is_active


def test_the_person_login_page_is_chinese(client, world):
    client.force_login(world.alice)

    html = client.get(reverse("members:person-login", args=[world.lily.person.pk])).content.decode()

    assert '<html lang="zh-hans">' in html
    for text in ("登录账号", "重设密码", "停用登录账号", "操作记录"):
        assert text in html

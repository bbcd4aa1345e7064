"""The pages of tracked items, in Chinese: staff raise and assign, a department's liaison
replies and marks handled, the leader confirms or reopens; each page offers only what
the user may do, and bad input comes back as a clear message on the form."""

from __future__ import annotations

import io
import re

import pytest
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from openpyxl import load_workbook

from tests.alliances.factories import NeedFactory
from tests.tracking.factories import in_days, reload
from tracking.models import ItemState, TrackedItem

pytestmark = pytest.mark.django_db


def page(client, user, url, **params):
    client.force_login(user)
    response = client.get(url, params)
    assert response.status_code == 200, response.status_code
    return response.content.decode()


def detail_url(item):
    return reverse("tracking:detail", args=[item.pk])


# --------------------------------------------------------------------------- staff


def test_staff_turn_a_coordination_request_into_an_item_from_the_report_page(client, desk):
    w = desk.world
    body = page(client, w.alice, desk.report.get_absolute_url())
    raise_url = f"{reverse('tracking:raise')}?report={desk.report.pk}"
    assert "转为督办事项" in body and raise_url.replace("&", "&amp;") in body
    form = page(client, w.alice, reverse("tracking:raise"), report=desk.report.pk)
    assert "村道拓宽需协调用地" in form
    response = client.post(
        raise_url,
        {"title": "村道拓宽需协调用地", "detail": "涉及三户", "assignee": desk.transport.pk, "deadline": in_days(10)},
    )
    item = TrackedItem.objects.get(report=desk.report)
    assert response.status_code == 302 and response.url == detail_url(item)
    assert (item.state, item.assignee, item.deadline) == (ItemState.ASSIGNED, desk.transport, in_days(10))
    body = page(client, w.alice, desk.report.get_absolute_url())
    assert "转为督办事项" not in body and "交通运输局" in body and "已交办" in body


def test_the_leader_sees_the_state_of_their_request_but_no_button_to_raise(client, desk):
    body = page(client, desk.world.lily, desk.report.get_absolute_url())
    assert "转为督办事项" not in body
    client.force_login(desk.world.lily)
    assert client.get(reverse("tracking:raise"), {"report": desk.report.pk}).status_code == 403
    desk.item  # noqa: B018 - the report's item is raised by staff below
    from tracking import services

    item = services.item_raise(actor=desk.world.alice, report=desk.report, assignee=desk.transport, deadline=in_days(5))
    services.item_reply(actor=desk.dora, item=item, note="已派人现场查看")
    body = page(client, desk.world.lily, desk.report.get_absolute_url())
    deadline = in_days(5)
    assert "交通运输局" in body and "已派人现场查看" in body
    assert f"{deadline.year}年{deadline.month}月{deadline.day}日" in body


def test_staff_turn_a_need_into_an_item_from_the_need_page(client, desk):
    need = NeedFactory(alliance=desk.world.alliance_a, title="灌溉用水短缺")
    body = page(client, desk.world.alice, need.get_absolute_url())
    assert f"{reverse('tracking:raise')}?need={need.pk}" in body
    client.post(f"{reverse('tracking:raise')}?need={need.pk}", {"title": "灌溉用水短缺"})
    assert TrackedItem.objects.get(need=need).state == ItemState.NEW


def test_a_deadline_in_the_past_is_a_form_error(client, desk):
    item = desk.item("new")
    client.force_login(desk.world.alice)
    response = client.post(
        reverse("tracking:assign", args=[item.pk]),
        {"assignee": desk.transport.pk, "deadline": in_days(-3)},
    )
    assert response.status_code == 200
    assert f"办理期限不能早于今天（{date_format(timezone.localdate())}）。" in response.content.decode()
    assert reload(item).state == ItemState.NEW


def test_raising_with_a_department_but_no_deadline_is_a_form_error(client, desk):
    client.force_login(desk.world.alice)
    response = client.post(
        reverse("tracking:raise"),
        {"alliance": desk.world.alliance_a.pk, "title": "某事", "assignee": desk.transport.pk},
    )
    assert "交办时请同时选择承办部门和办理期限。" in response.content.decode()
    assert not TrackedItem.objects.exists()


def test_staff_assign_from_the_item_page(client, desk):
    item = desk.item("new")
    body = page(client, desk.world.alice, detail_url(item))
    assert 'id="assign"' in body and 'id="reply"' not in body and 'id="confirm"' not in body
    response = client.post(
        reverse("tracking:assign", args=[item.pk]), {"assignee": desk.water.pk, "deadline": in_days(7)}
    )
    assert response.status_code == 302
    assert reload(item).assignee == desk.water


def test_township_staff_and_viewers_read_an_item_but_get_no_action(client, desk):
    item = desk.item("assigned")
    for user in (desk.world.tina, desk.world.vera):
        body = page(client, user, detail_url(item))
        assert "村道拓宽需协调用地" in body
        assert not any(f'id="{form}"' in body for form in ("assign", "reply", "handle", "confirm", "reopen"))
        assert client.get(reverse("tracking:assign", args=[item.pk])).status_code == 403


# --------------------------------------------------------------------------- the liaison


def test_a_liaison_lands_on_my_items_with_only_their_departments_items(client, desk):
    mine = desk.item("assigned", title="村道拓宽")
    desk.item("assigned", title="岱山码头", alliance=desk.world.alliance_b)
    client.force_login(desk.dora)
    assert client.get(reverse("home")).url == reverse("tracking:list")
    body = page(client, desk.dora, reverse("tracking:list"))
    assert "<h1>我的督办</h1>" in body and mine.title in body and "岱山码头" not in body
    assert "提出督办事项" not in body
    assert 'href="/items/">我的督办</a>' in body and "本部门" in body
    assert "党建联盟</a>" not in body and "项目清单</a>" not in body


def test_the_liaison_sees_the_departments_overdue_items(client, desk):
    desk.overdue_item()
    desk.item("assigned", title="按期事项")
    body = page(client, desk.dora, reverse("tracking:list"), overdue="true")
    assert "逾期事项" in body and "按期事项" not in body
    body = page(client, desk.dora, reverse("tracking:list"), bucket="overdue")
    assert "逾期事项" in body and "按期事项" not in body


def test_the_liaison_replies_and_marks_handled_on_the_item_page(client, desk):
    item = desk.item("assigned")
    body = page(client, desk.dora, detail_url(item))
    assert 'id="reply"' in body and 'id="handle"' in body
    assert 'id="assign"' not in body and 'id="confirm"' not in body
    response = client.post(reverse("tracking:reply", args=[item.pk]), {"note": "已安排测量"})
    assert response.status_code == 302 and response.url == detail_url(item)
    assert reload(item).state == ItemState.IN_PROGRESS
    response = client.post(reverse("tracking:handle", args=[item.pk]), {"note": "道路已拓宽"})
    assert reload(item).state == ItemState.HANDLED
    body = page(client, desk.dora, detail_url(item))
    assert "已安排测量" in body and "道路已拓宽" in body and 'id="reply"' not in body


def test_marking_handled_without_a_note_is_a_clear_form_error(client, desk):
    item = desk.item("assigned")
    client.force_login(desk.dora)
    response = client.post(reverse("tracking:handle", args=[item.pk]), {"note": ""})
    assert response.status_code == 200
    assert "办结时请写明办理结果。" in response.content.decode()
    assert reload(item).state == ItemState.ASSIGNED


def test_a_reply_to_another_departments_item_is_not_found(client, desk):
    item = desk.item("assigned")
    client.force_login(desk.walt)
    assert client.post(reverse("tracking:reply", args=[item.pk]), {"note": "越权答复"}).status_code == 404
    assert reload(item).state == ItemState.ASSIGNED


def test_a_reply_to_a_handled_item_goes_back_to_the_item_saying_why(client, desk):
    item = desk.item("handled")
    client.force_login(desk.dora)
    response = client.post(reverse("tracking:reply", args=[item.pk]), {"note": "补充"}, follow=True)
    assert response.redirect_chain == [(detail_url(item), 302)]
    assert "该事项已办结，不能再答复。" in response.content.decode()
    assert not item.events.filter(note="补充").exists()


def test_the_department_page_lists_its_items(client, desk):
    desk.item("assigned", title="交通事项")
    body = page(client, desk.dora, desk.transport.get_absolute_url())
    assert "交通事项" in body and "新提 <strong>1</strong>" in body and "办理中 <strong>0</strong>" in body
    body = page(client, desk.world.alice, desk.water.get_absolute_url())
    assert "交通事项" not in body and "暂无督办事项。" in body


def test_the_department_pages_counts_are_the_item_lists_buckets_and_each_opens_that_list(client, desk):
    """The liaison read "办理中 3" on the department page and found 2 under the list's
    办理中: the page now counts by the list's own buckets, and each count opens it."""
    desk.item("assigned", title="待答复事项")
    desk.item("in_progress", title="办理中事项")
    desk.overdue_item()
    desk.item("handled", title="已办结事项")
    desk.item("solved", title="已解决事项")
    desk.item("assigned", title="别的部门", alliance=desk.world.alliance_b)
    body = page(client, desk.world.alice, desk.transport.get_absolute_url())
    panel = body[body.index('id="department-items"') :]
    links = dict(
        (label, (int(count), url.replace("&amp;", "&")))
        for url, label, count in re.findall(r'<a href="(/items/\?[^"]+)">(\S+) <strong>(\d+)</strong></a>', panel)
    )
    # Counted a second way from the rows: each item's state and deadline.
    assert {label: count for label, (count, _url) in links.items()} == {"新提": 1, "办理中": 1, "已办结": 2, "逾期": 1}
    for label, (count, url) in links.items():
        listed = page(client, desk.world.alice, url)
        assert f"共 {count} 条" in listed or (count == 0 and "没有符合条件的督办事项。" in listed), label
        assert "别的部门" not in listed


# --------------------------------------------------------------------------- the leader


def test_the_leader_confirms_and_rates_a_handled_item(client, desk):
    item = desk.item("handled")
    body = page(client, desk.world.lily, detail_url(item))
    assert 'id="confirm"' in body and 'id="reopen"' in body and 'id="reply"' not in body
    response = client.post(reverse("tracking:confirm", args=[item.pk]), {"rating": "4", "note": "很及时"})
    assert response.status_code == 302
    item = reload(item)
    assert (item.state, item.rating) == (ItemState.SOLVED, 4)
    body = page(client, desk.world.lily, detail_url(item))
    assert "4 ★" in body and 'id="confirm"' not in body


def test_confirming_without_a_rating_is_a_clear_form_error(client, desk):
    item = desk.item("handled")
    client.force_login(desk.world.lily)
    response = client.post(reverse("tracking:confirm", args=[item.pk]), {"rating": ""})
    assert "请给出 1–5 分的满意度评价。" in response.content.decode()
    assert reload(item).state == ItemState.HANDLED


def test_reopening_without_a_note_is_a_clear_form_error_and_with_one_goes_back(client, desk):
    item = desk.item("handled")
    client.force_login(desk.world.lily)
    response = client.post(reverse("tracking:reopen", args=[item.pk]), {"note": " "})
    assert "请写明需要重新办理的原因。" in response.content.decode()
    client.post(reverse("tracking:reopen", args=[item.pk]), {"note": "路面仍有坑洼"})
    assert reload(item).state == ItemState.REOPENED


def test_the_leader_cannot_confirm_before_the_department_has_handled_it(client, desk):
    item = desk.item("in_progress")
    body = page(client, desk.world.lily, detail_url(item))
    assert 'id="confirm"' not in body
    response = client.post(reverse("tracking:confirm", args=[item.pk]), {"rating": "5"}, follow=True)
    assert response.redirect_chain == [(detail_url(item), 302)]
    assert "部门办结后才能确认解决。" in response.content.decode()
    assert reload(item).state == ItemState.IN_PROGRESS


def test_staff_may_not_confirm_for_the_leader(client, desk):
    item = desk.item("handled")
    client.force_login(desk.world.alice)
    assert client.post(reverse("tracking:confirm", args=[item.pk]), {"rating": "5"}).status_code == 403
    assert reload(item).state == ItemState.HANDLED


# --------------------------------------------------------------------------- list


def test_the_list_filters_by_state_department_and_overdue(client, desk):
    desk.item("assigned", title="交通事项")
    other = desk.item("new", title="水利事项")
    from tracking import services

    services.item_assign(actor=desk.world.alice, item=other, assignee=desk.water, deadline=in_days(3))
    body = page(client, desk.world.alice, reverse("tracking:list"), department=desk.water.pk)
    assert "水利事项" in body and "交通事项" not in body
    body = page(client, desk.world.alice, reverse("tracking:list"), state="assigned")
    assert "水利事项" in body and "交通事项" in body
    body = page(client, desk.world.alice, reverse("tracking:list"), overdue="maybe")
    assert "请填写 true 或 false。" in body


def test_the_list_exports_what_it_shows_to_excel(client, desk):
    desk.item("solved", title="已解决事项")
    desk.item("new", title="新提事项")
    client.force_login(desk.world.alice)
    response = client.get(reverse("tracking:list"), {"state": "solved", "export": "xlsx"})
    sheet = load_workbook(io.BytesIO(response.getvalue())).worksheets[0]
    rows = list(sheet.values)
    assert rows[0][:7] == ("编号", "事项", "联盟", "来源", "承办部门", "办理期限", "状态")
    assert [row[1] for row in rows[1:]] == ["已解决事项"]
    assert rows[1][6] == "已解决" and rows[1][13] == 5


def test_the_menu_offers_items_by_role(client, desk):
    assert 'href="/items/">督办事项</a>' in page(client, desk.world.alice, reverse("tracking:list"))
    assert 'href="/items/">督办事项</a>' in page(client, desk.world.lily, reverse("tracking:list"))
    assert "承办部门</a>" in page(client, desk.world.alice, reverse("tracking:list"))
    assert "承办部门</a>" not in page(client, desk.world.lily, reverse("tracking:list"))


def test_the_dashboard_counts_items_by_bucket_and_each_figure_opens_the_same_number(client, desk):
    from evaluations.dashboard import build

    desk.overdue_item()
    desk.item("assigned", title="新交办")
    desk.item("solved", title="已解决")
    desk.item("assigned", title="岱山码头", alliance=desk.world.alliance_b)
    board = build(desk.world.alice)
    counts = {row.key: row.value for row in board.breakdown("items").rows}
    assert counts == {"new": 1, "in_progress": 0, "handled": 1, "overdue": 1}
    assert board.figure("items_overdue").value == 1
    client.force_login(desk.world.alice)
    for figure in [board.figure("items_overdue"), *board.breakdown("items").rows]:
        assert client.get(figure.url).context["paginator"].count == figure.value, figure.key
    body = client.get(reverse("evaluations:dashboard")).content.decode()
    assert "逾期督办事项" in body and "督办事项按调度分类" in body


def test_the_project_ledger_says_what_became_of_the_coordination_request(client, desk):
    from tests.core.factories import sheet_rows
    from tracking import services

    services.item_raise(actor=desk.world.alice, report=desk.report, assignee=desk.transport, deadline=in_days(9))
    client.force_login(desk.world.alice)
    data = client.get(reverse("projects:list"), {"layout": "ledger", "export": "xlsx"}).getvalue()
    (row,) = sheet_rows(data, "项目台账")
    assert row["协调状态"] == f"督办事项 · 交通运输局 · 已交办（期限 {in_days(9).isoformat()}）"


def test_the_item_pages_read_in_english_with_the_language_cookie(client, desk):
    from django.conf import settings

    item = desk.item("handled")
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    client.force_login(desk.world.lily)
    listing = client.get(reverse("tracking:list")).content.decode()
    assert "<h1>Tracked items</h1>" in listing and "<th>Deadline</th>" in listing and "<th>办理期限</th>" not in listing
    detail = client.get(detail_url(item)).content.decode()
    assert "Confirm solved" in detail and "History" in detail and "办理记录" not in detail


def test_the_leaders_work_page_lists_the_items_waiting_for_their_confirmation(client, desk):
    handled = desk.item("handled", title="待确认事项")
    desk.item("in_progress", title="办理中事项")
    body = page(client, desk.world.lily, reverse("projects:my-work"))
    assert "待确认事项" in body and f"{detail_url(handled)}#confirm" in body
    assert "办理中事项" not in body and "另有 1 项正在承办部门办理。" in body
    body = page(client, desk.world.alice, reverse("tracking:list"))
    assert 'id="items-to-confirm"' not in body


def test_an_item_handled_by_the_department_says_it_waits_for_the_leader_to_whoever_cannot_confirm(client, desk):
    from tracking import services

    item = services.item_mark_handled(actor=desk.dora, item=desk.item("assigned"), note="已协调完毕")
    for user in (desk.world.alice, desk.world.tina, desk.dora):
        body = page(client, user, item.get_absolute_url())
        assert "等待联盟带头人确认是否解决" in body and 'id="confirm"' not in body
    leader = page(client, desk.world.lily, item.get_absolute_url())
    assert 'id="confirm"' in leader and "等待联盟带头人确认" not in leader

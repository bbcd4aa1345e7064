"""The figures of tracked items (docs/indicators.md, 督办事项 and 需求认领办结率), each
computed a second time, independently, in plain Python from the raw rows (the items and
their history), and compared. The items are moved through the services on a clock set
to Shanghai wall-clock times, so every transition has the date the scenario says."""

from __future__ import annotations

import datetime
import statistics
import zoneinfo
from decimal import Decimal

import pytest
from django.utils import timezone

from alliances.models import Alliance
from core.periods import MONTH, WEEK, YEAR, Period
from evaluations.metrics import claims_resolved
from evaluations.reports import weekly_dispatch
from tests.alliances.factories import ClaimFactory, NeedFactory
from tracking import services
from tracking.figures import year_figures
from tracking.models import TrackedItem, TrackedItemEvent

pytestmark = pytest.mark.django_db

SHANGHAI = zoneinfo.ZoneInfo("Asia/Shanghai")
W46 = Period.parse(WEEK, "2026-W46")  # 9–15 November 2026; cut-off Monday 16 November 06:00
NOVEMBER = Period.parse(MONTH, "2026-11")
YEAR_2026 = Period.parse(YEAR, "2026")


def d(text: str) -> datetime.date:
    return datetime.date.fromisoformat(text)


class Clock:
    """``timezone.now`` (services, auto_now_add) at a Shanghai wall-clock time."""

    def __init__(self, monkeypatch):
        self.now = timezone.now()
        monkeypatch.setattr(timezone, "now", lambda: self.now)

    def at(self, day: str, hour: int = 10, minute: int = 0) -> Clock:
        self.now = datetime.datetime.combine(d(day), datetime.time(hour, minute), tzinfo=SHANGHAI)
        return self


@pytest.fixture
def clock(monkeypatch):
    return Clock(monkeypatch)


class Story:
    """Moves one item of alliance A1 through the services on the clock."""

    def __init__(self, desk, clock, title: str, raised: str, alliance=None):
        self.desk, self.clock, self.w = desk, clock, desk.world
        alliance = alliance or self.w.alliance_a
        self.staff = self.w.bob if alliance == self.w.alliance_b else self.w.alice
        clock.at(raised)
        self.item = services.item_raise(actor=self.staff, alliance=alliance, title=title)

    def assign(self, day: str, department: str, deadline: str) -> Story:
        self.clock.at(day)
        department = getattr(self.desk, department)
        self.item = services.item_assign(actor=self.staff, item=self.item, assignee=department, deadline=d(deadline))
        return self

    def liaison(self):
        return {self.desk.transport.pk: self.desk.dora, self.desk.water.pk: self.desk.walt}.get(
            self.item.assignee_id, self.desk.bert
        )

    def reply(self, day: str) -> Story:
        self.clock.at(day)
        self.item = services.item_reply(actor=self.liaison(), item=self.item, note="正在办理")
        return self

    def handle(self, day: str, hour: int = 10, minute: int = 0) -> Story:
        self.clock.at(day, hour, minute)
        self.item = services.item_mark_handled(actor=self.liaison(), item=self.item, note="已办结")
        return self

    def solve(self, day: str, rating: int) -> Story:
        self.clock.at(day)
        self.item = services.item_confirm(actor=self.w.lily, item=self.item, rating=rating)
        return self


# --------------------------------------------------------------------------- by hand


def state_by_hand(item: TrackedItem, moment: datetime.datetime):
    """(state, department name, deadline) after the item's last event at or before ``moment``."""
    events = [e for e in TrackedItemEvent.objects.filter(item=item).select_related("department") if e.at <= moment]
    if not events:
        return None
    last = max(events, key=lambda e: (e.at, e.pk))
    return last.to_state, (last.department.name if last.department else ""), last.deadline


def dispatch_by_hand(county_prefix: str, period: Period) -> list[tuple]:
    """(title, department, deadline, bucket, state, days open) of each item, as the
    dispatch should list them: walking every item and its history in Python."""
    cutoff = datetime.datetime.combine(period.end, datetime.time(6), tzinfo=SHANGHAI)
    day = period.end
    week_began = datetime.datetime.combine(period.start, datetime.time(0), tzinfo=SHANGHAI)
    labels = {"new": "新提", "in_progress": "办理中", "handled": "已办结", "overdue": "逾期"}
    state_labels = {
        "new": "新提",
        "assigned": "已交办",
        "in_progress": "办理中",
        "handled": "已办结",
        "solved": "已解决",
        "reopened": "重新办理",
    }
    rows = []
    for item in TrackedItem.objects.select_related("alliance__lead_region"):
        if not item.alliance.lead_region.code.startswith(county_prefix) or item.created_at > cutoff:
            continue
        if item.closed_at is not None and item.closed_at < week_began:
            continue
        state, department, deadline = state_by_hand(item, cutoff)
        with_department = state in ("assigned", "in_progress", "reopened")
        if with_department and deadline < day:
            bucket = "overdue"
        elif state in ("new", "assigned"):
            bucket = "new"
        elif state in ("in_progress", "reopened"):
            bucket = "in_progress"
        else:
            bucket = "handled"
        closed = item.closed_at.astimezone(SHANGHAI).date() if item.closed_at and item.closed_at <= cutoff else None
        days = ((closed or day) - item.raised_on).days
        order = ["overdue", "new", "in_progress", "handled"].index(bucket)
        rows.append(
            (
                (order, deadline or datetime.date.max, item.pk),
                (
                    item.title,
                    department,
                    deadline.isoformat() if deadline else None,
                    labels[bucket],
                    state_labels[state],
                    days,
                ),
            )
        )
    return [row for _key, row in sorted(rows)]


def items_by_hand(period: Period, alliance_id: int) -> tuple[int, int]:
    """(items, solved on time) of an alliance for the claims-resolved indicator."""
    end_at = datetime.datetime.combine(period.end, datetime.time(0), tzinfo=SHANGHAI)
    total = on_time = 0
    for item in TrackedItem.objects.filter(alliance_id=alliance_id):
        if not (datetime.date(period.start.year, 1, 1) <= item.raised_on < period.end):
            continue
        total += 1
        solved = item.state == "solved" and item.closed_at < end_at
        if solved and item.handled_at.astimezone(SHANGHAI).date() <= item.deadline:
            on_time += 1
    return total, on_time


def claims_by_hand(period: Period, alliance_id: int) -> tuple[int, int]:
    from alliances.models import Claim

    total = resolved = 0
    for claim in Claim.objects.filter(need__alliance_id=alliance_id):
        if not (datetime.date(period.start.year, 1, 1) <= claim.claimed_on < period.end):
            continue
        if claim.status == "withdrawn" and claim.closed_on < period.end:
            continue
        total += 1
        resolved += claim.status == "resolved" and claim.closed_on < period.end
    return total, resolved


# --------------------------------------------------------------------------- the dispatch


def test_the_dispatch_lists_items_by_bucket_as_of_its_cut_off(desk, clock):
    Story(desk, clock, "A 村道拓宽", "2026-11-02").assign("2026-11-02", "transport", "2026-11-10").reply(
        "2026-11-05"
    ).handle("2026-11-20")  # overdue at the cut-off, handled after it
    Story(desk, clock, "B 水渠清淤", "2026-11-03").assign("2026-11-03", "water", "2026-11-30")  # not answered
    Story(desk, clock, "C 路灯安装", "2026-11-04").assign("2026-11-04", "transport", "2026-11-20").reply("2026-11-12")
    Story(desk, clock, "D 早已解决", "2026-10-01").assign("2026-10-01", "transport", "2026-10-20").handle(
        "2026-10-10"
    ).solve("2026-10-12", 5)  # solved before the week: not listed
    Story(desk, clock, "E 本周解决", "2026-11-01").assign("2026-11-01", "water", "2026-11-14").handle(
        "2026-11-13"
    ).solve("2026-11-15", 4)
    Story(desk, clock, "F 周后提出", "2026-11-17")  # raised after the cut-off: not listed
    Story(desk, clock, "G 期限当天", "2026-11-05").assign("2026-11-05", "transport", "2026-11-16")  # due that Monday
    Story(desk, clock, "H 改派", "2026-11-02").assign("2026-11-02", "transport", "2026-11-08").assign(
        "2026-11-14", "water", "2026-11-25"
    ).assign("2026-11-18", "transport", "2026-11-28")  # the last change after the cut-off
    Story(desk, clock, "I 新提未交办", "2026-11-06")
    Story(desk, clock, "J 岱山事项", "2026-11-02", alliance=desk.world.alliance_b).assign(
        "2026-11-02", "farming_b", "2026-11-05"
    )  # another county

    report = weekly_dispatch(W46, desk.world.county_a)
    table = next(t for t in report["tables"] if t["key"] == "tracked_items")
    listed = [(row[2], row[3], row[4], row[5], row[6], row[7]) for row in table["rows"]]

    assert listed == dispatch_by_hand("330212", W46)
    assert [row[0] for row in listed] == [
        "A 村道拓宽",
        "G 期限当天",
        "H 改派",
        "B 水渠清淤",
        "I 新提未交办",
        "C 路灯安装",
        "E 本周解决",
    ]
    h = next(row for row in listed if row[0] == "H 改派")
    assert h[1:3] == ("水利局", "2026-11-25")
    assert next(row for row in listed if row[0] == "E 本周解决")[5] == 14
    figures = {item["key"]: item["value"] for item in report["summary"]}
    assert (figures["items_overdue"], figures["items_new"], figures["items_in_progress"], figures["items_handled"]) == (
        1,
        4,
        1,
        1,
    )
    assert table["links"] == {
        "kind": "item",
        "column": "item",
        "ids": [TrackedItem.objects.get(title=row[0]).pk for row in listed],
    }


# --------------------------------------------------------------------------- the indicator and the year


@pytest.fixture
def year(desk, clock):
    Story(desk, clock, "I1 按期", "2026-03-01").assign("2026-03-01", "transport", "2026-03-20").handle(
        "2026-03-18"
    ).solve("2026-03-19", 5)
    Story(desk, clock, "I2 逾期解决", "2026-04-01").assign("2026-04-01", "transport", "2026-04-10").handle(
        "2026-04-15"
    ).solve("2026-04-16", 2)
    Story(desk, clock, "I3 期后确认", "2026-11-20").assign("2026-11-20", "water", "2026-11-28").handle(
        "2026-11-27"
    ).solve("2026-12-02", 4)
    Story(desk, clock, "I4 在办", "2026-11-25").assign("2026-11-25", "water", "2026-12-30")
    Story(desk, clock, "I5 十二月提出", "2026-12-03")
    Story(desk, clock, "I6 期限当晚办结", "2026-11-01").assign("2026-11-01", "transport", "2026-11-10").handle(
        "2026-11-10", 23, 30
    ).solve("2026-11-11", 3)
    need = NeedFactory(alliance=desk.world.alliance_a, posted_on=d("2026-02-01"), status="claimed")
    ClaimFactory(
        need=need,
        claimant_alliance=desk.world.alliance_b,
        status="resolved",
        claimed_on=d("2026-05-01"),
        started_on=d("2026-05-02"),
        closed_on=d("2026-11-05"),
        note="已办结",
    )
    ClaimFactory(
        need=NeedFactory(alliance=desk.world.alliance_a, posted_on=d("2026-02-01"), status="claimed"),
        claimant_alliance=desk.world.alliance_b,
        status="in_progress",
        claimed_on=d("2026-06-01"),
        started_on=d("2026-06-02"),
    )


def test_claims_resolved_counts_items_solved_on_time_alongside_claims(desk, year):
    a1 = desk.world.alliance_a.pk
    for period in (NOVEMBER, NOVEMBER.next(), YEAR_2026):
        computed = claims_resolved(Alliance.objects.all(), period, None)
        claims, resolved = claims_by_hand(period, a1)
        items, on_time = items_by_hand(period, a1)
        assert computed[a1] == (Decimal(resolved + on_time) / (claims + items)).quantize(Decimal("0.0001")), period
    # November: claims 1 of 2, items I1 and I6 of I1, I2, I3, I4, I6 (I3 confirmed in December).
    assert claims_resolved(Alliance.objects.all(), NOVEMBER, None)[a1] == Decimal("0.4286")


def test_the_years_figures_match_the_raw_rows(desk, year):
    figures = year_figures(TrackedItem.objects.filter(alliance=desk.world.alliance_a), YEAR_2026)
    end_at = datetime.datetime.combine(YEAR_2026.end, datetime.time(0), tzinfo=SHANGHAI)
    rows = list(TrackedItem.objects.filter(raised_on__year=2026))
    solved = [i for i in rows if i.state == "solved" and i.closed_at < end_at]
    on_time = [i for i in solved if i.handled_at.astimezone(SHANGHAI).date() <= i.deadline]
    days = [(i.closed_at.astimezone(SHANGHAI).date() - i.raised_on).days for i in solved]
    assert (
        (figures.items, figures.solved, figures.solved_on_time) == (len(rows), len(solved), len(on_time)) == (6, 4, 3)
    )
    assert figures.median_days == Decimal(str(statistics.median(days))) == Decimal("13.5")
    assert figures.mean_rating == Decimal(sum(i.rating for i in solved)) / len(solved) == Decimal("3.5")
    assert figures.on_time_rate == "50.0"


def test_the_scorecard_lists_the_items_behind_the_indicator(desk, year):
    from evaluations.models import Indicator
    from evaluations.scorecard import claim_rows

    rows = claim_rows(
        Alliance.objects.filter(pk=desk.world.alliance_a.pk), NOVEMBER, Indicator(metric="claims_resolved")
    )
    states = {row.cells[0]: row.cells[3] for row in rows.rows}
    assert states["I1 按期"] == "督办事项按期解决"
    assert states["I2 逾期解决"] == "督办事项逾期解决"
    assert states["I3 期后确认"] == "督办事项未解决"
    assert rows.attainment == Decimal("0.4286")

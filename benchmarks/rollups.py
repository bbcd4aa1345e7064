"""Each rollup's time against its floor: one hand-written SQL statement computing the same
figures on the same data.

    DATABASE_URL=postgres://.../db python benchmarks/rollups.py [--county CODE] [--repeat 3]

Rollups are computed by the same functions the Celery task stores (``spec.compute``),
without storing the result, for the last complete week / month / quarter / year before
``--as-of`` (default: the Monday after the newest progress report's week, so that the
periods are the seeded ones whatever today's date). The weekly dispatch runs for one
county; the monthly bulletin for the province (the whole database) and for one city; the
quarterly observation and the annual review for one county. Each of the last four scores
the region's alliances first (``ensure_scores``): each is timed whole, its scoring alone,
and its figures alone (``ensure_scores`` replaced by a no-op: the period's scores exist by
then) against the floor of its figures. Scores are in place before timing starts (the
warm-up run writes them), so each scoring run rewrites unchanged scores.
"""

from __future__ import annotations

import argparse
from unittest import mock

from common import MIN_SECONDS, data_day, print_table, setup, timed, timed_pair

WEEKLY_FLOOR = """
WITH p AS (
    SELECT pr.id, pr.alliance_id, pr.title, pr.status, pr.due_on, pr.responsible_person_id
    FROM projects_project pr
    JOIN alliances_alliance a ON a.id = pr.alliance_id
    JOIN members_region r ON r.id = a.lead_region_id
    WHERE r.code LIKE %(prefix)s
), uw AS (
    SELECT * FROM p WHERE status IN ('in_progress', 'delayed')
), wr AS (
    SELECT rep.* FROM projects_progressreport rep JOIN uw ON uw.id = rep.project_id WHERE rep.period = %(week)s
), silent AS (
    SELECT a.code, a.name, uw.title, per.name AS person,
           (SELECT max(x.period) FROM projects_progressreport x WHERE x.project_id = uw.id) AS last_week
    FROM uw JOIN alliances_alliance a ON a.id = uw.alliance_id
    LEFT JOIN members_person per ON per.id = uw.responsible_person_id
    WHERE NOT EXISTS (SELECT 1 FROM wr WHERE wr.project_id = uw.id)
    ORDER BY a.code, uw.title
), late AS (
    SELECT a.code, a.name, p.title, p.due_on, p.status
    FROM p JOIN alliances_alliance a ON a.id = p.alliance_id
    WHERE p.status IN ('planned', 'in_progress', 'delayed')
      AND (p.due_on < %(end)s OR EXISTS (
          SELECT 1 FROM projects_milestone m WHERE m.project_id = p.id AND m.done_on IS NULL AND m.due_on < %(end)s))
    ORDER BY p.due_on, a.code
), waiting AS (
    SELECT a.code, pr.title, wr.blockers, wr.coordination_request
    FROM wr JOIN projects_project pr ON pr.id = wr.project_id JOIN alliances_alliance a ON a.id = pr.alliance_id
    WHERE wr.needs_coordination OR wr.blockers <> ''
    ORDER BY a.code
), movement AS (
    SELECT a.code, a.name, pr.title, m.before, m.percent_complete, m.percent_complete - m.before AS change
    FROM (SELECT wr.project_id, wr.percent_complete, COALESCE((
              SELECT x.percent_complete FROM projects_progressreport x
              WHERE x.project_id = wr.project_id AND x.period < wr.period ORDER BY x.period DESC LIMIT 1), 0) AS before
          FROM wr) m
    JOIN projects_project pr ON pr.id = m.project_id JOIN alliances_alliance a ON a.id = pr.alliance_id
    ORDER BY change DESC, pr.title
), missing AS (
    SELECT w.name, r.name AS region, al.name AS alliance
    FROM workshops_workshop w JOIN members_region r ON r.id = w.region_id
    LEFT JOIN alliances_alliance al ON al.id = w.alliance_id
    WHERE r.code LIKE %(prefix)s AND w.status = 'active'
      AND NOT EXISTS (SELECT 1 FROM workshops_workshopreport x WHERE x.workshop_id = w.id AND x.month = %(month)s)
    ORDER BY r.code, w.name
), reminders AS (
    SELECT u.username, per.name, EXISTS (
               SELECT 1 FROM projects_progressreport x
               WHERE x.period = %(week)s AND x.submitted_by_id = n.recipient_id AND x.submitted_at > n.created_at
           ) AS reported
    FROM notices_notice n JOIN auth_user u ON u.id = n.recipient_id JOIN members_person per ON per.user_id = u.id
    WHERE n.event = 'progress_reminder' AND n.key = to_char(%(week)s::date, 'YYYY-MM-DD')
      AND EXISTS (SELECT 1 FROM alliances_teamrole t JOIN alliances_alliance a ON a.id = t.alliance_id
                  JOIN members_region r ON r.id = a.lead_region_id
                  WHERE t.person_id = per.id AND r.code LIKE %(prefix)s)
    ORDER BY u.username
)
SELECT (SELECT count(*) FROM uw), (SELECT count(*) FROM wr),
       (SELECT count(*) FROM wr WHERE (wr.submitted_at AT TIME ZONE 'Asia/Shanghai')::date < wr.period + 7),
       (SELECT count(*) FROM late), (SELECT count(*) FROM waiting), (SELECT count(*) FROM missing),
       (SELECT json_agg(silent) FROM silent), (SELECT json_agg(late) FROM late),
       (SELECT json_agg(waiting) FROM waiting), (SELECT json_agg(movement) FROM movement),
       (SELECT json_agg(missing) FROM missing), (SELECT json_agg(reminders) FROM reminders)
"""

MONTHLY_FLOOR = """
WITH p AS (
    SELECT pr.* FROM projects_project pr
    JOIN alliances_alliance a ON a.id = pr.alliance_id
    JOIN members_region r ON r.id = a.lead_region_id
    WHERE r.code LIKE %(prefix)s
), late AS (
    SELECT DISTINCT p.alliance_id FROM p
    WHERE p.status IN ('planned', 'in_progress', 'delayed') AND p.due_on < %(end)s
), ranking AS (
    SELECT CASE WHEN %(county)s THEN s.county_rank ELSE s.city_rank END AS rank, a.code, a.name,
           r.name AS region, s.base_score, s.total_score, s.grade, s.vetoed,
           CASE WHEN s.vetoed OR s.grade = 'poor' THEN 'red'
                WHEN s.grade = 'fair' OR s.alliance_id IN (SELECT alliance_id FROM late) THEN 'yellow'
                ELSE 'green' END AS flag
    FROM evaluations_assessment s JOIN alliances_alliance a ON a.id = s.alliance_id
    JOIN members_region r ON r.id = a.lead_region_id
    WHERE r.code LIKE %(prefix)s AND s.period_kind = 'month' AND s.period_start = %(start)s
)
SELECT
    (SELECT count(*) FROM p WHERE p.start_on >= %(start)s AND p.start_on < %(end)s),
    (SELECT count(*) FROM p WHERE p.status = 'completed'
        AND (SELECT max(x.period) FROM projects_progressreport x WHERE x.project_id = p.id) >= %(start)s
        AND (SELECT max(x.period) FROM projects_progressreport x WHERE x.project_id = p.id) < %(end)s),
    (SELECT json_build_object('spent', sum(COALESCE((
                SELECT x.investment_to_date FROM projects_progressreport x
                WHERE x.project_id = p.id AND x.period < %(end)s ORDER BY x.period DESC LIMIT 1), 0)),
            'planned', sum(p.planned_investment))
        FROM p WHERE p.year = %(year)s AND p.status <> 'cancelled'),
    (SELECT json_build_object('workshops', count(DISTINCT x.workshop_id), 'employed', COALESCE(sum(x.employed), 0),
            'low_income', COALESCE(sum(x.low_income_employed), 0), 'wages', COALESCE(sum(x.wages_paid), 0),
            'sales', COALESCE(sum(x.sales), 0),
            'income_weighted', COALESCE(sum(x.income_increase_per_person * x.employed), 0))
        FROM workshops_workshopreport x JOIN workshops_workshop w ON w.id = x.workshop_id
        JOIN members_region r ON r.id = w.region_id
        WHERE r.code LIKE %(prefix)s AND x.month = %(start)s),
    (SELECT json_agg(ranking ORDER BY rank, code) FROM ranking),
    (SELECT json_build_object('red', count(*) FILTER (WHERE flag = 'red'),
            'yellow', count(*) FILTER (WHERE flag = 'yellow'), 'green', count(*) FILTER (WHERE flag = 'green'))
        FROM ranking)
"""

QUARTERLY_FLOOR = """
WITH al AS (
    SELECT a.id, a.code, a.name FROM alliances_alliance a JOIN members_region r ON r.id = a.lead_region_id
    WHERE r.code LIKE %(prefix)s AND a.status <> 'dissolved'
), mv AS (
    SELECT p.alliance_id,
           SUM(COALESCE((SELECT x.percent_complete FROM projects_progressreport x
                         WHERE x.project_id = p.id AND x.period < %(end)s ORDER BY x.period DESC LIMIT 1), 0)
             - COALESCE((SELECT x.percent_complete FROM projects_progressreport x
                         WHERE x.project_id = p.id AND x.period < %(start)s ORDER BY x.period DESC LIMIT 1), 0)
           )::numeric / count(*) AS gain
    FROM projects_project p JOIN al ON al.id = p.alliance_id
    WHERE p.status <> 'cancelled' GROUP BY p.alliance_id
), scored AS (
    SELECT al.id, al.code, al.name, COALESCE(mv.gain, 0) AS gain, s.total_score
    FROM al LEFT JOIN mv ON mv.alliance_id = al.id
    LEFT JOIN evaluations_assessment s
      ON s.alliance_id = al.id AND s.period_kind = 'quarter' AND s.period_start = %(start)s
), movers AS (
    SELECT * FROM scored ORDER BY gain DESC, code LIMIT 3
)
SELECT (SELECT count(*) FROM al), (SELECT json_agg(movers) FROM movers),
       (SELECT json_agg(l) FROM (SELECT * FROM scored WHERE id NOT IN (SELECT id FROM movers)
                                 ORDER BY COALESCE(total_score, 0), code LIMIT 3) l)
"""

ANNUAL_FLOOR = """
WITH s AS (
    SELECT s.*, a.code, a.name FROM evaluations_assessment s
    JOIN alliances_alliance a ON a.id = s.alliance_id JOIN members_region r ON r.id = a.lead_region_id
    WHERE r.code LIKE %(prefix)s AND s.period_kind = 'year' AND s.period_start = %(start)s
), results AS (
    SELECT s.county_rank, s.code, s.name, s.total_score, s.grade,
           CASE WHEN s.vetoed THEN 'rectify' WHEN s.grade = 'poor' THEN 'reorganize'
                WHEN s.grade = 'fair' THEN 'interview'
                WHEN s.grade = 'excellent' AND COALESCE(s.county_rank, 999) <= sc.demonstration_top_n
                THEN 'demonstration' ELSE '' END AS consequence,
           ly.total_score AS last_year, s.total_score - ly.total_score AS change
    FROM s JOIN evaluations_assessmentscheme sc ON sc.id = s.scheme_id
    LEFT JOIN evaluations_assessment ly
      ON ly.alliance_id = s.alliance_id AND ly.period_kind = 'year' AND ly.period_start = %(previous)s
), losing AS (
    SELECT o.name, p.name AS secretary FROM evaluations_memberresult mr
    JOIN members_memberorganization o ON o.id = mr.organization_id
    JOIN members_region r ON r.id = o.region_id
    LEFT JOIN members_person p ON p.id = o.secretary_id
    WHERE r.code LIKE %(prefix)s AND mr.period_kind = 'year' AND mr.period_start = %(start)s
      AND mr.loses_award_eligibility
)
SELECT (SELECT json_agg(results ORDER BY county_rank, code) FROM results),
       (SELECT json_build_object('excellent', count(*) FILTER (WHERE grade = 'excellent'),
               'good', count(*) FILTER (WHERE grade = 'good'), 'fair', count(*) FILTER (WHERE grade = 'fair'),
               'poor', count(*) FILTER (WHERE grade = 'poor'), 'vetoed', count(*) FILTER (WHERE vetoed)) FROM s),
       (SELECT json_agg(losing ORDER BY name) FROM losing)
"""


def run_sql(sql: str, params: dict) -> None:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        cursor.fetchall()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--county", help="county code for the weekly dispatch (default: the first county)")
    parser.add_argument(
        "--repeat", type=int, default=3, help=f"runs of each side at least (and at least {MIN_SECONDS:g} s per pair)"
    )
    parser.add_argument(
        "--as-of",
        help="YYYY-MM-DD: time the periods before this day (default: the Monday after the newest report's week)",
    )
    args = parser.parse_args()
    setup()
    from django.db import transaction

    from core.periods import MONTH, QUARTER, WEEK, YEAR, Period
    from evaluations.reports import ensure_scores
    from evaluations.rollups import KINDS
    from members.models import Region

    today = data_day(args.as_of)
    county = Region.objects.get(code=args.county) if args.county else Region.objects.filter(level="county").first()
    city = county.parent
    province = Region.objects.filter(level="province").first()
    week = Period.containing(WEEK, today).previous()
    month = Period.containing(MONTH, today).previous()
    quarter = Period.containing(QUARTER, today).previous()
    year = Period.containing(YEAR, today).previous()

    def compute(kind: str, period: Period, region: Region):
        def run():
            with transaction.atomic():
                KINDS[kind].compute(period, region)

        return run

    rows = []
    weekly, weekly_floor = timed_pair(
        compute("weekly_dispatch", week, county),
        lambda: run_sql(
            WEEKLY_FLOOR,
            {"prefix": county.prefix + "%", "week": week.start, "end": week.end, "month": month.start},
        ),
        args.repeat,
    )
    rows.append(
        [
            "weekly_dispatch",
            f"{county.name} {county.code}",
            week.key,
            ms(weekly),
            ms(weekly_floor),
            ratio(weekly, weekly_floor),
        ]
    )

    targets = [
        (province, "monthly_bulletin", MONTHLY_FLOOR, month, {"year": month.start.year, "county": False}),
        (city, "monthly_bulletin", MONTHLY_FLOOR, month, {"year": month.start.year, "county": False}),
        (county, "quarterly_observation", QUARTERLY_FLOOR, quarter, {}),
        (county, "annual_review", ANNUAL_FLOOR, year, {"previous": year.previous().start}),
    ]
    for region, kind, sql, period, extra in targets:
        params = {"prefix": region.prefix + "%", "start": period.start, "end": period.end, **extra}
        final = kind == "annual_review"  # the annual review's scores are final
        label = f"{region.name} {region.code}"
        whole = timed(compute(kind, period, region), args.repeat)
        scoring = timed(
            lambda period=period, region=region, final=final: ensure_scores(period, region, final=final), args.repeat
        )
        with mock.patch("evaluations.reports.ensure_scores", return_value=[]):  # scores exist: figures alone
            figures, floor = timed_pair(
                compute(kind, period, region), lambda sql=sql, params=params: run_sql(sql, params), args.repeat
            )
        rows.append([f"{kind} (whole)", label, period.key, ms(whole), "-", "-"])
        rows.append(["  scoring", label, period.key, ms(scoring), "-", "-"])
        rows.append(["  without scoring", label, period.key, ms(figures), ms(floor), ratio(figures, floor)])
    print_table(
        f"Rollups of the periods before {today} "
        f"(medians of at least {args.repeat} runs and {MIN_SECONDS:g} s after a warm-up; "
        "the figures alternating with their floor)",
        ["rollup", "region", "period", "rollup ms", "floor ms", "ratio"],
        rows,
    )


def ms(seconds: float) -> str:
    return f"{seconds * 1000:,.1f}"


def ratio(value: float, floor: float) -> str:
    return f"{value / floor:.2f}" if floor else "-"


if __name__ == "__main__":
    main()

"""The floor for the list endpoints: bare Django views that run ONE SQL statement for the
same page of rows (same ordering, same columns and nested data as the API's serializers,
the total count as an uncorrelated sub-select) and return its JSON as the response body.
They sit behind the same middleware and settings as the API, log-in included, and apply no
row scope of their own: without parameters they read every row (``benchmarks/lists.py``,
as the superuser); with ``?region=<code prefix>`` (and ``?status=`` for the reports) the
``*_IN_REGION`` statement reads the rows a county's or a city's staff see, as
``benchmarks/load.py`` asks for them."""

from __future__ import annotations

import re

from django.contrib.auth.decorators import login_required
from django.db import connection
from django.http import HttpResponse
from django.urls import path

ALLIANCES = """
SELECT json_build_object('count', (SELECT count(*) FROM alliances_alliance), 'results', COALESCE(json_agg(t), '[]'))
FROM (
    SELECT a.id, a.code, a.name, a.formation_mode, a.formation_mode_other, a.scope, r.code AS lead_region,
           r.name AS lead_region_name, a.founded_on, a.status, a.is_demonstration, a.demonstration_year,
           a.covenant, a.description,
           (SELECT count(*) FROM alliances_membership m
             WHERE m.alliance_id = a.id AND m.left_on IS NULL) AS member_count,
           (SELECT COALESCE(json_agg(json_build_object('id', tr.id, 'role', tr.role, 'person', tr.person_id,
                   'person_name', p.name, 'started_on', tr.started_on) ORDER BY tr.role, tr.started_on), '[]')
              FROM alliances_teamrole tr JOIN members_person p ON p.id = tr.person_id
             WHERE tr.alliance_id = a.id AND tr.ended_on IS NULL) AS current_team,
           a.updated_at
    FROM alliances_alliance a JOIN members_region r ON r.id = a.lead_region_id
    ORDER BY a.code LIMIT %(limit)s OFFSET %(offset)s
) t
"""

PROJECTS = """
SELECT json_build_object('count', (SELECT count(*) FROM projects_project), 'results', COALESCE(json_agg(t), '[]'))
FROM (
    SELECT p.id, p.alliance_id AS alliance, a.name AS alliance_name, r.code AS region, p.year, p.title, p.category,
           p.description, p.responsible_organization_id AS responsible_organization,
           p.responsible_person_id AS responsible_person, p.planned_investment, p.expected_income_increase,
           p.households_benefited, p.people_employed, p.land_mu, p.funds_higher_level, p.funds_self_raised,
           p.funds_common_prosperity, p.funds_social_capital, o.name AS responsible_organization_name,
           pe.name AS responsible_person_name,
           p.funds_higher_level + p.funds_self_raised + p.funds_common_prosperity + p.funds_social_capital
               AS total_funding,
           p.start_on, p.due_on, p.status, p.version,
           COALESCE((SELECT x.percent_complete FROM projects_progressreport x
                      WHERE x.project_id = p.id AND x.status = 'accepted' ORDER BY x.period DESC LIMIT 1),
                    (SELECT x.percent_complete FROM projects_progressreport x
                      WHERE x.project_id = p.id ORDER BY x.period DESC LIMIT 1)) AS percent_complete,
           (SELECT x.period FROM projects_progressreport x
             WHERE x.project_id = p.id ORDER BY x.period DESC LIMIT 1) AS last_period,
           (SELECT count(*) FROM projects_progressreport x
             WHERE x.project_id = p.id AND x.status = 'submitted') AS pending_reports,
           (p.status IN ('planned', 'in_progress', 'delayed') AND (p.due_on < %(today)s OR EXISTS (
               SELECT 1 FROM projects_milestone m
                WHERE m.project_id = p.id AND m.done_on IS NULL AND m.due_on < %(today)s))) AS is_late,
           (p.status IN ('in_progress', 'delayed') AND NOT EXISTS (
               SELECT 1 FROM projects_progressreport x WHERE x.project_id = p.id AND x.period = %(week)s)) AS is_silent
    FROM projects_project p
    JOIN alliances_alliance a ON a.id = p.alliance_id JOIN members_region r ON r.id = a.lead_region_id
    LEFT JOIN members_memberorganization o ON o.id = p.responsible_organization_id
    LEFT JOIN members_person pe ON pe.id = p.responsible_person_id
    ORDER BY p.year DESC, a.code, p.title LIMIT %(limit)s OFFSET %(offset)s
) t
"""

REPORTS = """
SELECT json_build_object('count', (SELECT count(*) FROM projects_progressreport),
                         'results', COALESCE(json_agg(t), '[]'))
FROM (
    SELECT x.id, x.project_id AS project, p.title AS project_title, p.alliance_id AS alliance,
           a.name AS alliance_name, x.period, x.percent_complete,
           (SELECT y.percent_complete FROM projects_progressreport y
             WHERE y.project_id = x.project_id AND y.period < x.period AND y.status <> 'returned'
             ORDER BY y.period DESC LIMIT 1) AS previous_percent,
           x.investment_to_date, x.work_done, x.blockers, x.needs_coordination, x.coordination_request, x.status,
           x.revision, su.username AS submitted_by, x.submitted_at, ru.username AS reviewed_by, x.reviewed_at,
           x.review_comment,
           (SELECT COALESCE(json_agg(json_build_object('id', f.id, 'kind', f.kind, 'name', f.original_name,
                   'content_type', f.content_type, 'size', f.size, 'revision', f.revision)), '[]')
              FROM projects_reportattachment f WHERE f.report_id = x.id) AS attachments,
           (SELECT COALESCE(json_agg(json_build_object('number', v.number, 'percent_complete', v.percent_complete,
                   'decision', v.decision, 'review_comment', v.review_comment, 'reviewed_at', v.reviewed_at)
                   ORDER BY v.number), '[]')
              FROM projects_progressreportrevision v WHERE v.report_id = x.id) AS revisions
    FROM projects_progressreport x
    JOIN projects_project p ON p.id = x.project_id JOIN alliances_alliance a ON a.id = p.alliance_id
    LEFT JOIN auth_user su ON su.id = x.submitted_by_id LEFT JOIN auth_user ru ON ru.id = x.reviewed_by_id
    ORDER BY x.period DESC, x.project_id LIMIT %(limit)s OFFSET %(offset)s
) t
"""

WORKSHOPS = """
SELECT json_build_object('count', (SELECT count(*) FROM workshops_workshop), 'results', COALESCE(json_agg(t), '[]'))
FROM (
    SELECT w.id, w.name, w.type, r.code AS region, r.name AS region_name, w.host_id AS host, h.name AS host_name,
           w.alliance_id AS alliance, a.name AS alliance_name, w.partner_enterprise, w.steward_id AS steward,
           s.name AS steward_name, w.opened_on, w.status, w.has_team, w.has_projects, w.has_beneficiaries,
           w.has_steward, w.has_base, w.has_reports,
           w.has_team::int + w.has_projects::int + w.has_beneficiaries::int + w.has_steward::int
               + w.has_base::int + w.has_reports::int AS checklist_score,
           (w.has_team AND w.has_projects AND w.has_beneficiaries AND w.has_steward AND w.has_base
               AND w.has_reports) AS checklist_complete,
           to_char(l.month, 'YYYY-MM') AS latest_month, l.employed AS latest_employed,
           l.low_income_employed AS latest_low_income_employed, w.description, w.updated_at
    FROM workshops_workshop w
    JOIN members_region r ON r.id = w.region_id JOIN members_memberorganization h ON h.id = w.host_id
    LEFT JOIN alliances_alliance a ON a.id = w.alliance_id LEFT JOIN members_person s ON s.id = w.steward_id
    LEFT JOIN LATERAL (SELECT x.month, x.employed, x.low_income_employed FROM workshops_workshopreport x
                        WHERE x.workshop_id = w.id ORDER BY x.month DESC LIMIT 1) l ON true
    ORDER BY r.code, w.name LIMIT %(limit)s OFFSET %(offset)s
) t
"""


REGION = "JOIN members_region r ON r.id = {alias}.lead_region_id"
IN_REGION = "r.code LIKE %(prefix)s"


def in_region(sql: str, *, rows: str, join: str = "", where: str = IN_REGION) -> str:
    """``sql`` limited to the rows of one region (``?region=<code prefix>``): its count and its
    page both read ``rows`` (the statement's FROM, joined to the region) filtered by ``where``."""
    count = re.sub(r"\(SELECT count\(\*\) FROM \w+\)", f"(SELECT count(*) FROM {rows} WHERE {where})", sql, count=1)  # noqa: S608 - constant fragments
    head, order = count.rsplit("    ORDER BY", 1)
    return f"{head}    {join + chr(10) + '    ' if join else ''}WHERE {where}\n    ORDER BY{order}"


ALLIANCES_IN_REGION = in_region(ALLIANCES, rows="alliances_alliance a " + REGION.format(alias="a"))
PROJECTS_IN_REGION = in_region(
    PROJECTS,
    rows="projects_project p JOIN alliances_alliance a ON a.id = p.alliance_id " + REGION.format(alias="a"),
)
REPORTS_IN_REGION = in_region(
    REPORTS,
    rows="projects_progressreport x JOIN projects_project p ON p.id = x.project_id "
    "JOIN alliances_alliance a ON a.id = p.alliance_id " + REGION.format(alias="a"),
    join=REGION.format(alias="a"),
    where=IN_REGION + " AND x.status LIKE %(status)s",
)
WORKSHOPS_IN_REGION = in_region(WORKSHOPS, rows="workshops_workshop w JOIN members_region r ON r.id = w.region_id")


def bare(sql: str, sql_in_region: str):
    @login_required
    def view(request):
        from projects.weeks import current_week, local_today

        size = int(request.GET.get("page_size", 20))
        page = int(request.GET.get("page", 1))
        params = {
            "limit": size,
            "offset": (page - 1) * size,
            "today": local_today(),
            "week": current_week(),
            # ?region=<code prefix> and ?status=<report status>: the rows of one county (or
            # city), of one review state, the rows a staff member's page shows.
            "prefix": request.GET.get("region", "") + "%",
            "status": request.GET.get("status", "") or "%",
        }
        with connection.cursor() as cursor:
            query = sql_in_region if request.GET.get("region") or request.GET.get("status") else sql
            cursor.execute(f"SELECT ({query})::text", params)
            body = cursor.fetchone()[0]
        return HttpResponse(body, content_type="application/json")

    return view


urlpatterns = [
    path("bare/alliances/", bare(ALLIANCES, ALLIANCES_IN_REGION)),
    path("bare/projects/", bare(PROJECTS, PROJECTS_IN_REGION)),
    path("bare/progress-reports/", bare(REPORTS, REPORTS_IN_REGION)),
    path("bare/workshops/", bare(WORKSHOPS, WORKSHOPS_IN_REGION)),
]

"""The floor of scoring (``evaluations.reports.ensure_scores``): one hand-written PostgreSQL
statement that scores every alliance of a region for a period and writes what the ORM
code writes: the assessments with their county and city ranks, the indicator scores
(stale indicators' rows deleted, unchanged rows left alone) and the member organizations'
bound results.

It follows ``evaluations.scoring`` and ``evaluations.metrics`` rule for rule: the scheme
nearest each county, the seven computed metrics, the latest staff score of the year for
the other indicators, confirmed vetoes, the bound assessment, grades and window ranks, a
final assessment freezing its schemes; attainments rounded half up to 4 places, scores
to 2; the period re-ranked with the assessments of other regions. ``tests/test_scoring_floor.py``
checks that it writes the same rows as the ORM code, so that the benchmark compares like
with like.

Module without Django imports: the benchmark runs it through a plain cursor."""

from __future__ import annotations

SCORING_FLOOR = """
WITH county AS (
    SELECT left(c.code, 6) AS c6 FROM members_region c WHERE c.level = 'county' AND c.code LIKE %(prefix)s
), scheme AS (  -- the active scheme of the year nearest each county: its own, else its city's, else the province's
    SELECT DISTINCT ON (county.c6) county.c6, s.*
    FROM county
    JOIN members_region sr ON sr.code IN (left(county.c6, 2) || '0000000000', left(county.c6, 4) || '00000000',
                                          county.c6 || '000000')
    JOIN evaluations_assessmentscheme s ON s.region_id = sr.id AND s.status = 'active' AND s.year = %(year)s
    ORDER BY county.c6, sr.code DESC
), al AS (
    SELECT a.id, scheme.id AS scheme_id, left(r.code, 6) AS c6, left(r.code, 4) AS c4
    FROM alliances_alliance a JOIN members_region r ON r.id = a.lead_region_id
    JOIN scheme ON scheme.c6 = left(r.code, 6)
    WHERE r.code LIKE %(prefix)s AND a.status <> 'dissolved'
), ind AS (
    SELECT i.* FROM evaluations_indicator i WHERE i.scheme_id IN (SELECT id FROM scheme)
), year_projects AS (
    SELECT p.alliance_id, count(*) AS projects, count(*) FILTER (WHERE p.status = 'completed') AS completed,
           avg(COALESCE(l.percent_complete, 0)) AS average,
           sum(COALESCE(l.investment_to_date, 0)) FILTER (WHERE p.planned_investment > 0) AS spent,
           sum(p.planned_investment) FILTER (WHERE p.planned_investment > 0) AS planned
    FROM projects_project p JOIN al ON al.id = p.alliance_id
    LEFT JOIN LATERAL (SELECT x.percent_complete, x.investment_to_date FROM projects_progressreport x
                       WHERE x.project_id = p.id AND x.period < %(end)s ORDER BY x.period DESC LIMIT 1) l ON true
    WHERE p.year = %(year)s AND p.status <> 'cancelled'
    GROUP BY p.alliance_id
), timeliness AS (  -- reports submitted by the Sunday of their week (Shanghai date), per project under way
    SELECT p.alliance_id, count(*) AS projects,
           sum((SELECT count(*) FROM projects_progressreport x
                WHERE x.project_id = p.id AND x.period >= %(start)s AND x.period < %(end)s
                  AND (x.submitted_at AT TIME ZONE %(zone)s)::date < x.period + 7)) AS on_time
    FROM projects_project p JOIN al ON al.id = p.alliance_id
    WHERE p.status IN ('in_progress', 'delayed')
    GROUP BY p.alliance_id
), workshops AS (
    SELECT w.alliance_id, sum(x.low_income_employed) AS low_income
    FROM workshops_workshopreport x JOIN workshops_workshop w ON w.id = x.workshop_id JOIN al ON al.id = w.alliance_id
    WHERE x.month >= %(start)s AND x.month < %(end)s
    GROUP BY w.alliance_id
), meetings AS (
    SELECT m.alliance_id, least(count(*) FILTER (WHERE m.kind = 'monthly'), %(months)s)
                          + least(count(*) FILTER (WHERE m.kind = 'quarterly'), %(quarters)s)
                          + least(count(*) FILTER (WHERE m.kind = 'annual'), %(years)s) AS held
    FROM alliances_meeting m JOIN al ON al.id = m.alliance_id
    WHERE m.held_on >= %(start)s AND m.held_on < %(end)s
    GROUP BY m.alliance_id
), activities AS (
    SELECT x.alliance_id, count(*) AS held
    FROM alliances_activity x JOIN al ON al.id = x.alliance_id
    WHERE x.held_on >= %(start)s AND x.held_on < %(end)s
    GROUP BY x.alliance_id
), claims AS (
    SELECT n.alliance_id, count(*) AS claims, count(*) FILTER (WHERE c.status = 'resolved') AS resolved
    FROM alliances_claim c JOIN alliances_need n ON n.id = c.need_id JOIN al ON al.id = n.alliance_id
    WHERE c.claimed_on >= %(year_start)s AND c.claimed_on < %(end)s AND c.status <> 'withdrawn'
    GROUP BY n.alliance_id
), manual AS (  -- a staff score stands until the next one: the latest of the year up to the period's end
    SELECT DISTINCT ON (ms.alliance_id, ms.indicator_id) ms.alliance_id, ms.indicator_id, ms.score
    FROM evaluations_manualscore ms JOIN al ON al.id = ms.alliance_id
    WHERE ms.period_start >= %(year_start)s AND ms.period_start <= %(last_day)s
    ORDER BY ms.alliance_id, ms.indicator_id, ms.period_start DESC
), attained AS (
    SELECT al.id AS alliance_id, ind.id AS indicator_id, ind.weight, ind.max_score,
           COALESCE(round(least(1, greatest(0, CASE ind.metric
               WHEN 'project_completion' THEN greatest(yp.average / 100, yp.completed::numeric / NULLIF(yp.projects, 0))
               WHEN 'investment_vs_target' THEN yp.spent / NULLIF(yp.planned, 0)
               WHEN 'reporting_timeliness' THEN t.on_time::numeric / NULLIF(t.projects * %(weeks)s, 0)
               WHEN 'workshop_low_income' THEN ws.low_income::numeric / %(months)s / COALESCE(NULLIF(ind.target, 0), 1)
               WHEN 'meetings_on_rhythm' THEN mt.held::numeric / %(meetings_due)s
               WHEN 'activities_held' THEN ac.held / NULLIF(COALESCE(NULLIF(ind.target, 0), 12) * %(months)s / 12, 0)
               WHEN 'claims_resolved' THEN cl.resolved::numeric / NULLIF(cl.claims, 0)
               WHEN '' THEN ma.score / ind.max_score
           END)), 4), 0) AS attainment
    FROM al JOIN ind ON ind.scheme_id = al.scheme_id
    LEFT JOIN year_projects yp ON yp.alliance_id = al.id
    LEFT JOIN timeliness t ON t.alliance_id = al.id
    LEFT JOIN workshops ws ON ws.alliance_id = al.id
    LEFT JOIN meetings mt ON mt.alliance_id = al.id
    LEFT JOIN activities ac ON ac.alliance_id = al.id
    LEFT JOIN claims cl ON cl.alliance_id = al.id
    LEFT JOIN manual ma ON ma.alliance_id = al.id AND ma.indicator_id = ind.id
), standing AS (  -- current members: the share with four stars or more, the average star rating × 20
    SELECT m.alliance_id,
           round(least(1, count(*) FILTER (WHERE o.star_rating >= 4)::numeric / count(*)), 4) AS four_star_share,
           round(COALESCE(avg(o.star_rating), 0) * 20, 2) AS member_average
    FROM alliances_membership m JOIN al ON al.id = m.alliance_id
    JOIN members_memberorganization o ON o.id = m.organization_id
    WHERE m.joined_on <= %(last_day)s AND (m.left_on IS NULL OR m.left_on > %(last_day)s)
    GROUP BY m.alliance_id
), based AS (
    SELECT al.id AS alliance_id, al.scheme_id, al.c6, al.c4,
           COALESCE(sum(at.weight * at.max_score * at.attainment), 0) * 100
               / COALESCE(NULLIF((SELECT sum(i.weight * i.max_score) FROM ind i WHERE i.scheme_id = al.scheme_id), 0),
                          1)
               AS base,
           EXISTS (SELECT 1 FROM evaluations_vetofinding v
                   WHERE v.alliance_id = al.id AND v.year = %(year)s AND v.confirmed) AS vetoed
    FROM al LEFT JOIN attained at ON at.alliance_id = al.id
    GROUP BY al.id, al.scheme_id, al.c6, al.c4
), totalled AS (
    SELECT b.*, s.excellent_min, s.good_min, s.fair_min,
           COALESCE(st.four_star_share, 0) AS four_star_share, COALESCE(st.member_average, 0) AS member_average,
           least(100, greatest(0, round((1 - s.member_weight) * b.base + s.member_weight * (
               s.four_star_weight * COALESCE(st.four_star_share, 0) * 100
               + (1 - s.four_star_weight) * COALESCE(st.member_average, 0)), 2))) AS total
    FROM based b JOIN evaluations_assessmentscheme s ON s.id = b.scheme_id
    LEFT JOIN standing st ON st.alliance_id = b.alliance_id
), graded AS (
    SELECT t.*,
           CASE WHEN t.vetoed OR t.total < t.fair_min THEN 'poor' WHEN t.total >= t.excellent_min THEN 'excellent'
                WHEN t.total >= t.good_min THEN 'good' ELSE 'fair' END AS grade
    FROM totalled t
), ranked AS (  -- the period's ranks: the new totals with the period's other assessments (other regions, dissolved)
    SELECT r.*, rank() OVER (PARTITION BY r.c6 ORDER BY r.vetoed, r.total DESC) AS county_rank,
           rank() OVER (PARTITION BY r.c4 ORDER BY r.vetoed, r.total DESC) AS city_rank
    FROM (SELECT g.alliance_id, g.c6, g.c4, g.vetoed, g.total, true AS scored FROM graded g
          UNION ALL
          SELECT s.alliance_id, left(lr.code, 6), left(lr.code, 4), s.vetoed, s.total_score, false
          FROM evaluations_assessment s JOIN alliances_alliance a ON a.id = s.alliance_id
          JOIN members_region lr ON lr.id = a.lead_region_id
          WHERE s.period_kind = %(kind)s AND s.period_start = %(start)s
            AND NOT EXISTS (SELECT 1 FROM graded g WHERE g.alliance_id = s.alliance_id)) r
), reranked AS (  -- other assessments of the period whose rank the new totals changed
    UPDATE evaluations_assessment s SET county_rank = r.county_rank, city_rank = r.city_rank
    FROM ranked r
    WHERE NOT r.scored AND s.alliance_id = r.alliance_id AND s.period_kind = %(kind)s AND s.period_start = %(start)s
      AND (s.county_rank, s.city_rank) IS DISTINCT FROM (r.county_rank, r.city_rank)
    RETURNING s.id
), saved AS (
    INSERT INTO evaluations_assessment AS a (alliance_id, period_kind, period_start, scheme_id, base_score,
        four_star_share, member_average, total_score, vetoed, grade, status, computed_at, county_rank, city_rank)
    SELECT g.alliance_id, %(kind)s, %(start)s, g.scheme_id, round(g.base, 2), g.four_star_share, g.member_average,
           g.total, g.vetoed, g.grade, %(status)s, %(now)s, r.county_rank, r.city_rank
    FROM graded g JOIN ranked r ON r.alliance_id = g.alliance_id AND r.scored
    ON CONFLICT (alliance_id, period_kind, period_start) DO UPDATE SET scheme_id = EXCLUDED.scheme_id,
        base_score = EXCLUDED.base_score, four_star_share = EXCLUDED.four_star_share,
        member_average = EXCLUDED.member_average, total_score = EXCLUDED.total_score, vetoed = EXCLUDED.vetoed,
        grade = EXCLUDED.grade, status = EXCLUDED.status, computed_at = EXCLUDED.computed_at,
        county_rank = EXCLUDED.county_rank, city_rank = EXCLUDED.city_rank
    RETURNING a.id, a.alliance_id, a.scheme_id
), stale AS (
    DELETE FROM evaluations_indicatorscore s USING saved
    WHERE s.assessment_id = saved.id
      AND s.indicator_id NOT IN (SELECT i.id FROM ind i WHERE i.scheme_id = saved.scheme_id)
    RETURNING s.id
), indicator_scores AS (
    INSERT INTO evaluations_indicatorscore AS s (assessment_id, indicator_id, attainment, score)
    SELECT saved.id, at.indicator_id, at.attainment, round(at.max_score * at.attainment, 2)
    FROM saved JOIN attained at ON at.alliance_id = saved.alliance_id
    ON CONFLICT (assessment_id, indicator_id) DO UPDATE SET attainment = EXCLUDED.attainment, score = EXCLUDED.score
    WHERE (s.attainment, s.score) IS DISTINCT FROM (EXCLUDED.attainment, EXCLUDED.score)
    RETURNING s.id
), bound AS (  -- each member organization: its own score and the average total of its alliances this period
    SELECT DISTINCT ON (x.organization_id) x.*
    FROM (SELECT m.organization_id, COALESCE(o.star_rating, 0) * 20 AS own, avg(g.total) AS average,
                 bool_or(g.grade = 'poor') AS failing, s.alliance_weight_for_members AS weight,
                 (SELECT min(sc.c6) FROM scheme sc WHERE sc.id = g.scheme_id) AS first_county
          FROM alliances_membership m JOIN graded g ON g.alliance_id = m.alliance_id
          JOIN members_memberorganization o ON o.id = m.organization_id
          JOIN evaluations_assessmentscheme s ON s.id = g.scheme_id
          WHERE m.joined_on <= %(last_day)s AND (m.left_on IS NULL OR m.left_on > %(last_day)s)
          GROUP BY m.organization_id, o.star_rating, g.scheme_id, s.alliance_weight_for_members) x
    -- in alliances under several schemes: the scheme whose first county comes last, as the ORM's plan
    ORDER BY x.organization_id, x.first_county DESC
), member_results AS (
    INSERT INTO evaluations_memberresult AS r (organization_id, period_kind, period_start, own_score,
        alliance_average, total_score, loses_award_eligibility)
    SELECT b.organization_id, %(kind)s, %(start)s, b.own, round(b.average, 2),
           round((1 - b.weight) * b.own + b.weight * b.average, 2), b.failing
    FROM bound b
    ON CONFLICT (organization_id, period_kind, period_start) DO UPDATE SET own_score = EXCLUDED.own_score,
        alliance_average = EXCLUDED.alliance_average, total_score = EXCLUDED.total_score,
        loses_award_eligibility = EXCLUDED.loses_award_eligibility
    WHERE (r.own_score, r.alliance_average, r.total_score, r.loses_award_eligibility)
          IS DISTINCT FROM (EXCLUDED.own_score, EXCLUDED.alliance_average, EXCLUDED.total_score,
                            EXCLUDED.loses_award_eligibility)
    RETURNING r.id
), frozen AS (  -- a final assessment freezes the schemes it used
    UPDATE evaluations_assessmentscheme s SET is_frozen = true
    WHERE %(final)s AND NOT s.is_frozen AND s.id IN (SELECT id FROM scheme)
    RETURNING s.id
)
SELECT (SELECT count(*) FROM saved), (SELECT count(*) FROM reranked), (SELECT count(*) FROM stale),
       (SELECT count(*) FROM indicator_scores), (SELECT count(*) FROM member_results), (SELECT count(*) FROM frozen)
"""


def floor_params(period, region, *, now, zone: str, final: bool = False) -> dict:
    """The statement's parameters for a ``members.periods.Period`` and a region."""
    months = period.months
    return {
        "prefix": region.prefix + "%",
        "kind": period.kind,
        "start": period.start,
        "end": period.end,
        "last_day": period.last_day,
        "year": period.start.year,
        "year_start": period.start.replace(month=1, day=1),
        "weeks": period.weeks,
        "months": months,
        "quarters": months // 3,
        "years": months // 12,
        "meetings_due": months + months // 3 + months // 12,
        "zone": zone,
        "final": final,
        "status": "final" if final else "draft",
        "now": now,
    }


SNAPSHOT = {
    "assessments": """
        SELECT s.alliance_id, s.scheme_id, s.base_score, s.four_star_share, s.member_average, s.total_score,
               s.vetoed, s.grade, s.status, s.county_rank, s.city_rank
        FROM evaluations_assessment s JOIN alliances_alliance a ON a.id = s.alliance_id
        JOIN members_region r ON r.id = a.lead_region_id
        WHERE s.period_kind = %(kind)s AND s.period_start = %(start)s AND r.code LIKE %(prefix)s""",
    "indicator scores": """
        SELECT s.alliance_id, i.indicator_id, i.attainment, i.score
        FROM evaluations_indicatorscore i JOIN evaluations_assessment s ON s.id = i.assessment_id
        JOIN alliances_alliance a ON a.id = s.alliance_id JOIN members_region r ON r.id = a.lead_region_id
        WHERE s.period_kind = %(kind)s AND s.period_start = %(start)s AND r.code LIKE %(prefix)s""",
    "member results": """
        SELECT m.organization_id, m.own_score, m.alliance_average, m.total_score, m.loses_award_eligibility
        FROM evaluations_memberresult m
        WHERE m.period_kind = %(kind)s AND m.period_start = %(start)s""",
    "frozen schemes": "SELECT s.id FROM evaluations_assessmentscheme s WHERE s.is_frozen",
}


def snapshot(cursor, params: dict) -> dict[str, set[tuple]]:
    """The period's scores of the region as sets of rows, to compare two ways of writing them."""
    snapped = {}
    for name, sql in SNAPSHOT.items():
        cursor.execute(sql, params)
        snapped[name] = set(cursor.fetchall())
    return snapped

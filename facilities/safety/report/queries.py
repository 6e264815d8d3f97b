"""The safety report's figures for a site, a region or every site the caller sees, for a
period (both days included, in the reader's time zone). Reads only; formulas in
docs/kpis.md ("Safety").

The report is assembled from sections (``sections.SECTIONS``); this module computes the
figures of the incidents, certificates and training sections."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from typing import Any

from facilities import db
from facilities.accounts.enums import Role
from facilities.accounts.principal import Principal
from facilities.kit import clock
from facilities.kit.errors import RuleViolation
from facilities.kit.i18n import _, current_locale
from facilities.kit.rows import to_date
from facilities.kit.timefmt import reader_zone
from facilities.safety.compliance import queries as compliance_queries
from facilities.safety.compliance.enums import AMBER_DAYS, rag
from facilities.safety.report.schemas import (
    CertificateFigures,
    CertificateLine,
    IncidentFigures,
    InspectionFigures,
    ReportRead,
    TrainingFigures,
)
from facilities.safety.training import queries as training_queries
from facilities.sites import queries as site_queries
from facilities.sites import scope

MAX_DAYS = 3 * 366


def check_period(period_from: date, period_to: date) -> None:
    if period_to < period_from:
        raise RuleViolation("period_to", _("The period ends before it starts."))
    if (period_to - period_from).days > MAX_DAYS:
        raise RuleViolation("period_to", _("A report covers at most three years."))


async def report_sites(
    principal: Principal, *, site_id: int | None, region_id: int | None
) -> tuple[list[int], str]:
    """The sites of the report and its scope in words (404 for a site or region the
    caller may not see)."""
    if site_id is not None:
        site = await site_queries.get_site(principal, site_id)
        return [site.id], f"{site.code} {site.name}"
    visible = await scope.visible_site_ids(principal)
    if region_id is not None:
        region = await site_queries.get_region(principal, region_id)
        rows = await db.raw("SELECT id FROM site WHERE region = {}", region_id)
        ids = {int(r["id"]) for r in rows}
        if visible is not None:
            ids &= visible
        return sorted(ids), region.name
    if visible is None:
        visible = {int(r["id"]) for r in await db.raw("SELECT id FROM site")}
    return sorted(visible), _("All sites")


def _bounds(period_from: date, period_to: date) -> tuple[datetime, datetime]:
    zone = reader_zone()
    start = datetime.combine(period_from, time(0), tzinfo=zone)
    end = datetime.combine(period_to + timedelta(days=1), time(0), tzinfo=zone)
    return start, end


def months_of(period_from: date, period_to: date) -> list[str]:
    out, day = [], period_from.replace(day=1)
    while day <= period_to:
        out.append(f"{day:%Y-%m}")
        day = (day + timedelta(days=32)).replace(day=1)
    return out


def _month_bounds(period_from: date, period_to: date) -> list[tuple[str, datetime, datetime]]:
    """(YYYY-MM, start, end) of each month the period touches, clipped to the period, as
    instants of the reader's zone (so a month is counted where people read it)."""
    start, end = _bounds(period_from, period_to)
    zone = reader_zone()
    out = []
    for month in months_of(period_from, period_to):
        first = date.fromisoformat(f"{month}-01")
        following = (first + timedelta(days=32)).replace(day=1)
        lower = max(start, datetime.combine(first, time(0), tzinfo=zone))
        upper = min(end, datetime.combine(following, time(0), tzinfo=zone))
        out.append((month, lower, upper))
    return out


async def incident_figures(
    site_ids: list[int], period_from: date, period_to: date
) -> IncidentFigures:
    """Counts of every incident at the sites (confidential ones counted, never shown), in
    one aggregate statement per 500 sites (the database counts; no rows travel)."""
    start, end = _bounds(period_from, period_to)
    months = _month_bounds(period_from, period_to)
    sums = [
        "SUM(CASE WHEN kind = 'incident' THEN 1 ELSE 0 END) AS incidents",
        "SUM(CASE WHEN kind = 'near_miss' THEN 1 ELSE 0 END) AS near",
        "SUM(CASE WHEN injury THEN 1 ELSE 0 END) AS injuries",
        "SUM(CASE WHEN injury AND days_off > 0 THEN 1 ELSE 0 END) AS lost",
        "SUM(CASE WHEN reportable THEN 1 ELSE 0 END) AS reportable",
        "SUM(CASE WHEN confidential THEN 1 ELSE 0 END) AS confidential",
    ]
    bounds: list[Any] = []
    for index, (_month, lower, upper) in enumerate(months):
        for kind in ("incident", "near_miss"):
            sums.append(
                f"SUM(CASE WHEN kind = '{kind}' AND occurred_at >= {{}} AND occurred_at < {{}}"
                f" THEN 1 ELSE 0 END) AS m{index}_{kind}"
            )
            bounds += [lower, upper]
    totals: dict[str, int] = {}
    severity: dict[str, int] = {}
    for chunk_start in range(0, len(site_ids), 500):
        chunk = site_ids[chunk_start : chunk_start + 500]
        marks = ", ".join("{}" for _ in chunk)
        where = (
            f" FROM safety_incident WHERE site IN ({marks})"
            " AND occurred_at >= {} AND occurred_at < {}"
        )
        rows = await db.raw(
            "SELECT " + ", ".join(sums) + where,
            *bounds,
            *chunk,
            start,
            end,
        )
        for key, value in dict(rows[0]).items():
            totals[key] = totals.get(key, 0) + int(value or 0)
        for row in await db.raw(
            "SELECT severity, count(*) AS n" + where + " GROUP BY severity",
            *chunk,
            start,
            end,
        ):
            severity[row["severity"]] = severity.get(row["severity"], 0) + int(row["n"])
    incidents, near = totals.get("incidents", 0), totals.get("near", 0)
    site_months = len(site_ids) * len(months)
    return IncidentFigures(
        incidents=incidents,
        near_misses=near,
        injuries=totals.get("injuries", 0),
        lost_time_injuries=totals.get("lost", 0),
        reportable=totals.get("reportable", 0),
        confidential=totals.get("confidential", 0),
        by_severity=severity,
        by_month=[
            (month, totals.get(f"m{i}_incident", 0), totals.get(f"m{i}_near_miss", 0))
            for i, (month, _lower, _upper) in enumerate(months)
        ],
        site_months=site_months,
        incidents_per_site_month=round(incidents / site_months, 3) if site_months else None,
        near_miss_ratio=round(near / incidents, 2) if incidents else None,
    )


async def certificate_figures(principal: Principal, site_ids: list[int]) -> CertificateFigures:
    """Certificates of the sites by status today, counted by the database (red expired,
    amber within 60 days; "today" in each site's own time zone, as the register shows it),
    and the 20 that need attention soonest."""
    counts = {"red": 0, "amber": 0, "green": 0}
    attention: list[tuple[date, int, CertificateLine]] = []
    german = current_locale() == "de"
    partner = (principal.partner_organisation_id or -1) if principal.role is Role.partner else None
    for chunk in _chunks(site_ids):
        marks = ", ".join("{}" for _ in chunk)
        zones = await db.raw(
            f"SELECT DISTINCT time_zone FROM site WHERE id IN ({marks})",  # noqa: S608
            *chunk,
        )
        if not zones:
            continue
        # Per zone: its "today" (red below it) and its last amber day.
        todays = {
            str(z["time_zone"]): compliance_queries.local_today(str(z["time_zone"])) for z in zones
        }
        day = "{}" if db.is_sqlite() else "CAST({} AS DATE)"  # a CASE of parameters is text
        today_case = "CASE s.time_zone" + f" WHEN {{}} THEN {day}" * len(todays) + " END"
        today_args = [v for zone, day in todays.items() for v in (zone, day)]
        amber_args = [
            v for zone, day in todays.items() for v in (zone, day + timedelta(days=AMBER_DAYS))
        ]
        where = f" FROM safety_certificate c JOIN site s ON s.id = c.site WHERE c.site IN ({marks})"
        extra: list[Any] = []
        if partner is not None:
            where += " AND c.responsible_partner = {}"
            extra.append(partner)
        rows = await db.raw(
            f"SELECT SUM(CASE WHEN c.expires_on < {today_case} THEN 1 ELSE 0 END) AS red,"
            f" SUM(CASE WHEN c.expires_on <= {today_case} THEN 1 ELSE 0 END) AS not_green,"
            " count(*) AS n" + where,
            *today_args,
            *amber_args,
            *chunk,
            *extra,
        )
        red, not_green, total = (int(rows[0][k] or 0) for k in ("red", "not_green", "n"))
        counts["red"] += red
        counts["amber"] += not_green - red
        counts["green"] += total - not_green
        for r in await db.raw(
            "SELECT c.id, c.expires_on, s.name AS site_name, s.time_zone,"
            " t.name_en, t.name_de"
            + where.replace(
                " WHERE", " JOIN safety_certificate_type t ON t.id = c.certificate_type WHERE"
            )
            + f" AND c.expires_on <= {today_case} ORDER BY c.expires_on, c.id LIMIT 20",
            *chunk,
            *extra,
            *amber_args,
        ):
            expires = to_date(r["expires_on"])
            line = CertificateLine(
                id=int(r["id"]),
                type_name=r["name_de"] if german else r["name_en"],
                site_name=r["site_name"],
                expires_on=expires,
                rag=rag(expires, todays[str(r["time_zone"])]).value,
            )
            attention.append((expires, line.id, line))
    attention.sort(key=lambda entry: (entry[0], entry[1]))
    return CertificateFigures(
        red=counts["red"],
        amber=counts["amber"],
        green=counts["green"],
        attention=[line for _day, _id, line in attention[:20]],
    )


# The people of the report's sites (as ``training_queries.people_of_sites``: users assigned
# to a site, ops managers of its region, named people there; one row per person and site),
# the trainings each must hold (``training_queries._required``), and those whose latest
# completion is still valid today (green or amber in the matrix).
_TRAINING_SQL = """
WITH people AS (
  SELECT 'u' || CAST(u.id AS TEXT) AS subject, u.role AS role, sa.site AS site
  FROM app_user u JOIN site_assignment sa ON sa."user" = u.id
  WHERE sa.site IN ({marks}) AND u.active = {{}}
  UNION
  SELECT 'u' || CAST(u.id AS TEXT), u.role, s.id
  FROM app_user u JOIN region_assignment ra ON ra."user" = u.id
  JOIN site s ON s.region = ra.region
  WHERE s.id IN ({marks}) AND u.active = {{}}
  UNION
  SELECT 't' || CAST(t.id AS TEXT), '', t.site
  FROM safety_trainee t WHERE t.site IN ({marks}) AND t.active = {{}}
),
needed AS (
  SELECT DISTINCT p.subject, r.training_type
  FROM people p
  JOIN safety_training_requirement r
    ON (r.role IS NULL OR r.role = '' OR r.role = p.role)
   AND (r.site IS NULL OR r.site = p.site)
  JOIN safety_training_type tt ON tt.id = r.training_type AND tt.active = {{}}
),
valid AS (
  SELECT n.subject FROM needed n
  WHERE EXISTS (
    SELECT 1 FROM safety_training_completion c
    WHERE c.subject = n.subject AND c.training_type = n.training_type
      AND (c.valid_until IS NULL OR c.valid_until >= {{}})
      AND NOT EXISTS (
        SELECT 1 FROM safety_training_completion newer
        WHERE newer.subject = c.subject AND newer.training_type = c.training_type
          AND newer.completed_on > c.completed_on
      )
  )
)
SELECT
  (SELECT count(DISTINCT subject) FROM people) AS people,
  (SELECT count(*) FROM needed) AS required,
  (SELECT count(*) FROM valid) AS covered
"""


async def training_figures(site_ids: list[int]) -> TrainingFigures:
    """Training coverage of the people of the sites, counted by the database: required
    trainings (person × active training type required of the role at one of the person's
    sites) and those covered by a latest completion valid today (UTC, as the matrix)."""
    if not site_ids:
        return TrainingFigures(people=0, required=0, covered=0, coverage=None)
    marks = ", ".join("{}" for _ in site_ids)
    rows = await db.raw(
        _TRAINING_SQL.format(marks=marks),
        *site_ids,
        True,
        *site_ids,
        True,
        *site_ids,
        True,
        True,
        training_queries.today(),
    )
    people, required, covered = (int(rows[0][k] or 0) for k in ("people", "required", "covered"))
    return TrainingFigures(
        people=people,
        required=required,
        covered=covered,
        coverage=round(covered * 100 / required, 1) if required else None,
    )


# Age bands of open findings: (key, lower days inclusive, upper days exclusive or None).
AGE_BANDS: list[tuple[str, int, int | None]] = [
    ("0-7", 0, 7),
    ("7-30", 7, 30),
    ("30-90", 30, 90),
    ("90+", 90, None),
]
CLOSED_WORK = ("completed", "verified", "cancelled")


def _chunks(site_ids: list[int]) -> list[list[int]]:
    return [site_ids[i : i + 500] for i in range(0, len(site_ids), 500)]


async def inspection_figures(
    site_ids: list[int], period_from: date, period_to: date
) -> InspectionFigures:
    """The inspections part: aggregate statements per 500 sites (the database counts and
    sums; no inspection or finding rows travel). Due vs on time by ``due_at`` in the
    period; the score over inspections submitted in the period (mean of their percent);
    failed items by findings raised in the period; open findings and overdue corrective
    work as of now."""
    start, end = _bounds(period_from, period_to)
    months = _month_bounds(period_from, period_to)
    now = clock.now()
    # Inspections due in the period, and those of them submitted by their due time.
    due_sql = (
        "SELECT count(*) AS due, SUM(CASE WHEN submitted_at IS NOT NULL"
        " AND submitted_at <= due_at THEN 1 ELSE 0 END) AS on_time FROM inspection"
        " WHERE site IN ({marks}) AND due_at >= {{}} AND due_at < {{}}"
    )
    # Inspections submitted in the period, per month (the month's index by one CASE over
    # the months' upper bounds, which are contiguous and clipped to the period).
    month_case = (
        "CASE"
        + "".join(f" WHEN submitted_at < {{}} THEN {i}" for i in range(len(months) - 1))
        + f" ELSE {len(months) - 1} END"
    )
    month_bounds = [upper for _month, _lower, upper in months[:-1]]
    ages = []
    age_bounds: list[Any] = []
    for key_index, (_key, lower_days, upper_days) in enumerate(AGE_BANDS):
        # created_at <= now - lower and created_at > now - upper
        condition = "created_at <= {}"
        age_bounds.append(now - timedelta(days=lower_days))
        if upper_days is not None:
            condition += " AND created_at > {}"
            age_bounds.append(now - timedelta(days=upper_days))
        ages.append(f"SUM(CASE WHEN {condition} THEN 1 ELSE 0 END) AS a{key_index}")
    totals: dict[str, float] = {}
    failed: dict[str, int] = {}

    def add(row: Any) -> None:
        for key, value in dict(row).items():
            totals[key] = totals.get(key, 0) + float(value or 0)

    closed = ", ".join("{}" for _ in CLOSED_WORK)
    for chunk in _chunks(site_ids):
        marks = ", ".join("{}" for _ in chunk)
        rows = await db.raw(due_sql.format(marks=marks), *chunk, start, end)
        add(rows[0])
        submitted_sql = (
            f"SELECT {month_case} AS month, count(*) AS submitted, count(score) AS scored,"  # noqa: S608 - placeholders only
            " SUM(score) AS score_sum FROM inspection"
            f" WHERE site IN ({marks}) AND submitted_at >= {{}} AND submitted_at < {{}}"
            " GROUP BY 1"
        )
        for row in await db.raw(submitted_sql, *month_bounds, *chunk, start, end):
            index = int(row["month"])
            totals["submitted"] = totals.get("submitted", 0) + int(row["submitted"])
            totals["scored"] = totals.get("scored", 0) + int(row["scored"])
            totals["score_sum"] = totals.get("score_sum", 0) + float(row["score_sum"] or 0)
            totals[f"m{index}_n"] = totals.get(f"m{index}_n", 0) + int(row["scored"])
            totals[f"m{index}_sum"] = totals.get(f"m{index}_sum", 0) + float(row["score_sum"] or 0)
        of_open = f" FROM inspection_finding WHERE status = 'open' AND site IN ({marks})"
        rows = await db.raw("SELECT " + ", ".join(ages) + of_open, *age_bounds, *chunk)
        add(rows[0])
        of_late_work = (
            " FROM inspection_finding f JOIN work_order w ON w.id = f.work_order"
            f" WHERE f.site IN ({marks}) AND w.status NOT IN ({closed})"
            " AND w.due_at IS NOT NULL AND w.due_at < {}"
        )
        rows = await db.raw("SELECT count(*) AS overdue" + of_late_work, *chunk, *CLOSED_WORK, now)
        add(rows[0])
        raised = (
            f" FROM inspection_finding WHERE site IN ({marks})"
            " AND created_at >= {} AND created_at < {} GROUP BY item_label"
        )
        for row in await db.raw("SELECT item_label, count(*) AS n" + raised, *chunk, start, end):
            failed[row["item_label"]] = failed.get(row["item_label"], 0) + int(row["n"])
    due, on_time = int(totals.get("due", 0)), int(totals.get("on_time", 0))
    scored = int(totals.get("scored", 0))
    by_month: list[tuple[str, float | None, int]] = []
    for index, (month, _lower, _upper) in enumerate(months):
        n = int(totals.get(f"m{index}_n", 0))
        mean = round(totals.get(f"m{index}_sum", 0) / n, 1) if n else None
        by_month.append((month, mean, n))
    top = sorted(failed.items(), key=lambda kv: (-kv[1], kv[0]))[:5]
    return InspectionFigures(
        due=due,
        done_on_time=on_time,
        on_time_rate=round(100 * on_time / due, 1) if due else None,
        submitted=int(totals.get("submitted", 0)),
        average_score=round(totals.get("score_sum", 0) / scored, 1) if scored else None,
        score_by_month=by_month,
        top_failed=top,
        open_by_age=[
            (key, int(totals.get(f"a{i}", 0))) for i, (key, _l, _u) in enumerate(AGE_BANDS)
        ],
        overdue_work_orders=int(totals.get("overdue", 0)),
    )


async def build_report(
    principal: Principal,
    *,
    period_from: date,
    period_to: date,
    site_id: int | None = None,
    region_id: int | None = None,
) -> ReportRead:
    check_period(period_from, period_to)
    site_ids, label = await report_sites(principal, site_id=site_id, region_id=region_id)
    return ReportRead(
        scope_label=label,
        site_ids=site_ids,
        period_from=period_from,
        period_to=period_to,
        generated_at=clock.now(),
        incidents=await incident_figures(site_ids, period_from, period_to),
        certificates=await certificate_figures(principal, site_ids),
        training=await training_figures(site_ids),
        inspections=await inspection_figures(site_ids, period_from, period_to),
    )


def default_period() -> tuple[date, date]:
    """The last twelve months up to today (reader's time zone)."""
    today = clock.now().astimezone(reader_zone()).date()
    start = (today.replace(day=1) - timedelta(days=334)).replace(day=1)
    return start, today

# ruff: noqa: S608 - SQL from fixed fragments; the site condition holds integer ids only
"""Safety's populations for reporting's KPIs (reads only): one row per counted record with
``id``, ``site``, its contribution ``num`` and ``den`` and extra columns for the list
behind the figure. Reporting adds the rows up per site (``SUM(num)``, ``SUM(den)``) and
lists the same rows, so the figure and its drill-down never disagree.

Each function takes the period ``[start, end)``, ``until`` (the end of the period as far as
known: ``min(end, now)``) and ``sites``, a condition suffix ``" AND {col} IN (…)"`` (or
``""``) with ``{col}`` standing for the site column; it returns ``(ctes, select, args)``
with ``{}`` placeholders for the arguments, in order. Definitions: ``docs/kpis.md``.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from facilities.kit.rows import dict_rows

Population = tuple[str, str, tuple[Any, ...]]
# The time an inspection is planned with (the calendar's figure; templates carry no
# estimate): capacity planning and the agenda use it.
INSPECTION_MINUTES = 30


async def planned_inspections(start: datetime, end: datetime, sites: str) -> list[dict[str, Any]]:
    """Inspections due or in progress with their due time in ``[start, end)``, with their
    assigned partner and person (capacity planning)."""
    return await dict_rows(
        "SELECT i.due_at, i.assignee_partner AS partner, i.assignee_user AS person"
        " FROM inspection i WHERE i.status IN ('due', 'in_progress')"
        " AND i.due_at >= {} AND i.due_at < {}" + sites.replace("{col}", "i.site"),
        start,
        end,
    )


def inspection_completion(
    start: datetime, end: datetime, until: datetime, sites: str
) -> Population:
    """Inspections due in the period whose due time has passed (or that were submitted):
    ``num`` 1 when submitted by the due time."""
    select = (
        "SELECT i.id, i.site, CASE WHEN i.submitted_at IS NOT NULL AND i.submitted_at <= i.due_at"
        " THEN 1 ELSE 0 END AS num, 1 AS den, i.score AS score, i.id AS parent"
        " FROM inspection i WHERE i.due_at >= {} AND i.due_at < {}"
        " AND (i.due_at < {} OR i.submitted_at IS NOT NULL)" + sites.replace("{col}", "i.site")
    )
    return "", select, (start, end, until)


def inspection_score(start: datetime, end: datetime, until: datetime, sites: str) -> Population:
    """Inspections submitted in the period with a score: ``num`` = the score (percent)."""
    select = (
        "SELECT i.id, i.site, i.score AS num, 1 AS den, i.id AS parent FROM inspection i"
        " WHERE i.submitted_at >= {} AND i.submitted_at < {} AND i.score IS NOT NULL"
        + sites.replace("{col}", "i.site")
    )
    return "", select, (start, end)


def open_findings(
    start: datetime, end: datetime, until: datetime, sites: str, age: str
) -> Population:
    """Findings open at ``until`` (raised before it, not closed by then). ``age`` is the SQL
    of the finding's age in days at ``until`` (engine-specific, from reporting)."""
    select = (
        f"SELECT f.id, f.site, 1 AS num, 0 AS den, {age} AS age,"
        " CASE WHEN f.critical THEN 1 ELSE 0 END AS critical, f.inspection AS parent"
        " FROM inspection_finding f WHERE f.created_at < {}"
        " AND (f.status = 'open' OR f.closed_at >= {})" + sites.replace("{col}", "f.site")
    )
    return "", select, (until, until)


def incidents(
    start: datetime, end: datetime, until: datetime, sites: str, kind: str = "incident"
) -> Population:
    """Incidents (or near misses) that occurred in the period; confidential ones are counted
    (their title is never listed: ``confidential`` 1)."""
    select = (
        "SELECT x.id, x.site, 1 AS num, 0 AS den, COALESCE(x.days_off, 0) AS days_off,"
        " CASE WHEN x.confidential THEN 1 ELSE 0 END AS confidential, x.id AS parent"
        " FROM safety_incident x WHERE x.kind = {} AND x.occurred_at >= {}"
        " AND x.occurred_at < {}" + sites.replace("{col}", "x.site")
    )
    return "", select, (kind, start, end)


# The title of each kind of record in the drill-down (``r`` is the population's row).
TITLES = {
    "inspection": (
        "SELECT t.name FROM inspection x JOIN inspection_template_version v"
        " ON v.id = x.template_version JOIN inspection_template t ON t.id = v.template"
        " WHERE x.id = r.id"
    ),
    "finding": "SELECT x.item_label FROM inspection_finding x WHERE x.id = r.id",
    "incident": (
        "SELECT CASE WHEN x.confidential THEN '' ELSE x.title END FROM safety_incident x"
        " WHERE x.id = r.id"
    ),
}

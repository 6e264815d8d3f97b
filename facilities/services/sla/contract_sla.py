"""A contract's SLA attainment: the outcomes of the work its provider did at its sites.

For a contract C (provider P, sites S, term [c_start, c_end]) and a period [start, end]
(whole UTC days, both included, cut to the term):

* attainment per target = met / measured over ``sla_outcome`` rows of P at a site of S
  achieved in the period — whatever policy applied (C's own, else the default);
* outages = monitoring work orders of a site uplink (``occurrence_key`` ``uplink:<site>``)
  given to P at a site of S and opened in the period, with when they started and ended
  (completion) and whether the resolution target was met. This is how **an ISP's outages
  count against its contract**: device monitoring opens one order per site outage for the
  ISP (``services.isp``), recovery completes it, and the SLA listener settles its targets.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta

from facilities import db
from facilities.accounts.principal import Principal
from facilities.kit import clock
from facilities.kit.errors import RuleViolation
from facilities.kit.i18n import _
from facilities.kit.rows import aware, aware_or_none
from facilities.services import queries as contract_queries
from facilities.services.sla.schemas import ContractOutage, ContractSla, ContractTarget

TARGETS = ("response", "attendance", "resolution")


def _marks(values: list[int]) -> str:
    return ", ".join("{}" for _ in values)


async def contract_sla(
    principal: Principal, contract_id: int, start: date | None, end: date | None
) -> ContractSla:
    contract = await contract_queries.get_contract(principal, contract_id)
    end = end or min(contract.end_date, clock.now().date())
    start = start or max(contract.start_date, end - timedelta(days=89))
    if end < start:
        raise RuleViolation("end", _("The end must not be before the start."))
    start, end = max(start, contract.start_date), min(end, contract.end_date)
    lower = datetime.combine(start, time(), tzinfo=UTC)
    upper = datetime.combine(end + timedelta(days=1), time(), tzinfo=UTC)
    sites = contract.site_ids or [0]
    rows = await db.raw(
        "SELECT target, count(*) AS n, sum(CASE WHEN met THEN 1 ELSE 0 END) AS met"  # noqa: S608 - placeholders only
        f" FROM sla_outcome WHERE partner_organisation = {{}} AND site IN ({_marks(sites)})"
        " AND achieved_at >= {} AND achieved_at < {} GROUP BY target",
        contract.provider_id,
        *sites,
        lower,
        upper,
    )
    found = {str(r["target"]): (int(r["n"]), int(r["met"] or 0)) for r in rows}
    targets = [
        ContractTarget(
            target=t,
            measured=found.get(t, (0, 0))[0],
            met=found.get(t, (0, 0))[1],
            rate=round(found[t][1] / found[t][0], 4) if found.get(t, (0, 0))[0] else None,
        )
        for t in TARGETS
    ]
    outages = await db.raw(
        "SELECT w.id, w.site, s.name AS site_name, s.time_zone, w.status, w.created_at,"  # noqa: S608 - placeholders only
        " (SELECT max(e.created_at) FROM work_order_event e WHERE e.work_order = w.id"
        "  AND e.action = 'complete') AS ended_at,"
        " (SELECT o.met FROM sla_outcome o WHERE o.work_order = w.id"
        "  AND o.target = 'resolution') AS met"
        " FROM work_order w JOIN site s ON s.id = w.site"
        f" WHERE w.origin = 'monitoring' AND w.occurrence_key LIKE 'uplink:%'"
        f" AND w.partner_organisation = {{}} AND w.site IN ({_marks(sites)})"
        " AND w.created_at >= {} AND w.created_at < {} ORDER BY w.created_at, w.id",
        contract.provider_id,
        *sites,
        lower,
        upper,
    )
    return ContractSla(
        contract_id=contract_id,
        contract_name=contract.name,
        provider_name=contract.provider_name,
        start=start,
        end=end,
        targets=targets,
        outages=[
            ContractOutage(
                work_order_id=int(o["id"]),
                site_id=int(o["site"]),
                site_name=str(o["site_name"]),
                time_zone=str(o["time_zone"]),
                status=str(o["status"]),
                started_at=aware(o["created_at"]),
                ended_at=aware_or_none(o["ended_at"]),
                resolution_met=None if o["met"] is None else bool(o["met"]),
            )
            for o in outages
        ],
    )

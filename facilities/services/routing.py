"""Routing: which partner gets new work at a site for a trade (``hooks.set_router``).

The candidates are the contracts that are not draft, whose sites include the site, whose
covered trades (``enums.covered_trades``: the type's implied trades plus the listed ones)
include the trade, and whose start..end dates include today **in the site's time zone**
(so an ended contract stops routing at local midnight even before the daily status job).
Ties go to the most specific contract: fewest sites covered, then fewest trades covered,
then the latest start date, then the newest contract (highest id). No trade → no routing
(the order goes to triage), and so does no match.
"""

from __future__ import annotations

from typing import Any
from zoneinfo import ZoneInfo

from facilities import db
from facilities.kit import clock
from facilities.kit.rows import json_list, to_date
from facilities.services.enums import ContractStatus, covered_trades


async def candidates(site_id: int, trade: str) -> list[dict[str, Any]]:
    """Matching contracts, best first."""
    site = await db.raw("SELECT time_zone FROM site WHERE id = {}", site_id)
    if not site:
        return []
    local_today = clock.now().astimezone(ZoneInfo(str(dict(site[0])["time_zone"]))).date()
    rows = [
        dict(r)
        for r in await db.raw(
            "SELECT c.id, c.provider, c.contract_type, c.trades, c.start_date, c.end_date,"
            " (SELECT count(*) FROM service_contract_site s2 WHERE s2.contract = c.id) AS n_sites"
            " FROM service_contract c JOIN service_contract_site s ON s.contract = c.id"
            " JOIN partner_organisation p ON p.id = c.provider"
            " WHERE s.site = {} AND c.status <> {} AND p.active = {}",
            site_id,
            ContractStatus.draft.value,
            True,
        )
    ]
    found = []
    for row in rows:
        if not to_date(row["start_date"]) <= local_today <= to_date(row["end_date"]):
            continue
        trades = covered_trades(row["contract_type"], json_list(row["trades"]))
        if trade not in trades:
            continue
        row["n_trades"] = len(trades)
        found.append(row)
    found.sort(
        key=lambda r: (
            int(r["n_sites"]),
            int(r["n_trades"]),
            -to_date(r["start_date"]).toordinal(),
            -int(r["id"]),
        )
    )
    return found


async def route(site_id: int, trade: str | None) -> int | None:
    if not trade:
        return None
    found = await candidates(site_id, str(trade))
    return int(found[0]["provider"]) if found else None

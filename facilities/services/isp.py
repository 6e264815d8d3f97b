"""Who provides a site's internet service: the partner of the best matching active
``isp_connectivity`` contract (same candidates and order as ``routing``). Maintenance asks
through ``device_work.set_isp_finder`` (registered in ``facilities.wiring``)."""

from __future__ import annotations

from facilities.accounts.enums import Trade
from facilities.services.enums import ContractType
from facilities.services.routing import candidates


async def isp_partner(site_id: int) -> int | None:
    for row in await candidates(site_id, Trade.it_network.value):
        if row["contract_type"] == ContractType.isp_connectivity.value:
            return int(row["provider"])
    return None

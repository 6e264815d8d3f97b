"""Who gets the work monitored devices open (``device_work.set_partner_finder``, registered
in ``facilities.wiring``), from the same candidates and order as ``routing``:

* an internet outage of a site → the partner of its best active ``isp_connectivity`` contract;
* one device down → the best contract for the trade that is **not** an ISP contract (the
  installation and maintenance partner; the ISP implies ``it_network`` too, and would
  otherwise win the tie-break as the newer contract).
"""

from __future__ import annotations

from facilities.accounts.enums import Trade
from facilities.services.enums import ContractType
from facilities.services.routing import candidates


async def monitoring_partner(site_id: int, trade: str | None, internet: bool) -> int | None:
    wanted = Trade.it_network.value if internet else trade
    if not wanted:
        return None
    for row in await candidates(site_id, wanted):
        if (row["contract_type"] == ContractType.isp_connectivity.value) == internet:
            return int(row["provider"])
    return None

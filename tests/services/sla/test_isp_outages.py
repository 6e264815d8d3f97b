"""ISP outages count against the ISP contract's SLA: device monitoring opens one order per
site uplink outage for the ISP, recovery completes it, the SLA listener settles its targets,
and the contract's SLA view counts them (``/api/v1/contracts/{id}/sla``)."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from facilities import db
from facilities.kit import clock
from facilities.maintenance.workorders.schemas import Priority
from facilities.services.sla import actions as sla_actions
from facilities.services.sla.enums import SlaCalendar
from facilities.services.sla.schemas import PolicyCreate
from tests import builders
from tests.monitoring_builders import T0, event, field_site, minutes, send


async def _contract(provider_id: int) -> int:
    rows = await db.raw("SELECT id FROM service_contract WHERE provider = {}", provider_id)
    return int(rows[0]["id"])


async def test_uplink_outages_are_the_isp_contracts_sla_outcomes(make_client: Any) -> None:
    with clock.pinned(T0):
        f = await field_site(2)
        isp = await _contract(f.isp_org_id)
        await sla_actions.create_policy(
            actor=await builders.system(),
            data=PolicyCreate(
                priority=Priority.p1,
                contract_id=isp,
                response_minutes=60,
                resolution_minutes=240,
                calendar=SlaCalendar.always,
            ),
        )
        # outage 1: two hours (within the four-hour resolution target)
        await send(f, event("ap-1", "down", uplink=True))
        clock.advance(minutes(120))
        await send(f, event("ap-1", "up"))
        # outage 2, the next day: six hours (missed)
        clock.advance(timedelta(days=1))
        await send(f, event("ap-2", "down", uplink=True))
        clock.advance(minutes(360))
        await send(f, event("ap-2", "up"))

        ops = await builders.api(make_client, f.ops)
        answer = await ops.get(f"/api/v1/contracts/{isp}/sla?start=2026-11-01&end=2026-11-30")
        assert answer.status_code == 200, answer.text
        sla = answer.json()
        resolution = next(t for t in sla["targets"] if t["target"] == "resolution")
        assert (resolution["measured"], resolution["met"], resolution["rate"]) == (2, 1, 0.5)
        outages = sla["outages"]
        assert [o["resolution_met"] for o in outages] == [True, False]
        assert [o["status"] for o in outages] == ["verified", "verified"]
        assert outages[0]["started_at"].startswith("2026-11-02T08:00")
        assert outages[0]["ended_at"].startswith("2026-11-02T10:00")

        # the Wi-Fi maintenance partner's contract is not charged with the ISP's outages
        wifi = await _contract(f.partner_org_id)
        other = (await ops.get(f"/api/v1/contracts/{wifi}/sla")).json()
        assert other["outages"] == [] and all(t["measured"] == 0 for t in other["targets"])
        page = await ops.get(f"/contracts/{isp}/sla?start=2026-11-01&end=2026-11-30")
        assert page.status_code == 200 and "Resolution missed" in page.text
        # a start after the end names the field
        bad = await ops.get(f"/api/v1/contracts/{isp}/sla?start=2026-11-30&end=2026-11-01")
        assert bad.status_code == 422 and bad.json()["fields"][0]["field"] == "end"

"""SLA test steps: a world with every level of people, policies, contracts, outbox reads."""

from __future__ import annotations

import itertools
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any

import msgspec

from facilities import db
from facilities.accounts.enums import Role
from facilities.accounts.schemas import UserRead
from facilities.services.sla import actions
from facilities.services.sla.schemas import PolicyCreate, PolicyRead
from facilities.services.tables import ServiceContract, ServiceContractSite
from tests import builders
from tests import workorders_builders as wb

# Monday 23 Nov 2026, 09:00 in Berlin (08:00 UTC).
T0 = datetime(2026, 11, 23, 8, 0, tzinfo=UTC)
OFFICE = {d: [["08:00", "18:00"]] for d in ("mon", "tue", "wed", "thu", "fri")}
_seq = itertools.count(1)


@dataclass
class SlaWorld:
    w: wb.World
    ops: UserRead
    region_id: int


async def world() -> SlaWorld:
    w = await wb.world(opening_hours=OFFICE)
    ops = await builders.user(Role.ops_manager)
    region_id = w.site.region_id
    await builders.assign(ops, regions=[region_id])
    return SlaWorld(w=w, ops=ops, region_id=region_id)


async def policy(**values: Any) -> PolicyRead:
    data = msgspec.convert({"priority": "p1", **values}, PolicyCreate)
    return await actions.create_policy(actor=await builders.system(), data=data)


async def contract(provider_id: int, site_ids: list[int], **values: Any) -> int:
    row = ServiceContract(
        provider=provider_id,
        name=values.pop("name", f"Contract {next(_seq)}"),
        contract_type="maintenance",
        start_date=date(2026, 1, 1),
        end_date=date(2027, 12, 31),
        status="active",
        **values,
    )
    await row.save()
    for site_id in site_ids:
        await ServiceContractSite.insert(ServiceContractSite(contract=row.id, site=site_id))
    return int(row.id)


async def sla_mails(event: str | None = None) -> list[dict[str, Any]]:
    rows = await db.raw(
        'SELECT event, recipient, "user", dedupe_key FROM outbox_message'
        " WHERE event LIKE 'sla_%' AND kind = 'email' ORDER BY id"
    )
    return [dict(r) for r in rows if event is None or r["event"] == event]


async def escalations(order_id: int) -> list[tuple[str, int, str, int]]:
    rows = await db.raw(
        "SELECT target, level, state, recipients FROM sla_escalation WHERE work_order = {}"
        " ORDER BY level, target",
        order_id,
    )
    return [(r["target"], r["level"], r["state"], r["recipients"]) for r in rows]


async def outcomes(order_id: int) -> dict[str, dict[str, Any]]:
    rows = await db.raw("SELECT * FROM sla_outcome WHERE work_order = {}", order_id)
    return {r["target"]: dict(r) for r in rows}

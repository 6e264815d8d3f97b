"""Shared steps: a world with a partner and a CM, and outbox inspection."""

from __future__ import annotations

from typing import Any

from facilities import db
from facilities.accounts.enums import Role
from facilities.notifications.delivery import PassResult, deliver_due
from tests import builders
from tests import workorders_builders as wb


async def outbox_rows(**where: Any) -> list[dict[str, Any]]:
    clauses = " AND ".join(f"{k} = {{}}" for k in where) or "1 = 1"
    return await db.raw(
        f"SELECT * FROM outbox_message WHERE {clauses} ORDER BY id", *where.values()
    )


async def assigned_order(partners: int = 2) -> tuple[wb.World, int, list[str]]:
    """A work order assigned to a partner organisation with ``partners`` users."""
    world = await wb.world()
    emails = [world.partner.email]
    for _ in range(partners - 1):
        extra = await builders.user(Role.partner, partner_id=world.partner_org_id)
        emails.append(extra.email)
    order = await wb.work_order(world.site.id, partner_organisation_id=world.partner_org_id)
    return world, order.id, emails


async def deliver() -> PassResult:
    return await deliver_due()

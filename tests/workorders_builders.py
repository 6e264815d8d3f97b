"""Builders for work orders, through the real actions (rules, events and audit included)."""

from __future__ import annotations

import itertools
from dataclasses import dataclass
from typing import Any

import msgspec

from facilities.accounts.enums import Role
from facilities.accounts.principal import Principal
from facilities.accounts.schemas import UserRead
from facilities.maintenance.workorders import actions, queries
from facilities.maintenance.workorders.schemas import (
    TransitionRequest,
    WorkOrderCreate,
    WorkOrderRead,
)
from facilities.sites.schemas import SiteRead
from tests import builders
from tests import maintenance_builders as mb

_seq = itertools.count(1)


@dataclass
class World:
    """A site with a community manager and an asset; two partner organisations with a user
    each (``partner`` gets the work, ``stranger`` works for another organisation)."""

    site: SiteRead
    other_site: SiteRead
    cm: UserRead
    partner: UserRead
    partner_org_id: int
    stranger: UserRead
    stranger_org_id: int
    asset_id: int


async def world(**site_values: Any) -> World:
    region = await builders.region()
    values = {
        "address": "Langer Anger 7",
        "postal_code": "69115",
        "city": "Heidelberg",
        "access_notes": "Key safe left of the door, code 4711",
        **site_values,
    }
    site = await builders.site(region.id, **values)
    other_site = await builders.site(region.id)
    cm = await builders.user(Role.community_manager)
    await builders.assign(cm, sites=[site.id])
    org = await builders.partner_org()
    partner = await builders.user(Role.partner, partner_id=org.id)
    other_org = await builders.partner_org()
    stranger = await builders.user(Role.partner, partner_id=other_org.id)
    asset_id = await mb.asset(site.id, "Coffee machine Jura X8")
    return World(
        site=site,
        other_site=other_site,
        cm=cm,
        partner=partner,
        partner_org_id=org.id,
        stranger=stranger,
        stranger_org_id=other_org.id,
        asset_id=asset_id,
    )


async def work_order(
    site_id: int, *, actor: Principal | None = None, **values: Any
) -> WorkOrderRead:
    data = msgspec.convert(
        {"title": f"Descale the machine {next(_seq)}", "site_id": site_id, **values},
        WorkOrderCreate,
    )
    return await actions.create_work_order(actor=actor or await builders.system(), data=data)


async def step(order_id: int, user: UserRead, action: str, **values: Any) -> WorkOrderRead:
    """One lifecycle step at the order's current version."""
    current = await queries.work_order_by_id(order_id)
    data = msgspec.convert(
        {"action": action, "version": current.version, **values}, TransitionRequest
    )
    return await actions.transition(
        actor=builders.principal(user), work_order_id=order_id, data=data
    )

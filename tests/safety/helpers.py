"""Builders for inspection tests (through the real actions and the API)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

import httpx
import msgspec

from facilities.accounts.enums import Role
from facilities.accounts.schemas import UserRead
from facilities.safety.inspections import actions
from facilities.safety.inspections.schemas import ProgrammeCreate, TemplateRead
from facilities.sites.schemas import SiteRead
from tests import assets_builders as ab
from tests import builders

INSPECTIONS = "/api/v1/safety/inspections"


@dataclass
class World:
    site: SiteRead
    other_site: SiteRead
    region_id: int
    category_id: int
    asset_id: int
    other_asset_id: int
    cm: UserRead
    other_cm: UserRead
    ops: UserRead
    partner: UserRead
    partner_org_id: int


async def world() -> World:
    region = await builders.region()
    site = await builders.site(region.id)
    other_site = await builders.site(region.id)
    category = await ab.category("Fire extinguishers")
    asset = await ab.asset(site.id, "Extinguisher F-01", category_id=category.id)
    other = await ab.asset(other_site.id, "Extinguisher F-99", category_id=category.id)
    cm = await builders.user(Role.community_manager)
    await builders.assign(cm, sites=[site.id])
    other_cm = await builders.user(Role.community_manager)
    await builders.assign(other_cm, sites=[other_site.id])
    ops = await builders.user(Role.ops_manager)
    await builders.assign(ops, regions=[region.id])
    org = await builders.partner_org()
    partner = await builders.user(Role.partner, partner_id=org.id)
    return World(
        site, other_site, region.id, category.id, asset.id, other.id, cm, other_cm, ops,
        partner, org.id,
    )  # fmt: skip


async def starter(key: str = "fire_extinguisher_monthly", language: str = "en") -> TemplateRead:
    return await actions.copy_starter(actor=await builders.system(), key=key, language=language)


async def programme(template_id: int, **values: Any) -> int:
    data = msgspec.convert(
        {
            "name": "Monthly check",
            "template_id": template_id,
            "scope": "site",
            "rrule": "FREQ=MONTHLY;BYMONTHDAY=1",
            "dtstart_local": "2026-01-01T09:00:00",
            "lead_days": 7,
            **values,
        },
        ProgrammeCreate,
    )
    created = await actions.create_programme(actor=await builders.system(), data=data)
    return created.id


async def generate(now: datetime) -> int:
    return (await actions.generate_due(now)).created


async def answer(api: httpx.AsyncClient, inspection_id: int, key: str, value: Any, **more: Any):
    return await api.put(
        f"{INSPECTIONS}/{inspection_id}/items/{key}", json={"value": value, **more}
    )


class Place:
    def __init__(self, region: Any, site: Any) -> None:
        self.region = region
        self.site = site


async def place(**site_values: Any) -> Place:
    region = await builders.region()
    return Place(region, await builders.site(region.id, **site_values))


async def person(
    make_client: Any, role: Role, place_: Place, **values: Any
) -> tuple[UserRead, httpx.AsyncClient]:
    u = await builders.user(role, **values)
    if role in (Role.ops_manager,):
        await builders.assign(u, regions=[place_.region.id])
    elif role in (Role.community_manager, Role.viewer):
        await builders.assign(u, sites=[place_.site.id])
    return u, await builders.api(make_client, u)


def incident_body(site_id: int, **values: Any) -> dict[str, Any]:
    return {
        "kind": "incident",
        "site_id": site_id,
        "occurred_at": "2026-06-15T08:30:00Z",
        "title": "Slipped on wet floor",
        "severity": "medium",
        **values,
    }


def field_of(response: httpx.Response) -> str:
    body = response.json()
    assert body["fields"], body
    return str(body["fields"][0]["field"])

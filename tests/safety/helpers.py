"""Builders shared by the safety tests (through the real actions and the API)."""

from __future__ import annotations

from typing import Any

import httpx

from facilities.accounts.enums import Role
from facilities.accounts.schemas import UserRead
from tests import builders


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

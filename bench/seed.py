"""Seed a migrated database with demo data plus field sites, and an admin API token.

Run by ``bench.run`` as ``python -m bench.seed`` with ``FACILITIES_DATABASE_URL`` set (the
engine is chosen from the environment at import). Goes through the real actions, so the
rows are exactly what the product writes. Prints one JSON line: the token and a site id.
"""

from __future__ import annotations

import asyncio
import json
import sys
from typing import Any

from facilities import db
from facilities.accounts import actions as account_actions
from facilities.accounts.enums import Role
from facilities.accounts.principal import Principal
from facilities.accounts.schemas import ApiTokenCreate
from facilities.accounts.tables import User
from facilities.demo import load_demo
from facilities.sites import actions as site_actions
from facilities.sites.enums import SiteKind
from facilities.sites.schemas import SiteCreate
from facilities.sites.tables import Region, Site

ADMIN_EMAIL = "admin@demo.facilities"
TOTAL_SITES = 250  # the first customer: ~50 coworking spaces and ~200 field sites
TOWNS = (
    "Mannheim",
    "Heidelberg",
    "Ludwigshafen",
    "Weinheim",
    "Speyer",
    "Schwetzingen",
    "Viernheim",
    "Frankenthal",
    "Neustadt",
    "Wiesloch",
)


async def _admin() -> Principal:
    row = await User.select(User.id, User.name).where(User.email == ADMIN_EMAIL).first()
    assert row is not None, "demo data has no admin"
    return Principal(
        user_id=row["id"],
        email=ADMIN_EMAIL,
        name=row["name"],
        role=Role.admin,
        locale="en",
        partner_organisation_id=None,
        via="session",
        credential_id=0,
    )


async def seed() -> dict[str, object]:
    await load_demo()  # idempotent; `facilities demo` has normally run already
    admin = await _admin()
    region = await Region.select(Region.id).where(Region.name == "Rhein-Neckar").first()
    assert region is not None
    count = await Site.count()
    for number in range(count + 1, TOTAL_SITES + 1):
        town = TOWNS[number % len(TOWNS)]
        coworking = number % 5 == 0
        data: dict[str, Any] = {
            "region_id": region["id"],
            "code": f"BX-{number:04d}",
            "name": f"{'Coworking' if coworking else 'Access point'} {town} {number:03d}",
            "kind": SiteKind.coworking if coworking else SiteKind.field,
            "city": town,
            "postal_code": f"68{number:03d}",
            "address": f"Hauptstraße {number}",
            "latitude": 49.3 + (number % 37) / 100,
            "longitude": 8.4 + (number % 29) / 100,
            "holiday_country": "DE",
            "holiday_subdivision": "BW",
            "access_notes": "Key safe at the side entrance; call the community manager.",
        }
        if coworking:
            data |= {
                "floor_area_m2": 250.0 + number,
                "desks": 20 + number % 60,
                "opening_hours": {
                    d: [["08:00", "19:00"]] for d in ("mon", "tue", "wed", "thu", "fri")
                },
            }
        await site_actions.create_site(actor=admin, data=SiteCreate(**data))
    token = await account_actions.create_api_token(
        actor=admin, data=ApiTokenCreate(name="benchmark")
    )
    first = await Site.select(Site.id).where(Site.code == "MA-QU").first()
    assert first is not None
    site_ids = [r["id"] for r in await Site.select(Site.id).order_by(Site.id)]
    return {
        "token": token.secret,
        "site_id": first["id"],
        "site_ids": site_ids,
        "sites": len(site_ids),
    }


async def _main() -> dict[str, object]:
    async with db.database_open():
        return await seed()


if __name__ == "__main__":
    result = asyncio.run(_main())
    sys.stdout.write(json.dumps(result) + "\n")

"""Seed a migrated database with demo data plus field sites, and an admin API token.

Run by ``bench.run`` as ``python -m bench.seed`` with ``FACILITIES_DATABASE_URL`` set (the
engine is chosen from the environment at import). Goes through the real actions, so the
rows are exactly what the product writes. Prints one JSON line: the token and a site id.

Also (issues 3 and 4): a coworking site with 240 labelled coffee machines (the label sheet;
public reports allowed), an open problem report on the first one (the scan page shows it),
and a partner organisation with a partner user, their API token and 50 work orders
assigned to it (the partner's work-order list).
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
from facilities.accounts.schemas import ApiTokenCreate, PartnerOrganisationCreate, UserCreate
from facilities.accounts.tables import User
from facilities.assets import actions as asset_actions
from facilities.assets.schemas import AssetCreate, CategoryCreate
from facilities.assets.tables import QrCode
from facilities.demo import load_demo
from facilities.maintenance.enums import ProblemCategory, ReportSource
from facilities.maintenance.reports import actions as report_actions
from facilities.maintenance.reports.schemas import ProblemReportCreate
from facilities.maintenance.workorders import actions as workorder_actions
from facilities.maintenance.workorders.schemas import Priority, WorkOrderCreate
from facilities.sites import actions as site_actions
from facilities.sites.enums import SiteKind
from facilities.sites.schemas import SiteCreate
from facilities.sites.tables import Region, Site

ADMIN_EMAIL = "admin@demo.facilities"
TOTAL_SITES = 250  # the first customer: ~50 coworking spaces and ~200 field sites
LABELLED_ASSETS = 240  # ten A4 sheets of 3 × 8 labels
PARTNER_ORDERS = 50  # one full page of the partner's work-order list
BURST_CODES = 20  # the report burst spreads over these labels (the per-code limit is 30/h)
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


def _as_principal(user_id: int, email: str, name: str, role: Role, org: int | None) -> Principal:
    return Principal(
        user_id=user_id,
        email=email,
        name=name,
        role=role,
        locale="en",
        partner_organisation_id=org,
        via="session",
        credential_id=0,
    )


async def seed_maintenance(admin: Principal, region_id: int) -> dict[str, object]:
    """The label site, the scanned asset with an open report, the partner and its orders."""
    site = await site_actions.create_site(
        actor=admin,
        data=SiteCreate(
            region_id=region_id,
            code="BX-LABELS",
            name="Coworking Label Street",
            kind=SiteKind.coworking,
            city="Mannheim",
            allow_anonymous_reports=True,
        ),
    )
    category = await asset_actions.create_category(
        actor=admin, data=CategoryCreate(name="Bench coffee machine", icon="coffee")
    )
    asset_ids = []
    for number in range(1, LABELLED_ASSETS + 1):
        created = await asset_actions.create_asset(
            actor=admin,
            data=AssetCreate(
                site_id=site.id,
                name=f"Coffee machine floor {number % 6} no. {number:03d}",
                category_id=category.id,
                manufacturer="Jura",
                model="GIGA X8",
                serial_number=f"BX-JURA-{number:05d}",
            ),
        )
        asset_ids.append(created.id)
    rows = await QrCode.select(QrCode.code, QrCode.asset).where(
        QrCode.asset.is_in(asset_ids) & (QrCode.status == "active")
    )
    code_of = {r["asset"]: r["code"] for r in rows}
    await report_actions.create_report(
        actor=None,
        data=ProblemReportCreate(
            description="The milk frother spits hot milk\nsince this morning",
            category=ProblemCategory.other,
            asset_id=asset_ids[0],
        ),
        source=ReportSource.scan,
        scoped=False,
    )

    org = await account_actions.create_partner_organisation(
        actor=admin, data=PartnerOrganisationCreate(name="Bench Kaffeeservice GmbH")
    )
    partner = await account_actions.create_user(
        actor=None,
        data=UserCreate(
            email="partner@bench.facilities",
            name="Paula Partner",
            role=Role.partner,
            password="bench partner password 42",
            partner_organisation_id=org.id,
        ),
    )
    partner_token = await account_actions.create_api_token(
        actor=_as_principal(partner.id, partner.email, partner.name, Role.partner, org.id),
        data=ApiTokenCreate(name="benchmark partner"),
    )
    priorities = list(Priority)
    for number in range(PARTNER_ORDERS):
        await workorder_actions.create_work_order(
            actor=admin,
            data=WorkOrderCreate(
                title=f"Descale coffee machine no. {number + 1:03d}",
                site_id=site.id,
                asset_id=asset_ids[number],
                description="Monthly descaling; the water filter too.",
                priority=priorities[number % len(priorities)],
                partner_organisation_id=org.id,
                estimated_minutes=30,
            ),
        )
    return {
        "label_site_id": site.id,
        "scan_code": code_of[asset_ids[0]],
        "burst_codes": [code_of[a] for a in asset_ids[1 : BURST_CODES + 1]],
        "labelled_assets": len(asset_ids),
        "label_codes": [code_of[a] for a in asset_ids],
        "partner_token": partner_token.secret,
        "partner_orders": PARTNER_ORDERS,
    }


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
    maintenance = await seed_maintenance(admin, region["id"])
    return {
        **maintenance,
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

"""Demo data for inspections (``facilities demo``): German copies of a few starter
templates, fire extinguishers at the community manager's sites with a monthly programme
across them (by asset category), a monthly coworking walk per site of the region, and the
inspections now due. Idempotent: nothing is added once a template exists. Everything goes
through the real actions."""

from __future__ import annotations

from datetime import datetime

from facilities.accounts.enums import Trade
from facilities.accounts.principal import Principal
from facilities.assets import actions as asset_actions
from facilities.assets.schemas import AssetCreate, CategoryCreate
from facilities.safety.inspections import actions, queries
from facilities.safety.inspections.schemas import ProgrammeCreate, ProgrammeScope


async def load_inspections(system: Principal, *, site_ids: list[int], region_id: int) -> None:
    if await queries.list_templates(system):
        return
    extinguisher = await actions.copy_starter(
        actor=system, key="fire_extinguisher_monthly", language="de"
    )
    walk = await actions.copy_starter(actor=system, key="coworking_walk", language="de")
    for key in ("emergency_lighting_monthly", "escape_routes_fire_doors", "first_aid_kit"):
        await actions.copy_starter(actor=system, key=key, language="de")
    category = await asset_actions.create_category(
        actor=system,
        data=CategoryCreate(name="Feuerlöscher", icon="box", trade=Trade.fire_safety),
    )
    for site_id in site_ids:
        for number in (1, 2):
            await asset_actions.create_asset(
                actor=system,
                data=AssetCreate(
                    site_id=site_id,
                    name=f"Feuerlöscher F-{number:02d}",
                    category_id=category.id,
                    manufacturer="Gloria",
                    model="PD 6 GA",
                ),
            )
    await actions.create_programme(
        actor=system,
        data=ProgrammeCreate(
            name="Feuerlöscher monatlich",
            template_id=extinguisher.id,
            scope=ProgrammeScope.category,
            category_id=category.id,
            region_id=region_id,
            rrule="FREQ=MONTHLY;BYMONTHDAY=1",
            dtstart_local=datetime(2026, 1, 1, 9, 0),
            lead_days=31,
            assignee_role="community_manager",
        ),
    )
    await actions.create_programme(
        actor=system,
        data=ProgrammeCreate(
            name="Arbeitsplatzbegehung",
            template_id=walk.id,
            scope=ProgrammeScope.region,
            region_id=region_id,
            rrule="FREQ=MONTHLY;BYDAY=1MO",
            dtstart_local=datetime(2026, 1, 5, 10, 0),
            lead_days=31,
            assignee_role="community_manager",
        ),
    )
    await actions.generate_due()

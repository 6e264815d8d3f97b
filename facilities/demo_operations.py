"""Demo operations on top of the demo network: assets with QR labels, problem reports, work
orders in several states, a maintenance programme, service contracts with a visit plan.

Everything goes through the real actions (rules, routing, audit trail, notifications). Run
once: if the first demo category exists, the operations are already there.
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import msgspec

from facilities.accounts.enums import Trade
from facilities.accounts.principal import Principal
from facilities.assets import actions as asset_actions
from facilities.assets.enums import Criticality
from facilities.assets.schemas import AssetCreate, CategoryCreate
from facilities.assets.tables import AssetCategory
from facilities.demo_texts import say
from facilities.kit import clock
from facilities.maintenance.enums import ProblemCategory, ReportSource, Urgency
from facilities.maintenance.pm import actions as pm_actions
from facilities.maintenance.pm.schemas import ScheduleCreate
from facilities.maintenance.reports import actions as report_actions
from facilities.maintenance.reports.schemas import ProblemReportCreate
from facilities.maintenance.workorders import actions as order_actions
from facilities.maintenance.workorders.schemas import Priority, TransitionRequest, WorkOrderCreate
from facilities.services import actions as service_actions
from facilities.services import visits
from facilities.services.enums import ContractStatus, ContractType, PriceModel
from facilities.services.schemas import ContractCreate, VisitPlanCreate
from facilities.sustainability import actions as sustainability_actions
from facilities.sustainability.schemas import AssetReadingCreate

# name, icon, trade
CATEGORIES = [
    ("Coffee machines", "coffee", Trade.plumbing),
    ("HVAC units", "fan", Trade.hvac),
    ("Network equipment", "wifi", Trade.it_network),
    ("Fire safety equipment", "flame", Trade.fire_safety),
]
# category, name, manufacturer, model, criticality
COWORKING_ASSETS = [
    ("Coffee machines", "Coffee machine, kitchen", "Jura", "GIGA X8", Criticality.medium),
    ("HVAC units", "Air conditioning, meeting room", "Daikin", "FTXM35R", Criticality.high),
    ("Network equipment", "Wi-Fi access point, open space", "Ubiquiti", "U6-Pro", Criticality.high),
    (
        "Fire safety equipment",
        "Fire extinguisher, entrance",
        "Gloria",
        "PD6GA",
        Criticality.critical,
    ),
]


async def _categories(system: Principal) -> dict[str, int]:
    ids: dict[str, int] = {}
    for name, icon, trade in CATEGORIES:
        category = await asset_actions.create_category(
            actor=system, data=CategoryCreate(name=say(name), icon=icon, trade=trade)
        )
        ids[name] = category.id
    return ids


async def _assets(system: Principal, site_ids: list[int], categories: dict[str, int]) -> list[int]:
    asset_ids: list[int] = []
    for number, site_id in enumerate(site_ids, start=1):
        for category, name, maker, model, criticality in COWORKING_ASSETS:
            asset = await asset_actions.create_asset(
                actor=system,
                data=AssetCreate(
                    site_id=site_id,
                    name=say(name),
                    category_id=categories[category],
                    manufacturer=maker,
                    model=model,
                    serial_number=f"{model}-{number:03d}-{len(asset_ids):04d}",
                    install_date=date(2024, 3, 1),
                    warranty_end=date(2027, 2, 28),
                    criticality=criticality,
                ),
            )
            asset_ids.append(asset.id)
    return asset_ids


async def load_operations(
    system: Principal,
    *,
    coworking_site_ids: list[int],
    region_id: int,
    partner_ids: list[int],
    community_manager: Principal,
) -> bool:
    """Add the demo operations; False if they were there already."""
    if await AssetCategory.exists().where(AssetCategory.name == say(CATEGORIES[0][0])):
        return False
    today = clock.now().date()
    categories = await _categories(system)
    asset_ids = await _assets(system, coworking_site_ids, categories)
    electrician, hvac, cleaner = partner_ids

    # Contracts first: new work is routed to whoever is contracted for the site and trade.
    maintenance = await service_actions.create_contract(
        actor=system,
        data=ContractCreate(
            provider_id=hvac,
            name=say("Building services Rhine-Neckar"),
            contract_type=ContractType.maintenance,
            trades=[Trade.hvac, Trade.plumbing],
            start_date=date(today.year, 1, 1),
            end_date=date(today.year + 1, 12, 31),
            site_ids=coworking_site_ids,
            notice_days=90,
            auto_renew=True,
            price=Decimal("1450.00"),
            budget_per_year=Decimal("24000.00"),
            scope=say(
                "Heating, ventilation, air conditioning and kitchen plumbing; 4 h on-site "
                "response for P1."
            ),
            status=ContractStatus.active,
            confirm_overlap=True,
        ),
    )
    cleaning = await service_actions.create_contract(
        actor=system,
        data=ContractCreate(
            provider_id=cleaner,
            name=say("Cleaning Rhine-Neckar coworking"),
            contract_type=ContractType.cleaning,
            start_date=date(today.year, 1, 1),
            end_date=date(today.year, 12, 31) + timedelta(days=60),
            site_ids=coworking_site_ids,
            notice_days=60,
            price_model=PriceModel.per_visit,
            price=Decimal("85.00"),
            budget_per_year=Decimal("18000.00"),
            status=ContractStatus.active,
            confirm_overlap=True,
        ),
    )
    await service_actions.create_plan(
        actor=system,
        contract_id=cleaning.id,
        data=VisitPlanCreate(
            name=say("Cleaning round Monday and Thursday"),
            rrule="FREQ=WEEKLY;BYDAY=MO,TH",
            dtstart_local=datetime(today.year, 1, 5, 6, 0),
            window_minutes=120,
            lead_days=14,
        ),
    )
    del maintenance

    # A quarterly maintenance programme for every HVAC unit of the region.
    await pm_actions.create_schedule(
        actor=system,
        data=msgspec.convert(
            {
                "name": say("HVAC filter service"),
                "description": say("Clean or replace filters, check condensate drain."),
                "category_id": categories["HVAC units"],
                "region_id": region_id,
                "rrule": "FREQ=MONTHLY;INTERVAL=3;BYMONTHDAY=10",
                "dtstart_local": f"{today.year}-01-10T09:00:00",
                "lead_days": 14,
                "partner_organisation_id": hvac,
                "priority": "p3",
                "estimated_minutes": 45,
            },
            ScheduleCreate,
        ),
    )

    # The meeting-room air conditioning's operating hours (its meter of the one meter model,
    # read weekly through the reading action) and a filter change every 500 hours on them.
    await _operating_hours(system, asset_ids[1], hvac)

    # A member's report in the triage queue, and one that became routed work.
    coffee, aircon, access_point = asset_ids[0], asset_ids[1], asset_ids[2]
    await report_actions.create_report(
        actor=None,
        data=ProblemReportCreate(
            description=say("The coffee machine shows 'descale' and stops after one cup."),
            asset_id=coffee,
            category=ProblemCategory.broken,
            reporter_name="Mia Member",
        ),
        source=ReportSource.scan,
        scoped=False,
    )
    leak = await report_actions.create_report(
        actor=None,
        data=ProblemReportCreate(
            description=say("Water is dripping from the air conditioning onto the table."),
            asset_id=aircon,
            category=ProblemCategory.leak,
            urgency=Urgency.high,
        ),
        source=ReportSource.scan,
        scoped=False,
    )
    await report_actions.accept_report(actor=community_manager, report_id=leak.report.id)

    # Work by hand: an electrician's job in progress, and one waiting for triage.
    wired = await order_actions.create_work_order(
        actor=system,
        data=WorkOrderCreate(
            title=say("Replace the flickering lights in meeting room 1"),
            site_id=coworking_site_ids[0],
            description=say("Two LED panels flicker; members complain about headaches."),
            partner_organisation_id=electrician,
            priority=Priority.p2,
            trade=Trade.electrical,
        ),
    )
    await order_actions.transition(
        actor=system,
        work_order_id=wired.id,
        data=TransitionRequest(action="accept", version=wired.version),
    )
    await order_actions.create_work_order(
        actor=system,
        data=WorkOrderCreate(
            title=say("Access point reboots every few hours"),
            site_id=coworking_site_ids[0],
            asset_id=access_point,
            priority=Priority.p3,
            due_at=_at(today - timedelta(days=1), 12),  # overdue: the home pages show it first
        ),
    )
    await _week_of_work(system, today, coworking_site_ids, categories, electrician)
    await visits.generate_visits()  # the service visits of the coming two weeks
    return True


async def _operating_hours(system: Principal, asset_id: int, partner_id: int) -> None:
    now = clock.now()
    for weeks_ago in range(12, -1, -1):
        await sustainability_actions.record_asset_reading(
            actor=system,
            asset_id=asset_id,
            data=AssetReadingCreate(
                value=3200 + 42.5 * (12 - weeks_ago),
                read_at=now - timedelta(weeks=weeks_ago, hours=1),
            ),
        )
    await pm_actions.create_schedule(
        actor=system,
        data=msgspec.convert(
            {
                "name": say("Filter change by operating hours"),
                "description": say("Replace the filter mats every 500 operating hours."),
                "asset_id": asset_id,
                "mode": "meter",
                "meter_every": 500,
                "lead_days": 0,
                "partner_organisation_id": partner_id,
                "priority": "p3",
                "estimated_minutes": 30,
            },
            ScheduleCreate,
        ),
    )


def _at(day: date, hour: int) -> datetime:
    return datetime.combine(day, time(hour), ZoneInfo("Europe/Berlin"))


async def _week_of_work(
    system: Principal,
    today: date,
    site_ids: list[int],
    categories: dict[str, int],
    electrician: int,
) -> None:
    """Work due over the coming days and a weekly check, so homes and the calendar show a
    normal week."""
    jobs = [
        ("Descale the coffee machine", site_ids[0], Priority.p2, Trade.plumbing, 0, 15, None),
        (
            "Emergency light in the stairwell is off",
            site_ids[1],
            Priority.p2,
            Trade.electrical,
            1,
            10,
            electrician,
        ),
        ("Door closer of the entrance slams", site_ids[2], Priority.p3, Trade.general, 2, 14, None),
        (
            "Socket in phone booth 2 has no power",
            site_ids[0],
            Priority.p3,
            Trade.electrical,
            3,
            9,
            electrician,
        ),
        (
            "Replace the whiteboard markers holder",
            site_ids[1],
            Priority.p4,
            Trade.general,
            8,
            11,
            None,
        ),
    ]
    for title, site_id, priority, trade, days, hour, partner in jobs:
        await order_actions.create_work_order(
            actor=system,
            data=WorkOrderCreate(
                title=say(title),
                site_id=site_id,
                priority=priority,
                trade=trade,
                due_at=_at(today + timedelta(days=days), hour),
                partner_organisation_id=partner,
            ),
        )
    await pm_actions.create_schedule(
        actor=system,
        data=msgspec.convert(
            {
                "name": say("Fire extinguisher visual check"),
                "description": say("Seal intact, pressure gauge in the green, sign visible."),
                "category_id": categories["Fire safety equipment"],
                "site_ids": site_ids,
                "rrule": "FREQ=WEEKLY;BYDAY=WE",
                "dtstart_local": f"{today.year}-01-07T08:30:00",
                "lead_days": 3,
                "priority": "p3",
                "estimated_minutes": 10,
            },
            ScheduleCreate,
        ),
    )

"""Demo data: a Rhine-Neckar network of coworking and field sites, and a user per role.

Idempotent: running it again adds only what is missing. Goes through the actions, so the
rules and the audit trail apply as for any other write.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

from facilities.accounts import actions as account_actions
from facilities.accounts.enums import Locale, Role, Trade
from facilities.accounts.principal import Principal
from facilities.accounts.schemas import (
    PartnerOrganisationCreate,
    PartnerOrganisationUpdate,
    UserCreate,
)
from facilities.accounts.tables import PartnerOrganisation, User
from facilities.assets.monitoring.demo import load_monitoring
from facilities.demo_operations import load_operations
from facilities.demo_texts import say
from facilities.kit import clock
from facilities.maintenance.rollouts.demo import load_rollout
from facilities.reporting.demo import load_budgets
from facilities.safety.demo import load_safety
from facilities.safety.inspections.demo import load_inspections
from facilities.services import actions as service_actions
from facilities.services.enums import ContractStatus, ContractType
from facilities.services.schemas import ContractCreate
from facilities.services.sla.defaults import seed_default_policies
from facilities.sites import actions as site_actions
from facilities.sites.enums import SiteKind, SpaceKind
from facilities.sites.schemas import AccessUpdate, RegionCreate, SiteCreate, SpaceCreate
from facilities.sites.tables import Region, Site, Space
from facilities.sustainability.demo import load_sustainability

DEMO_PASSWORD = "facilities-demo"  # noqa: S105 - published demo credential

WEEKDAY_HOURS = {d: [["07:30", "20:00"]] for d in ("mon", "tue", "wed", "thu", "fri")}
COWORKING_HOURS = {**WEEKDAY_HOURS, "sat": [["09:00", "14:00"]], "sun": []}

# (code, name, city, postal code, address, lat, lon, m², desks, holiday subdivision)
COWORKING = [
    ("MA-QU", "Mannheim Quadrate", "Mannheim", "68161", "Q7 24", 49.4851, 8.4701, 820, 64, "BW"),
    (
        "MA-JB",
        "Mannheim Jungbusch",
        "Mannheim",
        "68159",
        "Jungbuschstraße 18",
        49.4921,
        8.4583,
        540,
        42,
        "BW",
    ),
    (
        "MA-NE",
        "Mannheim Neckarstadt",
        "Mannheim",
        "68169",
        "Mittelstraße 51",
        49.4997,
        8.4765,
        390,
        30,
        "BW",
    ),
    (
        "HD-BS",
        "Heidelberg Bahnstadt",
        "Heidelberg",
        "69115",
        "Czernyring 22",
        49.4035,
        8.6690,
        760,
        58,
        "BW",
    ),
    (
        "HD-AS",
        "Heidelberg Altstadt",
        "Heidelberg",
        "69117",
        "Hauptstraße 120",
        49.4120,
        8.7080,
        300,
        24,
        "BW",
    ),
    (
        "LU-MI",
        "Ludwigshafen Mitte",
        "Ludwigshafen",
        "67059",
        "Ludwigstraße 6",
        49.4774,
        8.4452,
        480,
        36,
        "RP",
    ),
    (
        "WH-ZE",
        "Weinheim Zentrum",
        "Weinheim",
        "69469",
        "Hauptstraße 47",
        49.5500,
        8.6667,
        260,
        20,
        "BW",
    ),
    (
        "SP-DO",
        "Speyer Domplatz",
        "Speyer",
        "67346",
        "Maximilianstraße 12",
        49.3170,
        8.4410,
        280,
        22,
        "RP",
    ),
]
FIELD_TOWNS = [
    ("Schwetzingen", "BW", 49.3833, 8.5667),
    ("Hockenheim", "BW", 49.3222, 8.5472),
    ("Walldorf", "BW", 49.3064, 8.6428),
    ("Wiesloch", "BW", 49.2942, 8.6986),
    ("Leimen", "BW", 49.3481, 8.6911),
    ("Eppelheim", "BW", 49.4019, 8.6306),
    ("Ladenburg", "BW", 49.4722, 8.6083),
    ("Schriesheim", "BW", 49.4736, 8.6592),
    ("Viernheim", "HE", 49.5403, 8.5786),
    ("Lampertheim", "HE", 49.5975, 8.4714),
    ("Frankenthal", "RP", 49.5333, 8.3500),
    ("Schifferstadt", "RP", 49.3853, 8.3747),
    ("Neustadt", "RP", 49.3500, 8.1333),
    ("Bad Dürkheim", "RP", 49.4594, 8.1681),
    ("Hemsbach", "BW", 49.5903, 8.6561),
    ("Edingen", "BW", 49.4500, 8.6000),
    ("Brühl", "BW", 49.4000, 8.5333),
    ("Sandhausen", "BW", 49.3431, 8.6594),
    ("Neckargemünd", "BW", 49.3936, 8.7975),
    ("Altrip", "RP", 49.4333, 8.5000),
]
RHEIN_MAIN = [
    (
        "F-BH",
        "Frankfurt Bahnhofsviertel",
        "Frankfurt am Main",
        "60329",
        "Kaiserstraße 60",
        50.1075,
        8.6669,
        900,
        70,
        "HE",
    ),
    (
        "DA-ZE",
        "Darmstadt Zentrum",
        "Darmstadt",
        "64283",
        "Luisenplatz 4",
        49.8728,
        8.6512,
        420,
        32,
        "HE",
    ),
]
# name, contact e-mail, trades (service area: the Rhine-Neckar region)
PARTNERS = [
    ("Elektro Kurpfalz GmbH", "service@elektro-kurpfalz.example", [Trade.electrical]),
    (
        "Rhein-Neckar Kältetechnik",
        "dispo@rn-kaelte.example",
        [Trade.hvac, Trade.plumbing, Trade.general],
    ),
    ("Sauber & Co. Gebäudeservice", "auftrag@sauber-co.example", [Trade.cleaning]),
]


async def _region(system: Principal, name: str) -> int:
    row = await Region.select(Region.id).where(Region.name == name).first()
    if row:
        return int(row["id"])
    return (await site_actions.create_region(actor=system, data=RegionCreate(name=name))).id


async def _site(system: Principal, region_id: int, **values: Any) -> int:
    row = await Site.select(Site.id).where(Site.code == values["code"]).first()
    if row:
        return int(row["id"])
    site = await site_actions.create_site(
        actor=system, data=SiteCreate(region_id=region_id, **values)
    )
    return site.id


async def _spaces(system: Principal, site_id: int) -> None:
    if await Space.exists().where(Space.site == site_id):
        return
    ground = await site_actions.create_space(
        actor=system,
        site_id=site_id,
        data=SpaceCreate(name=say("Ground floor"), kind=SpaceKind.floor),
    )
    first = await site_actions.create_space(
        actor=system, site_id=site_id, data=SpaceCreate(name=say("1st floor"), kind=SpaceKind.floor)
    )
    for name, parent in (
        (say("Reception"), ground.id),
        (say("Kitchen"), ground.id),
        (say("Open space"), first.id),
        (say("Meeting room Neckar"), first.id),
        (say("Server cabinet"), ground.id),
    ):
        await site_actions.create_space(
            actor=system,
            site_id=site_id,
            data=SpaceCreate(name=name, kind=SpaceKind.room, parent_id=parent),
        )


async def _user(
    email: str, name: str, role: Role, partner_id: int | None = None, locale: str = "en"
) -> int:
    row = await User.select(User.id).where(User.email == email).first()
    if row:
        return int(row["id"])
    user = await account_actions.create_user(
        actor=None,
        data=UserCreate(
            email=email,
            name=name,
            role=role,
            password=DEMO_PASSWORD,
            partner_organisation_id=partner_id,
            locale=Locale(locale),
        ),
    )
    return user.id


FIELD_PARTNERS = [
    ("Funknetz Service GmbH", "noc@funknetz.example", ContractType.maintenance),
    ("Stadtnetz Kurpfalz", "stoerung@stadtnetz.example", ContractType.isp_connectivity),
]


async def _field_contracts(system: Principal, field_site_ids: list[int]) -> None:
    """A Wi-Fi maintenance contract and an ISP contract for the field sites (once)."""
    today = clock.now().date()
    for name, email, kind in FIELD_PARTNERS:
        if await PartnerOrganisation.exists().where(PartnerOrganisation.name == name):
            continue
        partner = await account_actions.create_partner_organisation(
            actor=system,
            data=PartnerOrganisationCreate(name=name, email=email, trades=[Trade.it_network]),
        )
        await service_actions.create_contract(
            actor=system,
            data=ContractCreate(
                provider_id=partner.id,
                name=say("Wi-Fi maintenance, field sites")
                if kind is ContractType.maintenance
                else say("Internet access, field sites"),
                contract_type=kind,
                trades=[Trade.it_network] if kind is ContractType.maintenance else [],
                start_date=date(today.year, 1, 1),
                end_date=date(today.year + 1, 12, 31),
                site_ids=field_site_ids,
                status=ContractStatus.active,
                confirm_overlap=True,
            ),
        )


async def load_demo() -> list[tuple[str, str]]:
    """Create what is missing; returns (role, e-mail) of the demo logins."""
    admin_id = await _user("admin@demo.facilities", "Alex Admin", Role.admin)
    system = Principal(
        user_id=admin_id,
        email="admin@demo.facilities",
        name="Alex Admin",  # the demo admin: the trail names a person in every language
        role=Role.admin,
        locale="en",
        partner_organisation_id=None,
        via="session",
        credential_id=0,
    )
    rhine_neckar = await _region(system, "Rhein-Neckar")
    rhein_main = await _region(system, "Rhein-Main")
    site_ids: dict[str, int] = {}
    for code, name, city, postal, address, lat, lon, area, desks, subdiv in COWORKING:
        site_ids[code] = await _site(
            system,
            rhine_neckar,
            code=code,
            name=name,
            kind=SiteKind.coworking,
            city=city,
            postal_code=postal,
            address=address,
            latitude=lat,
            longitude=lon,
            floor_area_m2=Decimal(area),
            desks=desks,
            opening_hours=COWORKING_HOURS,
            holiday_country="DE",
            holiday_subdivision=subdiv,
            access_notes=say("Key safe at the side entrance; code from the community manager."),
        )
        await _spaces(system, site_ids[code])
    for number, (town, subdiv, lat, lon) in enumerate(FIELD_TOWNS, start=1):
        code = f"AP-{number:03d}"
        site_ids[code] = await _site(
            system,
            rhine_neckar,
            code=code,
            name=say("Access point site %s") % town,
            kind=SiteKind.field,
            city=town,
            latitude=lat,
            longitude=lon,
            opening_hours={},
            holiday_country="DE",
            holiday_subdivision=subdiv,
            allow_anonymous_reports=False,
            access_notes=say("Cabinet key at the town hall caretaker; call ahead."),
        )
    for code, name, city, postal, address, lat, lon, area, desks, subdiv in RHEIN_MAIN:
        site_ids[code] = await _site(
            system,
            rhein_main,
            code=code,
            name=name,
            kind=SiteKind.coworking,
            city=city,
            postal_code=postal,
            address=address,
            latitude=lat,
            longitude=lon,
            floor_area_m2=Decimal(area),
            desks=desks,
            opening_hours=COWORKING_HOURS,
            holiday_country="DE",
            holiday_subdivision=subdiv,
        )
    partner_ids = []
    for name, email, trades in PARTNERS:
        row = (
            await PartnerOrganisation.select(PartnerOrganisation.id)
            .where(PartnerOrganisation.name == name)
            .first()
        )
        if row is None:
            partner_ids.append(
                (
                    await account_actions.create_partner_organisation(
                        actor=system,
                        data=PartnerOrganisationCreate(
                            name=name, email=email, trades=trades, region_ids=[rhine_neckar]
                        ),
                    )
                ).id
            )
        else:
            partner_ids.append(int(row["id"]))
    ops = await _user("ops@demo.facilities", "Olivia Ops", Role.ops_manager)
    cm = await _user(
        "cm.mannheim@demo.facilities", "Chris Community", Role.community_manager, locale="de"
    )
    await _user("partner@demo.facilities", "Paul Partner", Role.partner, partner_id=partner_ids[0])
    viewer = await _user("viewer@demo.facilities", "Vera Viewer", Role.viewer)
    await site_actions.set_access(
        actor=system, user_id=ops, data=AccessUpdate(region_ids=[rhine_neckar])
    )
    await site_actions.set_access(
        actor=system,
        user_id=cm,
        data=AccessUpdate(site_ids=[site_ids["MA-QU"], site_ids["MA-JB"], site_ids["MA-NE"]]),
    )
    await site_actions.set_access(
        actor=system, user_id=viewer, data=AccessUpdate(region_ids=[rhine_neckar])
    )
    await seed_default_policies(system)  # SLA defaults: P1 1 h/4 h/8 h 24/7, …
    cm_principal = Principal(
        user_id=cm,
        email="cm.mannheim@demo.facilities",
        name="Chris Community",
        role=Role.community_manager,
        locale="de",
        partner_organisation_id=None,
        via="session",
        credential_id=0,
    )
    await load_operations(
        system,
        coworking_site_ids=[site_ids[c[0]] for c in COWORKING][:3],
        region_id=rhine_neckar,
        partner_ids=partner_ids,
        community_manager=cm_principal,
    )
    # Emission factors (shipped defaults) and a year of meters at the first coworking site.
    await load_sustainability(system, site_ids[COWORKING[0][0]])
    # Incidents, certificates in every status and a training matrix at the first site.
    await load_safety(system, [site_ids[c[0]] for c in COWORKING][:1])
    # Four monitored access points at the first field site (one can be made to go silent),
    # a Wi-Fi maintenance partner and an internet provider under contract for the field sites.
    await _field_contracts(system, [v for k, v in site_ids.items() if k.startswith("AP-")])
    await load_monitoring(
        system,
        site_ids["AP-001"],
        category=say("Network equipment"),
        ap_name=say("Wi-Fi access point %d"),
    )
    # A Wi-Fi 7 roll-out across the other field sites, in every stage (the board at /rollouts),
    # mounted and cabled by the demo partner's electricians, so partner@ sees its board too
    # (a partner sees the sites whose installation order is its own).
    await load_rollout(
        system,
        [v for k, v in sorted(site_ids.items()) if k.startswith("AP-") and k != "AP-001"],
        name=say("Wi-Fi 7 upgrade"),
        category=say("Network equipment"),
        installer=PARTNERS[0][0],
    )
    # Inspection templates (German starter copies), fire extinguishers with a monthly
    # programme across the community manager's sites, a monthly walk per site.
    await load_inspections(
        system, site_ids=[site_ids["MA-QU"], site_ids["MA-JB"]], region_id=rhine_neckar
    )
    # This year's budgets for the first coworking sites and the region, and an invoice,
    # so the budget page and the quarterly report have something to show.
    await load_budgets(
        system,
        site_ids=[site_ids[c[0]] for c in COWORKING][:3],
        region_id=rhine_neckar,
        say=say,
    )
    # Weekly capacity of the partners (capacity planning): 2 to 5 working days a week.
    for number, partner_id in enumerate(partner_ids):
        await account_actions.update_partner_organisation(
            actor=system,
            partner_id=partner_id,
            data=PartnerOrganisationUpdate(weekly_capacity_minutes=(2 + number % 4) * 8 * 60),
        )
    return [
        ("admin", "admin@demo.facilities"),
        ("ops manager", "ops@demo.facilities"),
        ("community manager", "cm.mannheim@demo.facilities"),
        ("partner", "partner@demo.facilities"),
        ("viewer", "viewer@demo.facilities"),
    ]

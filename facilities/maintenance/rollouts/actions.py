"""Writes of roll-outs: create a roll-out (its checklist, one installation work order per
site through the work-order actions' bulk path), and register the installed device when an
installation order is completed.

``on_work_order_change`` hears every work-order change (``maintenance.hooks``, registered in
``facilities.wiring``), inside the change's transaction: when a roll-out's installation
order reaches ``completed`` (or ``verified``), the device named by the checklist (serial
number, device name in the controller) becomes an asset of the roll-out's category at that
site with its QR code (``assets.actions.create_asset``) and a monitored device
(``assets.monitoring.actions.set_monitor``). Maintenance writes no table of ``assets``
itself. A device that cannot be registered (serial or device name already taken) refuses
the completion with a 422 naming the checklist, so nothing is half done.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import msgspec

from facilities import db
from facilities.accounts import audit
from facilities.accounts.enums import Role, Trade
from facilities.accounts.principal import Principal
from facilities.assets import actions as asset_actions
from facilities.assets.monitoring import actions as monitoring_actions
from facilities.assets.monitoring.schemas import MonitorSettings
from facilities.assets.schemas import AssetCreate
from facilities.kit import clock
from facilities.kit.errors import Conflict, FacilitiesError, NotFound, RuleViolation
from facilities.kit.i18n import _, in_installation_language
from facilities.maintenance import hooks
from facilities.maintenance.checklists import actions as checklist_actions
from facilities.maintenance.checklists import queries as checklist_queries
from facilities.maintenance.checklists.schemas import ChecklistTemplateCreate, ItemKind, ItemSpec
from facilities.maintenance.pm.agenda import DEFAULT_MINUTES
from facilities.maintenance.rollouts import queries
from facilities.maintenance.rollouts.schemas import (
    RolloutCreate,
    RolloutRead,
    RolloutSiteCreate,
    RolloutSitesAdd,
)
from facilities.maintenance.workorders.creation import NewWorkOrder, create_work_orders
from facilities.maintenance.workorders.schemas import Origin, WorkOrderCreate, WorkOrderKind
from facilities.sites import scope
from facilities.sites.calendar import public_holidays
from facilities.sites.enums import WEEKDAYS

SYSTEM = Principal(
    user_id=None,
    email="rollouts@facilities.invalid",
    name="Roll-out",
    role=Role.admin,
    locale="en",
    partner_organisation_id=None,
    via="link",
    credential_id=0,
)

SERIAL_KEY = "serial_number"
DEVICE_KEY = "device_id"


def installation_items() -> list[ItemSpec]:
    """The installation checklist (in the current language; ``create_rollout`` makes it in
    the installation's, like every text the product writes by itself): survey, mounting, cabling,
    commissioning test, photos, and the facts the device is registered with."""
    check = ItemKind.pass_flag_fail
    return [
        ItemSpec(key="site_survey", kind=check, label=_("Site survey: mounting point, power")),
        ItemSpec(key="mounting", kind=check, label=_("Mounting")),
        ItemSpec(key="cabling", kind=check, label=_("Cabling")),
        ItemSpec(
            key="commissioning_test",
            kind=check,
            label=_("Commissioning test: the device is online and reporting"),
        ),
        ItemSpec(key="photos", kind=ItemKind.photo, label=_("Photo of the installation")),
        ItemSpec(
            key=SERIAL_KEY, kind=ItemKind.text, label=_("Serial number of the installed device")
        ),
        ItemSpec(
            key=DEVICE_KEY,
            kind=ItemKind.text,
            label=_("Device name in the controller (if not the serial number)"),
            required=False,
        ),
    ]


def due_at(
    day: date | None,
    time_zone: str,
    opening_hours: dict[str, list[list[str]]] | None = None,
    closed: bool = False,
) -> datetime | None:
    """When an installation order is due on its target day, in UTC.

    The calendar places an order without a planned start at its due time for
    ``agenda.DEFAULT_MINUTES`` and flags it "outside opening hours" when that does not fit
    (``pm.calendar_view.find_clashes``): so on a day the site opens, the order is due the
    default job length before the day's last closing time (an installer who starts then is
    done while someone can still let them in; earlier if the interval is shorter). A site
    without opening hours, a weekday it is closed on or a public holiday (``closed``) keep
    the end of the target day (23:59): nothing better is known, and the flag then says
    truthfully that nobody is there to open the door."""
    if day is None:
        return None
    zone = ZoneInfo(time_zone)
    intervals = [] if closed else (opening_hours or {}).get(WEEKDAYS[day.weekday()], [])
    if not intervals:
        return datetime.combine(day, time(23, 59), tzinfo=zone).astimezone(UTC)
    start, end = max(intervals, key=lambda interval: interval[1])
    closes = (
        datetime.combine(day, time(23, 59), tzinfo=zone)
        if end == "24:00"
        else datetime.combine(day, time.fromisoformat(end), tzinfo=zone)
    )
    opens = datetime.combine(day, time.fromisoformat(start), tzinfo=zone)
    return max(opens, closes - timedelta(minutes=DEFAULT_MINUTES)).astimezone(UTC)


def _opening_hours(site: dict[str, Any]) -> dict[str, list[list[str]]]:
    hours = site.get("opening_hours")
    if isinstance(hours, str):
        hours = msgspec.json.decode(hours)
    return dict(hours or {})


def _holiday(site: dict[str, Any], day: date) -> bool:
    country = str(site.get("holiday_country") or "")
    if not country:
        return False
    return day in public_holidays(country, str(site.get("holiday_subdivision") or ""), [day.year])


async def _check(
    actor: Principal, data: RolloutCreate
) -> tuple[str, dict[str, Any], list[tuple[Any, dict[str, Any]]]]:
    name = " ".join(data.name.split())
    if not name:
        raise RuleViolation("name", _("Give the roll-out a name."))
    if await db.raw("SELECT id FROM rollout WHERE name = {}", name):
        raise Conflict(_("A roll-out with this name already exists."), field="name")
    category = await db.raw(
        "SELECT id, name, trade FROM asset_category WHERE id = {}", data.category_id
    )
    if not category:
        raise RuleViolation("category_id", _("Unknown asset category."))
    if data.partner_organisation_id is not None and not await db.raw(
        "SELECT id FROM partner_organisation WHERE id = {} AND active = {}",
        data.partner_organisation_id,
        True,
    ):
        raise RuleViolation("partner_organisation_id", _("Unknown partner organisation."))
    if data.source_id is not None and not await db.raw(
        "SELECT id FROM device_source WHERE id = {} AND active = {}", data.source_id, True
    ):
        raise RuleViolation("source_id", _("Unknown source."))
    return name, dict(category[0]), await _check_sites(actor, data.sites)


async def _check_sites(
    actor: Principal, items: list[RolloutSiteCreate], taken: frozenset[int] = frozenset()
) -> list[tuple[Any, dict[str, Any]]]:
    """Each site once, known, in the caller's scope (else "Unknown site.", the same answer
    for a foreign one), not archived, and not already in the roll-out (``taken``: 409)."""
    seen: set[int] = set()
    sites = []
    for index, item in enumerate(items):
        field = f"sites[{index}].site_id"
        if item.site_id in seen:
            raise RuleViolation(field, _("This site is listed twice."))
        seen.add(item.site_id)
        rows = await db.raw(
            "SELECT id, name, time_zone, archived, opening_hours, holiday_country,"
            " holiday_subdivision FROM site WHERE id = {}",
            item.site_id,
        )
        if not rows or not await scope.can_see_site(actor, item.site_id):
            raise RuleViolation(field, _("Unknown site."))
        if item.site_id in taken:
            raise Conflict(_("This site is already in the roll-out."), field=field)
        if rows[0]["archived"]:
            raise RuleViolation(field, _("This site is archived."))
        sites.append((item, dict(rows[0])))
    return sites


async def create_rollout(*, actor: Principal, data: RolloutCreate) -> RolloutRead:
    """The roll-out, its installation checklist, and one installation order per site."""
    async with db.transaction():
        name, category, sites = await _check(actor, data)
        category_name = str(category["name"])
        with in_installation_language():  # stored words (kit.i18n)
            checklist = ChecklistTemplateCreate(
                name=(_("Installation: %(name)s") % {"name": name})[:200],
                items=installation_items(),
            )
        try:
            template = await checklist_actions.create_template(actor=actor, data=checklist)
        except Conflict:
            raise Conflict(
                _("A checklist named like this roll-out exists already: choose another name."),
                field="name",
            ) from None
        version_id = await checklist_queries.latest_version_id(template.id)
        now = clock.now()
        created = await db.raw(
            "INSERT INTO rollout (name, category, partner_organisation, source,"
            " checklist_version, notes, created_by, created_at, version)"
            " VALUES ({}, {}, {}, {}, {}, {}, {}, {}, 1) RETURNING id",
            name,
            data.category_id,
            data.partner_organisation_id,
            data.source_id,
            version_id,
            data.notes,
            actor.user_id,
            now,
        )
        rollout_id = int(created[0]["id"])
        made = await _install_orders(
            actor,
            _Facts(
                rollout_id=rollout_id,
                name=name,
                category_name=category_name,
                trade=category["trade"],
                partner_organisation_id=data.partner_organisation_id,
                checklist_version_id=version_id,
                notes=data.notes,
            ),
            sites,
            data.target_date,
        )
        await audit.record(
            actor=actor,
            action="rollout.create",
            object_type="rollout",
            object_id=rollout_id,
            summary=name,
            after={
                "category_id": data.category_id,
                "site_ids": [int(site["id"]) for _item, site in sites],
                "partner_organisation_id": data.partner_organisation_id,
                "source_id": data.source_id,
                "work_order_ids": [order.id for order in made],
            },
        )
        return await queries.get_rollout(actor, rollout_id)


@dataclass(frozen=True, slots=True)
class _Facts:
    """What every installation order of a roll-out shares."""

    rollout_id: int
    name: str
    category_name: str
    trade: str | None
    partner_organisation_id: int | None
    checklist_version_id: int | None
    notes: str


def _due(site: dict[str, Any], day: date | None) -> datetime | None:
    return due_at(
        day,
        site["time_zone"],
        _opening_hours(site),
        closed=day is not None and _holiday(site, day),
    )


async def _install_orders(
    actor: Principal,
    facts: _Facts,
    sites: list[tuple[Any, dict[str, Any]]],
    default_target: date | None,
) -> list[Any]:
    """One installation order per site through the work-order actions' bulk path, and the
    roll-out's row for each site (the title in the installation's language, kit.i18n)."""
    with in_installation_language():
        title = _("Install %(what)s (%(rollout)s)") % {
            "what": facts.category_name,
            "rollout": facts.name,
        }
    orders = [
        NewWorkOrder(
            data=WorkOrderCreate(
                title=title[:200],
                site_id=int(site["id"]),
                kind=WorkOrderKind.installation,
                description=facts.notes,
                due_at=_due(site, item.target_date or default_target),
                partner_organisation_id=facts.partner_organisation_id,
                trade=Trade(facts.trade) if facts.trade else None,
            ),
            origin=Origin.rollout,
            occurrence_key=f"rollout:{facts.rollout_id}:{site['id']}",
            checklist_version_id=facts.checklist_version_id,
            note=facts.name,
            audit_extra={"rollout_id": facts.rollout_id},
        )
        for item, site in sites
    ]
    made = await create_work_orders(actor=actor, orders=orders)
    now = clock.now()
    await db.executemany(
        "INSERT INTO rollout_site (rollout, site, target_date, work_order, created_at)"
        " VALUES ({}, {}, {}, {}, {})",
        [
            (facts.rollout_id, int(site["id"]), item.target_date or default_target, order.id, now)
            for (item, site), order in zip(sites, made, strict=True)
        ],
    )
    return list(made)


async def add_sites(*, actor: Principal, rollout_id: int, data: RolloutSitesAdd) -> RolloutRead:
    """More sites for an existing roll-out: one installation order each, with the roll-out's
    checklist, installer and notes. A roll-out the caller does not see is a 404; a site
    foreign to the caller "Unknown site." (422), one already in the roll-out a 409, each
    naming ``sites[i].site_id``; nothing is written unless every site is fine."""
    async with db.transaction():
        await queries.get_rollout(actor, rollout_id)  # 404 for a foreign roll-out
        rows = await db.raw(
            "SELECT r.id, r.name, r.partner_organisation, r.checklist_version, r.notes,"
            " c.name AS category_name, c.trade FROM rollout r"
            " JOIN asset_category c ON c.id = r.category WHERE r.id = {}",
            rollout_id,
        )
        if not rows:
            raise NotFound()
        rollout = rows[0]
        taken = frozenset(
            int(r["site"])
            for r in await db.raw("SELECT site FROM rollout_site WHERE rollout = {}", rollout_id)
        )
        sites = await _check_sites(actor, data.sites, taken)
        made = await _install_orders(
            actor,
            _Facts(
                rollout_id=rollout_id,
                name=str(rollout["name"]),
                category_name=str(rollout["category_name"]),
                trade=rollout["trade"],
                partner_organisation_id=rollout["partner_organisation"],
                checklist_version_id=rollout["checklist_version"],
                notes=str(rollout["notes"] or ""),
            ),
            sites,
            data.target_date,
        )
        await db.raw("UPDATE rollout SET version = version + 1 WHERE id = {}", rollout_id)
        await audit.record(
            actor=actor,
            action="rollout.add_sites",
            object_type="rollout",
            object_id=rollout_id,
            summary=str(rollout["name"]),
            after={
                "site_ids": [int(site["id"]) for _item, site in sites],
                "work_order_ids": [order.id for order in made],
            },
        )
        return await queries.get_rollout(actor, rollout_id)


def _answers(items: list[dict[str, Any]]) -> dict[str, str]:
    return {
        str(item["key"]): " ".join(str(item["value_text"] or "").split())
        for item in items
        if item["answered_at"] is not None
    }


async def on_work_order_change(change: hooks.WorkOrderChange) -> None:
    """A completed installation order registers its device (see the module)."""
    if change.to_status not in ("completed", "verified"):
        return
    found = await queries.rollout_of_order(change.work_order_id)
    if found is None or found["asset"] is not None:
        return
    answers = _answers(await checklist_queries.item_rows(change.work_order_id))
    serial = answers.get(SERIAL_KEY, "")[:120]
    device = answers.get(DEVICE_KEY, "") or serial or f"rollout-{found['id']}"
    today = clock.now().astimezone(ZoneInfo(found["time_zone"])).date()
    with in_installation_language():
        notes = _("Installed by the roll-out %(name)s, work order #%(id)d") % {
            "name": found["name"],
            "id": change.work_order_id,
        }
    try:
        asset = await asset_actions.create_asset(
            actor=SYSTEM,
            data=AssetCreate(
                site_id=int(found["site"]),
                name=f"{found['category_name']} {found['site_code']}"[:200],
                category_id=int(found["category"]),
                serial_number=serial,
                install_date=today,
                notes=notes,
            ),
        )
        await monitoring_actions.set_monitor(
            actor=SYSTEM,
            asset_id=asset.id,
            data=MonitorSettings(external_id=device[:120], source_id=found["source"]),
        )
    except FacilitiesError as error:
        raise RuleViolation(
            "checklist",
            _("The installed device could not be registered: %(why)s") % {"why": error.message},
        ) from None
    await db.raw(
        "UPDATE rollout_site SET asset = {}, installed_at = {} WHERE id = {}",
        asset.id,
        clock.now(),
        found["id"],
    )
    await audit.record(
        actor=change.actor,
        action="rollout.install",
        object_type="rollout",
        object_id=found["rollout"],
        site_id=int(found["site"]),
        summary=f"{found['name']}: {asset.name}",
        after={"asset_id": asset.id, "work_order_id": change.work_order_id, "device": device},
    )

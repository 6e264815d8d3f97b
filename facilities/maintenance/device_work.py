"""Work by itself: what maintenance does when device monitoring says a device went down,
sent another down, or came back (``assets.monitoring.hooks``, registered in
``facilities.wiring``). Runs inside the monitor's transition transaction.

* **down** → one corrective work order for the device, through the one write path
  (``creation.create_work_orders``; trade from the asset's category, partner from the
  contract router). When the event says the site's uplink is down, or at least two and at
  least half of the site's monitored devices are down, one order for the site's internet
  service instead (``it_network``, given to the site's ISP — ``services`` answers through
  the partner finder below).
* **repeat** (down again while down) → attaches a line to the open order.
* **up** → the order notes the recovery and moves as the device's settings say:
  ``complete`` (started, completed and verified by "Device monitoring") or ``verify``
  (completed, waiting for a person to verify). An order nobody was assigned to yet is
  cancelled as "recovered by itself" in ``complete`` mode. A site order moves when the last
  of its devices is back.

**One open order per device and per site uplink, by a unique key**: the order's
``occurrence_key`` is ``device:<asset id>`` or ``uplink:<site id>``, and a partial unique
index (``work_order_monitoring_open``) allows one open monitoring order per key. On
PostgreSQL a transaction-level advisory lock per site serialises the check-then-create;
SQLite's single writer does the same.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from facilities import db
from facilities.accounts.enums import Role, Trade
from facilities.accounts.principal import Principal
from facilities.assets.monitoring.hooks import DeviceChange
from facilities.kit import timefmt
from facilities.kit.errors import FacilitiesError
from facilities.kit.i18n import _, in_installation_language
from facilities.maintenance.lifecycle import OPEN_STATES
from facilities.maintenance.lifecycle import WorkOrderStatus as S
from facilities.maintenance.workorders import actions as wo_actions
from facilities.maintenance.workorders import queries as wo_queries
from facilities.maintenance.workorders.creation import (
    EventRow,
    NewWorkOrder,
    create_work_orders,
    record_events,
)
from facilities.maintenance.workorders.schemas import (
    Origin,
    Priority,
    TransitionRequest,
    WorkOrderCreate,
)
from facilities.sites import queries as site_queries

SYSTEM = Principal(
    user_id=None,
    email="monitoring@facilities.invalid",
    name="Device monitoring",
    role=Role.admin,
    locale="en",
    partner_organisation_id=None,
    via="link",
    credential_id=0,
)

# (site id, trade, internet outage?) → the partner organisation, or None (to triage)
PartnerFinder = Callable[[int, str | None, bool], Awaitable[int | None]]
_finder: list[PartnerFinder] = []


def set_partner_finder(finder: PartnerFinder | None) -> None:
    """Who gets monitoring work: the site's ISP for internet outages, the contracted
    maintenance partner for one device (``services.isp.monitoring_partner``)."""
    _finder.clear()
    if finder is not None:
        _finder.append(finder)


def partner_finder() -> PartnerFinder | None:
    return _finder[0] if _finder else None


async def _partner(site_id: int, trade: str | None, internet: bool) -> int | None:
    finder = partner_finder()
    return await finder(site_id, trade, internet) if finder is not None else None


def device_key(asset_id: int) -> str:
    return f"device:{asset_id}"


def uplink_key(site_id: int) -> str:
    return f"uplink:{site_id}"


def site_wide(change: DeviceChange) -> bool:
    return change.uplink or (
        change.site_down >= 2 and 2 * change.site_down >= change.site_monitored
    )


async def open_order(key: str) -> dict[str, object] | None:
    marks = ", ".join("{}" for _ in OPEN_STATES)
    rows = await db.raw(
        "SELECT id, status, version FROM work_order WHERE origin = {} AND occurrence_key = {}"  # noqa: S608 - placeholders only
        f" AND status IN ({marks}) ORDER BY id LIMIT 1",
        Origin.monitoring.value,
        key,
        *sorted(s.value for s in OPEN_STATES),
    )
    return dict(rows[0]) if rows else None


async def _when(change: DeviceChange) -> str:
    """The moment in the site's time zone and the reader's format (the note stays in the
    work order's history: it said "2026-12-07 12:58 UTC" to a community manager in Berlin)."""
    zone = (await site_queries.time_zones([change.site_id])).get(change.site_id)
    return timefmt.format_datetime(change.at, zone or "UTC")


async def _note(order_id: int, note: str) -> None:
    await record_events([EventRow(order_id, "device", SYSTEM, note=note[:1000])])


async def on_device_change(change: DeviceChange) -> None:
    """The orders' titles, descriptions and notes are in the installation's language
    (``kit.i18n.in_installation_language``), never the event sender's."""
    await db.lock_keys(uplink_key(change.site_id))
    with in_installation_language():
        if change.change == "up":
            await _recovered(change)
        else:
            await _down(change)


async def _down(change: DeviceChange) -> None:
    line = _("%(device)s down since %(at)s") % {
        "device": change.asset_name,
        "at": await _when(change),
    }
    site_order = await open_order(uplink_key(change.site_id))
    if site_order is not None:
        await _note(int(site_order["id"]), line)  # type: ignore[call-overload]
        return
    if site_wide(change):
        partner = await _partner(change.site_id, Trade.it_network.value, True)
        title = (
            _("Internet uplink down")
            if change.uplink
            else _("Internet outage: %(n)d of %(m)d devices down")
            % {"n": change.site_down, "m": change.site_monitored}
        )
        await create_work_orders(
            actor=None,
            orders=[
                NewWorkOrder(
                    data=WorkOrderCreate(
                        title=title[:200],
                        site_id=change.site_id,
                        description=line,
                        priority=Priority.p1,
                        trade=Trade.it_network,
                        partner_organisation_id=partner,
                    ),
                    origin=Origin.monitoring,
                    occurrence_key=uplink_key(change.site_id),
                    note=line,
                    audit_extra={"device_monitor_id": change.monitor_id, "uplink": True},
                )
            ],
        )
        return
    device_order = await open_order(device_key(change.asset_id))
    if device_order is not None:
        await _note(int(device_order["id"]), line)  # type: ignore[call-overload]
        return
    trade = await _asset_trade(change.asset_id)
    await create_work_orders(
        actor=None,
        orders=[
            NewWorkOrder(
                data=WorkOrderCreate(
                    trade=Trade(trade) if trade else None,
                    partner_organisation_id=await _partner(change.site_id, trade, False),
                    title=(_("Device down: %(name)s") % {"name": change.asset_name})[:200],
                    site_id=change.site_id,
                    asset_id=change.asset_id,
                    description=line,
                    priority=Priority.p2,
                ),
                origin=Origin.monitoring,
                occurrence_key=device_key(change.asset_id),
                note=line,
                audit_extra={"device_monitor_id": change.monitor_id},
            )
        ],
    )


async def _asset_trade(asset_id: int) -> str | None:
    rows = await db.raw(
        "SELECT c.trade FROM asset a LEFT JOIN asset_category c ON c.id = a.category"
        " WHERE a.id = {}",
        asset_id,
    )
    return str(rows[0]["trade"]) if rows and rows[0]["trade"] else None


async def _recovered(change: DeviceChange) -> None:
    line = _("%(device)s up again since %(at)s") % {
        "device": change.asset_name,
        "at": await _when(change),
    }
    order = await open_order(device_key(change.asset_id))
    if order is not None:
        await _note(int(order["id"]), line)  # type: ignore[call-overload]
        await _resolve(int(order["id"]), change.on_recovery, line)  # type: ignore[call-overload]
    site_order = await open_order(uplink_key(change.site_id))
    if site_order is not None:
        await _note(int(site_order["id"]), line)  # type: ignore[call-overload]
        if change.site_down == 0:
            await _resolve(int(site_order["id"]), change.on_recovery, line)  # type: ignore[call-overload]


async def _step(order_id: int, action: str, note: str) -> S:
    current = await wo_queries.work_order_by_id(order_id)
    moved = await wo_actions.transition(
        actor=SYSTEM,
        work_order_id=order_id,
        data=TransitionRequest(action=action, version=current.version, note=note[:1000]),
    )
    return moved.status


async def _resolve(order_id: int, mode: str, line: str) -> None:
    """Move the order as the device's ``on_recovery`` says (see the module)."""
    order = await wo_queries.work_order_by_id(order_id)
    status = order.status
    try:
        if status == S.open:
            if mode == "complete":
                await _step(order_id, "cancel", _("Recovered by itself: %(line)s") % {"line": line})
            return
        if status == S.on_hold:
            status = await _step(order_id, "resume", line)
        if status in (S.assigned, S.accepted):
            status = await _step(order_id, "start", line)
        if status == S.in_progress:
            status = await _step(order_id, "complete", _("Recovered: %(line)s") % {"line": line})
        if status == S.completed and mode == "complete":
            await _step(order_id, "verify", line)
    except FacilitiesError as error:  # e.g. a required checklist: leave it to people
        await _note(order_id, _("Could not close by itself: %(why)s") % {"why": error.message})

"""The one way work orders come into being: ``create_work_orders`` (many at once) and
``record_events`` (history rows written by other domains, e.g. SLA escalations).

Every creator goes through here — the API and pages (``actions.create_work_order``), report
acceptance (``actions.create_from_report``), PM generation, checklist follow-ups, magic-link
flows and the domains to come (inspections, anomalies, device events). Each order gets, in
the caller's transaction:

* its **trade**: the one given, else its asset category's trade;
* its **partner**: the one given, else the contract router's choice (``hooks.route``, asked
  once per site and trade of the batch); status ``assigned`` with a partner, else ``open``;
* its ``create`` **event** and its ``work_order.create`` **audit** row;
* the asset marked **down** when the order says so;
* the **hooks**: ``hooks.work_orders_created`` (notifications write the "work assigned" e-mail
  and webhook to the outbox; SLA listeners run).

**Speed.** Ids are taken up front (PostgreSQL: ``nextval`` of the id sequence for the whole
batch in one query; SQLite: ``max(id) + 1 …`` under the ``BEGIN IMMEDIATE`` writer lock, so
nobody else can insert meanwhile), then orders, events and audit rows are each written by
one ``executemany`` per batch — no round trip per row, and the caller knows every id without
reading anything back. This module imports nothing of checklists (checklist follow-ups
import it; ``actions`` adds the checklist copy for single creation).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import Any

from facilities import db
from facilities.accounts import audit
from facilities.accounts.principal import Principal
from facilities.accounts.tables import PartnerOrganisation, User
from facilities.assets import actions as asset_actions
from facilities.assets.enums import AssetStatus
from facilities.assets.schemas import StatusChange
from facilities.kit import clock
from facilities.kit.i18n import _
from facilities.kit.rows import rows_for_ids
from facilities.maintenance import hooks
from facilities.maintenance.lifecycle import WorkOrderStatus as S
from facilities.maintenance.workorders.schemas import Origin, WorkOrderCreate

CHUNK = 5000  # rows per statement batch (and per id allocation)


@dataclass(frozen=True, slots=True)
class NewWorkOrder:
    """One order to create: the facts (``WorkOrderCreate``, already validated by the
    caller) and where it comes from. ``checklist_version_id`` is set on the row as is
    (the checklist is copied lazily when someone opens it)."""

    data: WorkOrderCreate
    origin: Origin
    note: str = ""
    problem_report_id: int | None = None
    parent_id: int | None = None
    schedule_id: int | None = None
    occurrence_key: str | None = None
    scheduled_for: datetime | None = None
    checklist_version_id: int | None = None
    audit_extra: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class Created:
    id: int
    status: str
    partner_organisation_id: int | None
    trade: str | None


@dataclass(frozen=True, slots=True)
class EventRow:
    """A line of a work order's history (``work_order_event``)."""

    work_order_id: int
    action: str
    actor: Principal | None = None
    from_status: str | None = None
    to_status: str | None = None
    note: str = ""
    at: datetime | None = None  # default: now
    assigned: str = ""  # whom it was assigned to, as named then (``assignee_labels``)


_INSERT_ORDER = (
    "INSERT INTO work_order (id, kind, title, description, site, space, asset, priority,"
    " status, due_at, scheduled_for, partner_organisation, assignee, estimated_minutes,"
    " origin, problem_report, schedule, occurrence_key, parent, checklist_version,"
    " hold_reason, trade, completion_note, cancel_reason, asset_down, version, created_by,"
    " created_at, updated_at)"
    " VALUES ({}, {}, {}, {}, {}, {}, {}, {}, {}, {}, {}, {}, {}, {}, {}, {}, {}, {}, {}, {},"
    " '', {}, '', '', {}, 1, {}, {}, {})"
)
_INSERT_EVENT = (
    "INSERT INTO work_order_event (work_order, action, from_status, to_status, actor,"
    " actor_label, note, created_at, assigned_label) VALUES ({}, {}, {}, {}, {}, {}, {}, {}, {})"
)


async def _allocate_ids(count: int) -> list[int]:
    """``count`` new work-order ids (inside the caller's transaction)."""
    if db.is_sqlite():  # BEGIN IMMEDIATE: we hold the only writer lock until commit
        row = (await db.raw("SELECT coalesce(max(id), 0) AS top FROM work_order"))[0]
        top = int(row["top"])
        return list(range(top + 1, top + count + 1))
    rows = await db.raw(
        "SELECT nextval(pg_get_serial_sequence('work_order', 'id')) AS id"
        " FROM generate_series(1, {})",
        count,
    )
    return sorted(int(r["id"]) for r in rows)


async def _category_trades(asset_ids: set[int]) -> dict[int, str | None]:
    """The default trade of each asset's category (one query per 500 assets)."""
    rows = await rows_for_ids(
        "SELECT a.id, c.trade FROM asset a LEFT JOIN asset_category c"
        " ON c.id = a.category WHERE a.id IN ({ids})",
        sorted(asset_ids),
    )
    return {int(row["id"]): row["trade"] for row in rows}


async def assignee_labels(
    pairs: set[tuple[int | None, int | None]],
) -> dict[tuple[int | None, int | None], str]:
    """ "Partner" or "Partner · Person" for each (partner organisation, assignee) pair, as
    the history keeps it (two queries for any number of pairs)."""
    org_ids = sorted({p for p, _a in pairs if p is not None})
    user_ids = sorted({a for _p, a in pairs if a is not None})
    orgs = {
        r["id"]: r["name"]
        for r in (
            await PartnerOrganisation.select(
                PartnerOrganisation.id, PartnerOrganisation.name
            ).where(PartnerOrganisation.id.is_in(org_ids))
            if org_ids
            else []
        )
    }
    people = {
        r["id"]: r["name"]
        for r in (
            await User.select(User.id, User.name).where(User.id.is_in(user_ids)) if user_ids else []
        )
    }
    return {
        (p, a): " · ".join(x for x in (orgs.get(p, ""), people.get(a, "")) if x) for p, a in pairs
    }


async def _with_assignees(
    events: list[EventRow], made: Sequence[Created], batch: Sequence[NewWorkOrder]
) -> list[EventRow]:
    """The "create" events of orders that went to a partner, naming whom."""
    pairs: set[tuple[int | None, int | None]] = {
        (c.partner_organisation_id, o.data.assignee_id)
        for c, o in zip(made, batch, strict=True)
        if c.partner_organisation_id is not None
    }
    if not pairs:
        return events
    labels = await assignee_labels(pairs)
    return [
        replace(e, assigned=labels[(c.partner_organisation_id, o.data.assignee_id)])
        if c.partner_organisation_id is not None
        else e
        for e, c, o in zip(events, made, batch, strict=True)
    ]


async def record_events(events: Sequence[EventRow]) -> None:
    """Add lines to work orders' histories (one statement per batch; caller's
    transaction). Other domains write a work order's history only through this."""
    now = clock.now()
    rows = [
        (
            e.work_order_id,
            e.action,
            e.from_status,
            e.to_status,
            e.actor.user_id if e.actor else None,
            e.actor.label if e.actor else audit.SYSTEM_LABEL,
            e.note,
            e.at or now,
            e.assigned[:300],
        )
        for e in events
    ]
    for start in range(0, len(rows), CHUNK):
        await db.executemany(_INSERT_EVENT, rows[start : start + CHUNK])
    for action, column in (("complete", "completed_once"), ("reopen", "reopened_once")):
        ids = sorted({e.work_order_id for e in events if e.action == action})
        if ids:
            await db.raw(
                f"UPDATE work_order SET {column} = {{}}"  # noqa: S608
                f" WHERE id IN ({','.join(str(int(i)) for i in ids)})",
                True,
            )


async def follow_asset(
    actor: Principal, asset_id: int | None, *, down: bool, title: str, order_id: int
) -> None:
    """Asset down while the order is open, operational again when it closes."""
    if asset_id is None:
        return
    rows = await db.raw("SELECT status FROM asset WHERE id = {}", asset_id)
    if not rows:
        return
    current = rows[0]["status"]
    if down and current in (AssetStatus.operational.value, AssetStatus.degraded.value):
        target, note = AssetStatus.down, _("Down while work order #%(id)d is open: %(title)s")
    elif not down and current == AssetStatus.down.value:
        target, note = AssetStatus.operational, _("Work order #%(id)d closed: %(title)s")
    else:
        return
    await asset_actions.change_status(
        actor=actor,
        asset_id=asset_id,
        data=StatusChange(status=target, note=(note % {"id": order_id, "title": title})[:500]),
    )


async def create_work_orders(
    *, actor: Principal | None, orders: Sequence[NewWorkOrder]
) -> list[Created]:
    """Create ``orders`` (in the given order) with trade, routing, event, audit and hooks,
    inside the caller's transaction (one is opened if there is none). ``actor`` None: the
    system (PM generation and other jobs)."""
    if not orders:
        return []
    async with db.transaction():
        missing_trade = {
            o.data.asset_id for o in orders if o.data.trade is None and o.data.asset_id is not None
        }
        category_trade = await _category_trades(missing_trade) if missing_trade else {}
        routes: dict[tuple[int, str | None], int | None] = {}
        now = clock.now()
        created: list[Created] = []
        for start in range(0, len(orders), CHUNK):
            batch = orders[start : start + CHUNK]
            ids = await _allocate_ids(len(batch))
            order_rows, event_rows, audit_rows, changes = [], [], [], []
            for order_id, order in zip(ids, batch, strict=True):
                data = order.data
                trade = (
                    data.trade.value
                    if data.trade is not None
                    else category_trade.get(data.asset_id)
                    if data.asset_id is not None
                    else None
                )
                partner = data.partner_organisation_id
                if partner is None:
                    key = (data.site_id, trade)
                    if key not in routes:
                        routes[key] = await hooks.route(data.site_id, trade)
                    partner = routes[key]
                status = S.assigned.value if partner is not None else S.open.value
                title = data.title.strip()
                order_rows.append(
                    (
                        order_id,
                        data.kind.value,
                        title,
                        data.description.strip(),
                        data.site_id,
                        data.space_id,
                        data.asset_id,
                        data.priority.value,
                        status,
                        data.due_at,
                        order.scheduled_for,
                        partner,
                        data.assignee_id,
                        data.estimated_minutes,
                        order.origin.value,
                        order.problem_report_id,
                        order.schedule_id,
                        order.occurrence_key,
                        order.parent_id,
                        order.checklist_version_id,
                        trade,
                        data.asset_down,
                        actor.user_id if actor else None,
                        now,
                        now,
                    )
                )
                event_rows.append(
                    EventRow(order_id, "create", actor, None, status, order.note, now)
                )
                audit_rows.append(
                    audit.Entry(
                        action="work_order.create",
                        object_type="work_order",
                        object_id=order_id,
                        summary=title,
                        site_id=data.site_id,
                        after={
                            "kind": data.kind,
                            "origin": order.origin,
                            "priority": data.priority,
                            "status": status,
                            "asset_id": data.asset_id,
                            "partner_organisation_id": partner,
                            "problem_report_id": order.problem_report_id,
                            "trade": trade,
                            **order.audit_extra,
                        },
                    )
                )
                changes.append(
                    hooks.WorkOrderChange(
                        work_order_id=order_id,
                        action="create",
                        actor=actor,
                        site_id=data.site_id,
                        from_status=None,
                        to_status=status,
                        partner_organisation_id=partner,
                        note=order.note,
                    )
                )
                created.append(Created(order_id, status, partner, trade))
            await db.executemany(_INSERT_ORDER, order_rows)
            await record_events(await _with_assignees(event_rows, created[-len(batch) :], batch))
            await audit.record_many(actor=actor, entries=audit_rows, at=now)
            if actor is not None:  # only people mark an asset down (it needs their scope)
                for order_id, order in zip(ids, batch, strict=True):
                    if order.data.asset_down:
                        await follow_asset(
                            actor,
                            order.data.asset_id,
                            down=True,
                            title=order.data.title.strip(),
                            order_id=order_id,
                        )
            await hooks.work_orders_created(changes)
    return created

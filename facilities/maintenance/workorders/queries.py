"""Reads of work orders, always scoped: partners see the orders assigned to their
organisation, staff the orders of their visible sites. Anything else answers 404."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any, Literal

import msgspec
from litestar.params import FromQuery

from facilities import db
from facilities.accounts.enums import Role, Trade
from facilities.accounts.principal import Principal
from facilities.kit import clock, keyset
from facilities.kit.errors import NotFound, RuleViolation
from facilities.kit.i18n import _
from facilities.kit.listing import QueryId, Search, like_pattern
from facilities.kit.rows import to_struct
from facilities.kit.schema import INT_MAX, Page
from facilities.maintenance import lifecycle
from facilities.maintenance.lifecycle import WorkOrderStatus
from facilities.maintenance.tables import (
    WorkOrder,
    WorkOrderComment,
    WorkOrderCost,
    WorkOrderEvent,
    WorkOrderPhoto,
    WorkOrderTime,
)
from facilities.maintenance.workorders.schemas import (
    CommentRead,
    CostRead,
    EventRead,
    PhotoRead,
    Priority,
    TimeRead,
    Totals,
    WorkOrderRead,
)
from facilities.sites import scope

_COLUMNS = (
    WorkOrder.id,
    WorkOrder.kind,
    WorkOrder.title,
    WorkOrder.description,
    WorkOrder.status,
    WorkOrder.site,
    WorkOrder.site.name.as_alias("site_name"),
    WorkOrder.space,
    WorkOrder.space.name.as_alias("space_name"),
    WorkOrder.asset,
    WorkOrder.asset.name.as_alias("asset_name"),
    WorkOrder.priority,
    WorkOrder.due_at,
    WorkOrder.scheduled_for,
    WorkOrder.partner_organisation,
    WorkOrder.partner_organisation.name.as_alias("partner_name"),
    WorkOrder.assignee,
    WorkOrder.assignee.name.as_alias("assignee_name"),
    WorkOrder.estimated_minutes,
    WorkOrder.origin,
    WorkOrder.problem_report,
    WorkOrder.schedule,
    WorkOrder.parent,
    WorkOrder.hold_reason,
    WorkOrder.completion_note,
    WorkOrder.cancel_reason,
    WorkOrder.asset_down,
    WorkOrder.trade,
    WorkOrder.version,
    WorkOrder.created_by,
    WorkOrder.created_at,
    WorkOrder.updated_at,
    WorkOrder.accepted_at,
    WorkOrder.started_at,
    WorkOrder.completed_at,
    WorkOrder.verified_at,
)


def _trade(value: str | None) -> Trade | None:
    try:
        return Trade(value) if value else None
    except ValueError:  # a trade retired from the list: shown as none
        return None


_ORDER_KEYS = {
    "site_id": "site",
    "space_id": "space",
    "asset_id": "asset",
    "partner_organisation_id": "partner_organisation",
    "partner_organisation_name": "partner_name",
    "assignee_id": "assignee",
    "problem_report_id": "problem_report",
    "schedule_id": "schedule",
    "parent_id": "parent",
    "created_by_id": "created_by",
}


def _read(row: dict[str, Any], role: Role | None = None) -> WorkOrderRead:
    status = WorkOrderStatus(row["status"])
    return to_struct(
        WorkOrderRead,
        row,
        _ORDER_KEYS,
        trade=_trade(row["trade"]),
        allowed_actions=lifecycle.allowed(status, role) if role is not None else [],
    )


async def scope_conditions(principal: Principal) -> list[Any]:
    """The WHERE conditions restricting work orders to what ``principal`` may see."""
    if principal.role is Role.partner:
        return [WorkOrder.partner_organisation == (principal.partner_organisation_id or -1)]
    visible = await scope.visible_site_ids(principal)
    if visible is None:
        return []
    return [WorkOrder.site.is_in(list(visible) or [-1])]


# The list is hand-written SQL run through ``db.raw`` (like ``facilities.sites.queries``):
# Piccolo spent more time building the six-table joined SELECT and converting each value
# than the database spent answering it. Same columns, filters, order and scope as the
# Piccolo query of ``get_work_order``; the rows become structs in one ``msgspec.convert``.
_LIST_COLUMNS = (
    "id, kind, title, description, status, site AS site_id, space AS space_id,"
    " asset AS asset_id, priority, due_at, scheduled_for,"
    " partner_organisation AS partner_organisation_id, assignee AS assignee_id,"
    " estimated_minutes, origin, problem_report AS problem_report_id,"
    " schedule AS schedule_id, parent AS parent_id, hold_reason, completion_note,"
    " cancel_reason, asset_down, trade, version, created_by AS created_by_id, created_at,"
    " updated_at, accepted_at, started_at, completed_at, verified_at"
)
# On SQLite, ``+w.col`` (an expression, so no declared type) skips the per-value Python
# converters Piccolo registers for INTEGER, BOOLEAN and TIMESTAMPTZ columns; msgspec does
# the conversions (in C) for the whole row.
_LIST_NATIVE = {"id", "site", "space", "asset", "partner_organisation", "assignee"}
_LIST_NATIVE |= {"estimated_minutes", "problem_report", "schedule", "parent", "asset_down"}
_LIST_NATIVE |= {"version", "created_by", "due_at", "scheduled_for", "created_at"}
_LIST_NATIVE |= {"updated_at", "accepted_at", "started_at", "completed_at", "verified_at"}
_LIST_JOINS = (
    ' FROM "work_order" w LEFT JOIN "site" s ON s.id = w.site'
    ' LEFT JOIN "space" sp ON sp.id = w.space LEFT JOIN "asset" a ON a.id = w.asset'
    ' LEFT JOIN "partner_organisation" po ON po.id = w.partner_organisation'
    ' LEFT JOIN "app_user" u ON u.id = w.assignee'
)
_LIST_ORDER = " ORDER BY w.priority, w.due_at, w.id DESC"
_LIST_TIMES = (
    "due_at",
    "scheduled_for",
    "created_at",
    "updated_at",
    "accepted_at",
    "started_at",
    "completed_at",
    "verified_at",
)
_TRADES = frozenset(t.value for t in Trade)
_UTC = UTC


def _list_select(sqlite: bool) -> str:
    columns = []
    for spec in _LIST_COLUMNS.split(","):
        name, _, alias = spec.strip().partition(" AS ")
        prefix = "+" if sqlite and name in _LIST_NATIVE else ""
        columns.append(f"{prefix}w.{name} AS {alias or name}")
    names = "s.name AS site_name, sp.name AS space_name, a.name AS asset_name,"
    names += " po.name AS partner_organisation_name, u.name AS assignee_name"
    return "SELECT " + ", ".join(columns) + ", " + names


_LIST_SELECT = {engine: _list_select(engine) for engine in (True, False)}


# The list's sort orders (the API's and the page's ``sort``); the id breaks ties. Each is a
# list of keyset keys, so a page can also start after a cursor (``kit.keyset``); the
# maintenance migration of 2026-12-07 adds indexes matching the priority and due orders.
_ID_DESC = keyset.Key("w.id", "id", "int", descending=True)
SORT_KEYS: dict[str, tuple[keyset.Key, ...]] = {
    "priority": (
        keyset.Key("w.priority", "priority", "text"),
        keyset.Key("w.due_at", "due_at", "time", nullable=True),
        _ID_DESC,
    ),
    "due": (
        keyset.Key("w.due_at", "due_at", "time", nullable=True, nulls="last"),
        keyset.Key("w.priority", "priority", "text"),
        _ID_DESC,
    ),
    "newest": (keyset.Key("w.created_at", "created_at", "time", descending=True), _ID_DESC),
    "oldest": (
        keyset.Key("w.created_at", "created_at", "time"),
        keyset.Key("w.id", "id", "int"),
    ),
    "updated": (keyset.Key("w.updated_at", "updated_at", "time", descending=True), _ID_DESC),
}
SORTS = {name: keyset.order_by(keys, sqlite=False) for name, keys in SORT_KEYS.items()}
Sort = Literal["priority", "due", "newest", "oldest", "updated"]
# OFFSET reads and skips every row before the page: it is kept for the first pages only;
# further down a list is read with the cursor of the page before (``next_cursor``).
MAX_OFFSET = 5_000
# The total is counted on pages without a cursor only, and only up to this many rows (then
# ``total_exact`` is false): a count of the whole scope grows with it, a capped count reads
# at most this many index entries. Pages after a cursor carry no total (None).
COUNT_LIMIT = 10_000


@dataclass(frozen=True, slots=True)
class WorkOrderFilters:
    """The work-order list's filters, read from the query string by its API and its page
    (``kit.listing``). ``overdue``: open orders past their due time; ``unassigned``: open
    orders with neither a partner nor a person; ``q``: the title, the number ("#12") or the
    asset's name; ``sort``: priority (then due time), due, newest, oldest, updated."""

    status: FromQuery[WorkOrderStatus | None] = None
    site_id: QueryId = None
    asset_id: QueryId = None
    assignee_id: QueryId = None
    trade: FromQuery[Trade | None] = None
    priority: FromQuery[Priority | None] = None
    partner_organisation_id: QueryId = None
    overdue: FromQuery[bool] = False
    unassigned: FromQuery[bool] = False
    q: Search = None
    sort: FromQuery[Sort] = "priority"

    def arguments(self) -> dict[str, Any]:
        """Keyword arguments of ``list_work_orders``."""
        return {
            "status": self.status,
            "site_id": self.site_id,
            "asset_id": self.asset_id,
            "assignee_id": self.assignee_id,
            "trade": self.trade,
            "priority": self.priority.value if self.priority else None,
            "partner_id": self.partner_organisation_id,
            "overdue": self.overdue,
            "unassigned": self.unassigned,
            "q": self.q,
            "sort": self.sort,
        }


_KEY_COLUMNS = "w.id, w.priority, w.due_at, w.created_at, w.updated_at"


def work_order_page_sql(
    sqlite: bool, where: str, order: str = _LIST_ORDER, branches: Sequence[str] = ()
) -> str:
    """A page of work orders with the total: without ``branches``, ``where`` (fixed
    fragments with ``{}``) for the total — counted up to ``COUNT_LIMIT`` + 1 rows —, then
    once more with limit and offset as parameters. With ``branches`` (a cursor's
    ``keyset.branches``) no total (NULL): per branch ``where`` and the branch, then a limit;
    then the limit and offset of the page. Sorts and pages the narrow rows first, then joins
    the names onto that page; the total is a scalar subquery."""
    if branches:
        arms = []
        for number, branch in enumerate(branches):
            condition = f"{where} AND ({branch})" if where else f" WHERE {branch}"
            arms.append(
                f'SELECT * FROM (SELECT {_KEY_COLUMNS} FROM "work_order" w{condition}'  # noqa: S608
                f"{order} LIMIT {{}}) b{number}"
            )
        union = " UNION ALL ".join(arms)
        inner = f"SELECT w.id FROM ({union}) w{order} LIMIT {{}} OFFSET {{}}"  # noqa: S608
        total = "NULL"
    else:
        inner = f'SELECT w.id FROM "work_order" w{where}{order} LIMIT {{}} OFFSET {{}}'  # noqa: S608
        total = (
            f'(SELECT count(*) FROM (SELECT 1 FROM "work_order" w{where}'  # noqa: S608 - fixed fragments, values are parameters
            f" LIMIT {COUNT_LIMIT + 1}) c)"
        )
    return f"{_LIST_SELECT[sqlite]}, {total} AS total{_LIST_JOINS} WHERE w.id IN ({inner}){order}"


def _repair(row: dict[str, Any]) -> None:
    """What Piccolo does on read: a naive SQLite timestamp is UTC, an unknown trade none."""
    for name in _LIST_TIMES:
        value = row[name]
        if isinstance(value, str):
            value = datetime.fromisoformat(value)
        if isinstance(value, datetime) and value.tzinfo is None:
            value = value.replace(tzinfo=_UTC)
        row[name] = value
    if row["trade"] not in _TRADES:
        row["trade"] = None


def _list_reads(rows: list[Any], role: Role) -> list[WorkOrderRead]:
    """WorkOrderRead structs from the rows of the SQL above (dicts on SQLite)."""
    actions: dict[str, list[str]] = {}
    result = []
    for record in rows:
        row = record if isinstance(record, dict) else dict(record)
        del row["total"]
        row["asset_down"] = bool(row["asset_down"])
        status = row["status"]
        allowed = actions.get(status)
        if allowed is None:
            allowed = actions[status] = lifecycle.allowed(WorkOrderStatus(status), role)
        row["allowed_actions"] = allowed
        if not row["trade"]:
            row["trade"] = None
        try:
            result.append(_convert(row, WorkOrderRead))
        except msgspec.ValidationError:
            _repair(row)
            result.append(_convert(row, WorkOrderRead))
    return result


_convert = msgspec.convert


def _in(column: str, values: list[Any], args: list[Any]) -> str:
    args.extend(values)
    return f"{column} IN (" + ", ".join(["{}"] * len(values)) + ")"


async def list_work_orders(
    principal: Principal,
    *,
    status: WorkOrderStatus | None = None,
    open_only: bool = False,
    active_only: bool = False,
    site_id: int | None = None,
    asset_id: int | None = None,
    assignee_id: int | None = None,
    trade: Trade | None = None,
    priority: str | None = None,
    partner_id: int | None = None,
    overdue: bool = False,
    unassigned: bool = False,
    q: str | None = None,
    sort: Sort = "priority",
    limit: int = 50,
    offset: int = 0,
    cursor: str | None = None,
) -> Page[WorkOrderRead]:
    """A page of the caller's work orders. Filters combine; ``overdue`` keeps open orders
    past their due time, ``unassigned`` open orders with neither a partner nor a person;
    ``q`` searches the title, the number and the asset's name."""
    conditions: list[str] = []
    args: list[Any] = []
    # The scope: the same rule as ``scope_conditions``.
    if principal.role is Role.partner:
        conditions.append("w.partner_organisation = {}")
        args.append(principal.partner_organisation_id or -1)
    else:
        visible = await scope.visible_site_ids(principal)
        if visible is not None:
            conditions.append(_in("w.site", list(visible) or [-1], args))
    if status is not None:
        conditions.append("w.status = {}")
        args.append(status.value)
    if open_only:
        conditions.append(_in("w.status", [s.value for s in lifecycle.OPEN_STATES], args))
    if active_only:  # still needs someone: open, or completed and waiting to be verified
        conditions.append("w.status NOT IN ({}, {})")
        args.extend((WorkOrderStatus.verified.value, WorkOrderStatus.cancelled.value))
    if site_id is not None:
        conditions.append("w.site = {}")
        args.append(site_id)
    if asset_id is not None:
        conditions.append("w.asset = {}")
        args.append(asset_id)
    if assignee_id is not None:
        conditions.append("w.assignee = {}")
        args.append(assignee_id)
    if trade is not None:
        conditions.append("w.trade = {}")
        args.append(trade.value)
    if priority is not None:
        conditions.append("w.priority = {}")
        args.append(priority)
    if partner_id is not None:
        conditions.append("w.partner_organisation = {}")
        args.append(partner_id)
    if overdue:
        conditions.append("w.due_at < {}")
        args.append(clock.now())
        conditions.append(_in("w.status", [s.value for s in lifecycle.OPEN_STATES], args))
    if unassigned:
        conditions.append("w.partner_organisation IS NULL AND w.assignee IS NULL")
        conditions.append(_in("w.status", [s.value for s in lifecycle.OPEN_STATES], args))
    if q and q.strip():
        text = q.strip()
        number = text.removeprefix("#")
        if text.startswith("#") and number.isdigit():  # "#12": that order
            conditions.append("w.id = {}")
            args.append(int(number) if int(number) <= INT_MAX else -1)
        else:
            pattern = like_pattern(text)
            search = "lower(w.title) LIKE {} ESCAPE '\\' OR w.asset IN"
            search += " (SELECT id FROM \"asset\" WHERE lower(name) LIKE {} ESCAPE '\\')"
            args.extend((pattern, pattern))
            if number.isdigit() and int(number) <= INT_MAX:
                search += " OR w.id = {}"
                args.append(int(number))
            conditions.append(f"({search})")
    where = (" WHERE " + " AND ".join(conditions)) if conditions else ""
    sqlite = db.is_sqlite()
    keys = SORT_KEYS[sort]
    branches: list[str] = []
    page_args: list[Any] = [*args]
    if cursor:
        values = keyset.decode(cursor, sort, keys, sqlite)
        page_args = []
        for branch, branch_args in keyset.branches(keys, values, sqlite):
            branches.append(branch)
            page_args += [*args, *branch_args, limit + 1]
        offset = 0
    elif offset > MAX_OFFSET:
        raise RuleViolation(
            "offset",
            _("Pages this far down are read with the cursor of the page before (next_cursor)."),
        )
    sql = work_order_page_sql(sqlite, where, SORTS[sort], branches)
    # one row more than the page tells whether a next page exists
    count_args = [] if cursor else args
    rows = await db.raw(sql, *count_args, *page_args, limit + 1, offset)
    next_cursor = None
    if len(rows) > limit:
        rows = rows[:limit]
        last = rows[-1] if isinstance(rows[-1], dict) else dict(rows[-1])
        next_cursor = keyset.encode(sort, keys, last)
    total: int | None = None
    if cursor:
        pass  # no total after a cursor (``COUNT_LIMIT``)
    elif rows:
        total = int(rows[0]["total"])
    elif offset:  # past the end: no row to carry the total
        sql = (
            f'SELECT count(*) AS n FROM (SELECT 1 FROM "work_order" w{where}'  # noqa: S608 - fixed fragments
            f" LIMIT {COUNT_LIMIT + 1}) c"
        )
        total = int((await db.raw(sql, *args))[0]["n"])
    else:
        total = 0
    exact = total is None or total <= COUNT_LIMIT
    if total is not None:
        total = min(total, COUNT_LIMIT)
    items = _list_reads(rows, principal.role)
    return Page(
        items=items,
        total=total,
        limit=limit,
        offset=offset,
        next_cursor=next_cursor,
        total_exact=exact,
    )


async def get_work_order(principal: Principal, work_order_id: int) -> WorkOrderRead:
    """A work order in the caller's scope (with the actions its role may take), else 404."""
    query = WorkOrder.select(*_COLUMNS).where(WorkOrder.id == work_order_id)
    for condition in await scope_conditions(principal):
        query = query.where(condition)
    row = await query.first()
    if row is None:
        raise NotFound()
    return _read(row, principal.role)


async def work_order_by_id(work_order_id: int, role: Role | None = None) -> WorkOrderRead:
    """Unscoped read for actions that already checked the scope."""
    row = await WorkOrder.select(*_COLUMNS).where(WorkOrder.id == work_order_id).first()
    if row is None:
        raise NotFound()
    return _read(row, role)


async def partner_site_ids(partner_organisation_id: int) -> set[int]:
    """Sites where the partner organisation has (or had) work: its window on sites."""
    rows = (
        await WorkOrder.select(WorkOrder.site)
        .where(WorkOrder.partner_organisation == partner_organisation_id)
        .distinct()
    )
    return {r["site"] for r in rows}


# ---- the order's history and contributions -------------------------------------------


async def events(principal: Principal, work_order_id: int) -> list[EventRead]:
    await get_work_order(principal, work_order_id)
    rows = (
        await WorkOrderEvent.select()
        .where(WorkOrderEvent.work_order == work_order_id)
        .order_by(WorkOrderEvent.created_at)
        .order_by(WorkOrderEvent.id)
    )
    return [
        to_struct(
            EventRead,
            r,
            {"actor_id": "actor"},
            from_status=r["from_status"] or None,
            to_status=r["to_status"] or None,
        )
        for r in rows
    ]


async def comments(principal: Principal, work_order_id: int) -> list[CommentRead]:
    await get_work_order(principal, work_order_id)
    rows = (
        await WorkOrderComment.select()
        .where(WorkOrderComment.work_order == work_order_id)
        .order_by(WorkOrderComment.created_at)
        .order_by(WorkOrderComment.id)
    )
    return [to_struct(CommentRead, r, {"author_id": "author"}) for r in rows]


async def time_entries(principal: Principal, work_order_id: int) -> list[TimeRead]:
    await get_work_order(principal, work_order_id)
    rows = (
        await WorkOrderTime.select(
            *WorkOrderTime.all_columns(), WorkOrderTime.user.name.as_alias("user_name")
        )
        .where(WorkOrderTime.work_order == work_order_id)
        .order_by(WorkOrderTime.work_date)
        .order_by(WorkOrderTime.id)
    )
    return [to_struct(TimeRead, r, {"user_id": "user"}) for r in rows]


def _money(value: Any) -> Decimal:
    return Decimal(str(value)) if value is not None else Decimal("0")


async def costs(principal: Principal, work_order_id: int) -> list[CostRead]:
    await get_work_order(principal, work_order_id)
    rows = (
        await WorkOrderCost.select()
        .where(WorkOrderCost.work_order == work_order_id)
        .order_by(WorkOrderCost.id)
    )
    result = []
    for r in rows:
        quantity, unit_cost = _money(r["quantity"]), _money(r["unit_cost"])
        result.append(
            to_struct(
                CostRead,
                r,
                {"created_by_id": "created_by"},
                quantity=quantity,
                unit_cost=unit_cost,
                total=(quantity * unit_cost).quantize(Decimal("0.01")),
            )
        )
    return result


async def totals(principal: Principal, work_order_id: int) -> Totals:
    minutes = sum(t.minutes for t in await time_entries(principal, work_order_id))
    cost = sum((c.total for c in await costs(principal, work_order_id)), Decimal("0.00"))
    return Totals(minutes=minutes, cost=cost)


async def photos(principal: Principal, work_order_id: int) -> list[PhotoRead]:
    await get_work_order(principal, work_order_id)
    rows = (
        await WorkOrderPhoto.select()
        .where(WorkOrderPhoto.work_order == work_order_id)
        .order_by(WorkOrderPhoto.id)
    )
    return [to_struct(PhotoRead, r, {"uploaded_by_id": "uploaded_by"}) for r in rows]


async def photo_file(principal: Principal, work_order_id: int, photo_id: int) -> tuple[str, str]:
    """(storage key, content type) of a photo of a work order in the caller's scope."""
    await get_work_order(principal, work_order_id)
    row = (
        await WorkOrderPhoto.select(WorkOrderPhoto.storage_key, WorkOrderPhoto.content_type)
        .where((WorkOrderPhoto.id == photo_id) & (WorkOrderPhoto.work_order == work_order_id))
        .first()
    )
    if row is None:
        raise NotFound()
    return row["storage_key"], row["content_type"]

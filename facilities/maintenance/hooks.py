"""What other domains may hear of maintenance, and the one decision they may take for it.

Maintenance never imports upwards: notifications, SLA and contracts are registered here by
``facilities.wiring.install()`` (called by every entry point: the app factory, the scheduler
builder, every CLI command) and maintenance calls them at the right moment. Nothing
registers itself as an import side effect.

* Listeners run **inside the transaction of the change** (so a notification is written
  exactly when, and only if, the change commits — the transactional outbox). A listener
  that raises aborts the change: keep them to writes of your own tables.
* Creation comes in batches too (PM generation creates hundreds of orders in one
  statement): ``work_orders_created(changes)`` calls each listener's batch form when it has
  one (``on_work_orders_created``), else its single form once per change.
* The router picks the partner for a new work order nobody assigned by hand (service
  contracts cover sites and trades); ``None`` leaves the order for triage.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from facilities.accounts.principal import Principal


@dataclass(frozen=True, slots=True)
class WorkOrderChange:
    """One thing that happened to a work order.

    ``action`` is ``create``, a lifecycle step name (``assign``, ``accept``, ``start``,
    ``hold``, ``resume``, ``complete``, ``verify``, ``reopen``, ``decline``, ``unassign``,
    ``cancel``) or ``comment``. Statuses are the lifecycle's string values.
    """

    work_order_id: int
    action: str
    actor: Principal | None
    site_id: int
    from_status: str | None
    to_status: str | None
    partner_organisation_id: int | None
    note: str = ""


@dataclass(frozen=True, slots=True)
class ReportChange:
    """One thing that happened to a problem report: ``received``, ``accepted``,
    ``rejected``, ``merged`` or ``resolved`` (``reopened`` when its work is reopened)."""

    report_id: int
    action: str
    site_id: int
    work_order_id: int | None = None


WorkOrderListener = Callable[[WorkOrderChange], Awaitable[None]]
BatchListener = Callable[[list[WorkOrderChange]], Awaitable[None]]
ReportListener = Callable[[ReportChange], Awaitable[None]]
Router = Callable[[int, str | None], Awaitable[int | None]]

_work_order_listeners: list[WorkOrderListener] = []
_batch_listeners: dict[WorkOrderListener, BatchListener] = {}
_report_listeners: list[ReportListener] = []
_router: list[Router] = []


def on_work_order_change(
    listener: WorkOrderListener, *, batch: BatchListener | None = None
) -> WorkOrderListener:
    """Register ``listener``; ``batch`` (optional) hears many creations at once."""
    if listener not in _work_order_listeners:
        _work_order_listeners.append(listener)
    if batch is not None:
        _batch_listeners[listener] = batch
    return listener


def on_report_change(listener: ReportListener) -> ReportListener:
    if listener not in _report_listeners:
        _report_listeners.append(listener)
    return listener


def set_router(router: Router) -> None:
    _router[:] = [router]


async def work_order_changed(change: WorkOrderChange) -> None:
    for listener in _work_order_listeners:
        await listener(change)


async def work_orders_created(changes: list[WorkOrderChange]) -> None:
    """Many ``create`` changes at once (bulk creation): each listener's batch form, if it
    registered one, else its single form per change."""
    if not changes:
        return
    for listener in _work_order_listeners:
        batch = _batch_listeners.get(listener)
        if batch is not None:
            await batch(changes)
        else:
            for change in changes:
                await listener(change)


async def report_changed(change: ReportChange) -> None:
    for listener in _report_listeners:
        await listener(change)


async def route(site_id: int, trade: str | None) -> int | None:
    """The partner organisation that should get new work at this site for this trade."""
    if not _router:
        return None
    return await _router[0](site_id, trade)


# ---- panels on the work-order page ------------------------------------------------------
# A domain above maintenance (e.g. SLA) adds a card to the work-order page: ``panel(principal,
# work_order_id)`` returns ``(template name, context)`` or ``None`` (nothing to show);
# ``detail.html`` includes each template with that context as ``panel``.

OrderPanel = Callable[[Principal, int], Awaitable[tuple[str, dict[str, Any]] | None]]
_order_panels: dict[str, OrderPanel] = {}


def register_order_panel(name: str, panel: OrderPanel) -> None:
    _order_panels[name] = panel


async def order_panels(
    principal: Principal, work_order_id: int
) -> list[tuple[str, dict[str, Any]]]:
    found = [await panel(principal, work_order_id) for panel in _order_panels.values()]
    return [item for item in found if item is not None]


# ---- marks on the work-order list ------------------------------------------------------
# A domain above maintenance (e.g. SLA) marks rows of the work-order list:
# ``marks(principal, orders)`` (the page's ``WorkOrderRead`` rows) returns
# ``{order id: ListMark}`` for the orders it has something to say about, in one batch.


@dataclass(frozen=True, slots=True)
class ListMark:
    label: str  # words in the reader's language, e.g. "SLA at risk: Resolution"
    tone: str  # "late", "risk" or "ok" (the marker's colour)
    due_at: datetime | None = None  # shown in the order's site time zone


ListMarks = Callable[[Principal, list[Any]], Awaitable[dict[int, ListMark]]]
_list_marks: dict[str, ListMarks] = {}


def register_list_marks(name: str, marks: ListMarks) -> None:
    _list_marks[name] = marks


async def list_marks(principal: Principal, orders: list[Any]) -> dict[int, list[ListMark]]:
    """Every registered mark of each order on the list (none for an empty list)."""
    found: dict[int, list[ListMark]] = {}
    if not orders:
        return found
    for provider in _list_marks.values():
        for order_id, mark in (await provider(principal, orders)).items():
            found.setdefault(order_id, []).append(mark)
    return found


# ---- refrigerants on part lines -----------------------------------------------------------
# A refrigerant top-up names its gas; the library of gases lives above maintenance
# (sustainability). ``check(name)`` returns the library's spelling of the gas, or None when
# it is not in the library. Without a check, any non-empty name is kept as typed.

RefrigerantCheck = Callable[[str], str | None]
_refrigerant_check: list[RefrigerantCheck] = []


def set_refrigerant_check(check: RefrigerantCheck) -> None:
    _refrigerant_check[:] = [check]


def refrigerant_name(name: str) -> str | None:
    """The gas's name as the library spells it; None if the library does not know it."""
    name = name.strip()
    if not name:
        return None
    return _refrigerant_check[0](name) if _refrigerant_check else name


# ---- what is installed (for ``facilities.wiring``) ------------------------------------


def installed() -> dict[str, list[Any]]:
    """Every registered reaction, by registry."""
    return {
        "work_order_listeners": list(_work_order_listeners),
        "work_order_batch_listeners": list(_batch_listeners.values()),
        "report_listeners": list(_report_listeners),
        "router": list(_router),
        "order_panels": list(_order_panels.values()),
        "list_marks": list(_list_marks.values()),
        "refrigerant_check": list(_refrigerant_check),
    }


def clear() -> None:
    """Forget every registration (tests of the wiring only)."""
    _work_order_listeners.clear()
    _batch_listeners.clear()
    _report_listeners.clear()
    _router.clear()
    _order_panels.clear()
    _list_marks.clear()
    _refrigerant_check.clear()

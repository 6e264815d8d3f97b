"""What other domains may hear of maintenance, and the one decision they may take for it.

Maintenance never imports upwards: notifications, SLA and contracts register here at import
time (in their package ``__init__``) and maintenance calls them at the right moment.

* Listeners run **inside the transaction of the change** (so a notification is written
  exactly when, and only if, the change commits — the transactional outbox). A listener
  that raises aborts the change: keep them to writes of your own tables.
* The router picks the partner for a new work order nobody assigned by hand (service
  contracts cover sites and trades); ``None`` leaves the order for triage.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
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
ReportListener = Callable[[ReportChange], Awaitable[None]]
Router = Callable[[int, str | None], Awaitable[int | None]]

_work_order_listeners: list[WorkOrderListener] = []
_report_listeners: list[ReportListener] = []
_router: list[Router] = []


def on_work_order_change(listener: WorkOrderListener) -> WorkOrderListener:
    if listener not in _work_order_listeners:
        _work_order_listeners.append(listener)
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

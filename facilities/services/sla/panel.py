"""The SLA card of the work-order page, an order panel of ``facilities.maintenance.hooks``
(installed by ``facilities.wiring.install``), and the label helpers the SLA pages share."""

from __future__ import annotations

from typing import Any

from facilities.accounts.enums import TRADE_LABELS
from facilities.accounts.principal import Principal
from facilities.kit.i18n import _
from facilities.kit.timefmt import duration
from facilities.maintenance.hooks import ListMark
from facilities.maintenance.lifecycle import OPEN_STATES
from facilities.maintenance.workorders.schemas import HOLD_REASON_LABELS, PRIORITY_LABELS
from facilities.services.sla import queries
from facilities.services.sla.enums import (
    CALENDAR_LABELS,
    LEVEL_LABELS,
    LEVELS,
    STATE_LABELS,
    TARGET_LABELS,
    ClockState,
)

OPEN_STATUS_VALUES = frozenset(s.value for s in OPEN_STATES)


def labels() -> dict[str, Any]:
    return {
        "target_labels": {k.value: _(v) for k, v in TARGET_LABELS.items()},
        "state_labels": {k.value: _(v) for k, v in STATE_LABELS.items()},
        "calendar_labels": {k.value: _(v) for k, v in CALENDAR_LABELS.items()},
        "level_labels": {i + 1: _(LEVEL_LABELS[level]) for i, level in enumerate(LEVELS)},
        "priority_labels": {k.value: _(v) for k, v in PRIORITY_LABELS.items()},
        "trade_labels": {k.value: _(v) for k, v in TRADE_LABELS.items()},
        "hold_labels": {k.value: _(v) for k, v in HOLD_REASON_LABELS.items()},
    }


async def sla_panel(principal: Principal, work_order_id: int) -> tuple[str, dict[str, Any]] | None:
    """The work-order page's SLA card (hook of ``facilities.maintenance.hooks``)."""
    if not principal.can("sla.view"):
        return None
    sla = await queries.work_order_sla(principal, work_order_id)
    return "services/sla/_panel.html", {"sla": sla, "sla_duration": duration, **labels()}


_MARKED = {
    ClockState.at_risk: "risk",
    ClockState.breached: "late",
    ClockState.running: "ok",
    ClockState.paused: "ok",
}


async def sla_list_marks(principal: Principal, orders: list[Any]) -> dict[int, ListMark]:
    """The most urgent pending SLA target of each open order on the work-order list
    (a list-marks hook of ``facilities.maintenance.hooks``), in one batch."""
    if not principal.can("sla.view"):
        return {}
    facts = [
        queries.OrderFacts(
            id=o.id,
            site_id=o.site_id,
            priority=str(o.priority),
            trade=str(o.trade) if o.trade else None,
            status=str(o.status),
            partner_organisation_id=o.partner_organisation_id,
            created_at=o.created_at,
            hold_reason=o.hold_reason or "",
        )
        for o in orders
        if o.status in OPEN_STATUS_VALUES
    ]
    if not facts:
        return {}
    marks: dict[int, ListMark] = {}
    for order_id, evaluated in (await queries.evaluate(facts)).items():
        pending = [c for c in evaluated.clocks if c.state in _MARKED and c.due_at is not None]
        if not pending:
            continue
        first = min(pending, key=lambda c: c.remaining)
        words = {
            ClockState.at_risk: _("SLA at risk: %(target)s by"),
            ClockState.breached: _("SLA breached: %(target)s was due"),
        }.get(first.state, _("SLA: %(target)s by"))
        marks[order_id] = ListMark(
            label=words % {"target": _(TARGET_LABELS[first.target])},
            tone=_MARKED[first.state],
            due_at=first.due_at,
        )
    return marks

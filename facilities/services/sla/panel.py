"""The SLA card of the work-order page, an order panel of ``facilities.maintenance.hooks``
(installed by ``facilities.wiring.install``), and the label helpers the SLA pages share."""

from __future__ import annotations

from typing import Any

from facilities.accounts.enums import TRADE_LABELS
from facilities.accounts.principal import Principal
from facilities.kit.i18n import _
from facilities.maintenance.workorders.schemas import HOLD_REASON_LABELS, PRIORITY_LABELS
from facilities.services.sla import queries
from facilities.services.sla.enums import (
    CALENDAR_LABELS,
    LEVEL_LABELS,
    LEVELS,
    STATE_LABELS,
    TARGET_LABELS,
)


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


def duration(minutes: int | None) -> str:
    """``1d 2h 5m``-style text of a number of minutes (negative: ``-…``)."""
    if minutes is None:
        return "–"
    sign = "-" if minutes < 0 else ""
    minutes = abs(minutes)
    days, rest = divmod(minutes, 1440)
    hours, mins = divmod(rest, 60)
    parts = [f"{days}d" if days else "", f"{hours}h" if hours else "", f"{mins}m" if mins else ""]
    return sign + (" ".join(p for p in parts if p) or "0m")


async def sla_panel(principal: Principal, work_order_id: int) -> tuple[str, dict[str, Any]] | None:
    """The work-order page's SLA card (hook of ``facilities.maintenance.hooks``)."""
    if not principal.can("sla.view"):
        return None
    sla = await queries.work_order_sla(principal, work_order_id)
    return "services/sla/_panel.html", {"sla": sla, "sla_duration": duration, **labels()}

"""API schemas of SLA policies, clocks, outcomes and escalations (hand-written msgspec)."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated

import msgspec

from facilities.accounts.enums import Trade
from facilities.kit.schema import Id, Schema, Version
from facilities.maintenance.lifecycle import HoldReason
from facilities.maintenance.workorders.schemas import Priority
from facilities.services.sla.enums import ClockState, Level, SlaCalendar, Target

# A target is a positive number of minutes, at most a year.
Minutes = Annotated[int, msgspec.Meta(gt=0, le=525_600)]
Aware = Annotated[datetime, msgspec.Meta(tz=True)]


class PolicyCreate(Schema):
    """``contract_id`` none = the installation-wide default; ``trade`` none = any trade."""

    priority: Priority
    contract_id: Id | None = None
    trade: Trade | None = None
    response_minutes: Minutes | None = None
    attendance_minutes: Minutes | None = None
    resolution_minutes: Minutes | None = None
    calendar: SlaCalendar = SlaCalendar.business_hours
    pause_reasons: list[HoldReason] = msgspec.field(default_factory=list)
    overrun_percent: Annotated[int, msgspec.Meta(ge=0, le=1000)] = 50


class PolicyUpdate(Schema):
    """The scope (contract, priority, trade) is fixed; ``null`` clears a target."""

    version: Version
    response_minutes: Minutes | msgspec.UnsetType | None = msgspec.UNSET
    attendance_minutes: Minutes | msgspec.UnsetType | None = msgspec.UNSET
    resolution_minutes: Minutes | msgspec.UnsetType | None = msgspec.UNSET
    calendar: SlaCalendar | msgspec.UnsetType = msgspec.UNSET
    pause_reasons: list[HoldReason] | msgspec.UnsetType = msgspec.UNSET
    overrun_percent: Annotated[int, msgspec.Meta(ge=0, le=1000)] | msgspec.UnsetType = msgspec.UNSET


class PolicyRead(Schema):
    id: int
    contract_id: int | None
    contract_name: str | None
    priority: Priority
    trade: Trade | None
    response_minutes: int | None
    attendance_minutes: int | None
    resolution_minutes: int | None
    calendar: SlaCalendar
    pause_reasons: list[HoldReason]
    overrun_percent: int
    version: int
    updated_at: Aware


class TargetRead(Schema):
    target: Target
    minutes: int
    due_at: Aware | None
    achieved_at: Aware | None
    elapsed_minutes: int
    remaining_minutes: int
    used_percent: int
    state: ClockState
    paused_minutes: int


class EscalationRead(Schema):
    id: int
    work_order_id: int
    work_order_title: str
    site_id: int
    site_name: str
    target: Target
    level: int
    level_name: Level
    state: ClockState
    due_at: Aware | None
    recipients: int
    created_at: Aware


class OutcomeRead(Schema):
    target: Target
    policy_id: int | None
    target_minutes: int
    due_at: Aware | None
    achieved_at: Aware
    met: bool
    elapsed_minutes: int


class WorkOrderSla(Schema):
    """The SLA of one work order: the policy that applies (none = no SLA), each target's
    clock, the recorded outcomes and the escalations so far."""

    work_order_id: int
    policy: PolicyRead | None
    calendar: SlaCalendar | None
    time_zone: str
    targets: list[TargetRead]
    outcomes: list[OutcomeRead]
    escalations: list[EscalationRead]


class ContractOutage(Schema):
    """An internet outage of a site under the contract (a monitoring order of the uplink)."""

    work_order_id: int
    site_id: int
    site_name: str
    time_zone: str
    status: str
    started_at: datetime
    ended_at: datetime | None
    resolution_met: bool | None  # None: not settled yet (still open) or no target


class ContractTarget(Schema):
    target: str
    measured: int
    met: int
    rate: float | None


class ContractSla(Schema):
    """SLA outcomes of a contract's work in a period (``docs/kpis.md``, "Contract SLA")."""

    contract_id: int
    contract_name: str
    provider_name: str
    start: date
    end: date
    targets: list[ContractTarget]
    outages: list[ContractOutage]

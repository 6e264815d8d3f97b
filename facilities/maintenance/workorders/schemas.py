"""API schemas of work orders (hand-written msgspec structs) and their enums."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from enum import StrEnum
from typing import Annotated

import msgspec

from facilities.accounts.enums import Trade
from facilities.kit.i18n import N_, _
from facilities.kit.schema import Id, Schema, Version
from facilities.maintenance.lifecycle import HoldReason, WorkOrderStatus

MAX_TITLE = 200
MAX_DESCRIPTION = 5000
MAX_NOTE = 2000
MAX_REASON = 500


class WorkOrderKind(StrEnum):
    corrective = "corrective"
    preventive = "preventive"
    inspection_follow_up = "inspection_follow_up"
    installation = "installation"
    service_visit = "service_visit"


KIND_LABELS = {
    WorkOrderKind.corrective: N_("Repair"),
    WorkOrderKind.preventive: N_("Preventive maintenance"),
    WorkOrderKind.inspection_follow_up: N_("Inspection follow-up"),
    WorkOrderKind.installation: N_("Installation"),
    WorkOrderKind.service_visit: N_("Service visit"),
}


class Priority(StrEnum):
    p1 = "p1"
    p2 = "p2"
    p3 = "p3"
    p4 = "p4"


PRIORITY_LABELS = {
    Priority.p1: N_("P1 · urgent"),
    Priority.p2: N_("P2 · high"),
    Priority.p3: N_("P3 · normal"),
    Priority.p4: N_("P4 · planned"),
}

# A problem report's urgency becomes the work order's priority.
URGENCY_PRIORITY = {"urgent": Priority.p1, "high": Priority.p2, "normal": Priority.p3}
URGENCY_PRIORITY["low"] = Priority.p4


class Origin(StrEnum):
    problem_report = "problem_report"
    schedule = "schedule"
    manual = "manual"
    inspection = "inspection"
    follow_up = "follow_up"
    safety = "safety"  # an incident's corrective action, a certificate's renewal
    monitoring = "monitoring"
    rollout = "rollout"  # an installation of a roll-out (``maintenance.rollouts``)
    anomaly = "anomaly"  # unusual consumption on a meter (``sustainability.anomalies``)


ORIGIN_LABELS = {
    Origin.problem_report: N_("Problem report"),
    Origin.schedule: N_("Maintenance schedule"),
    Origin.manual: N_("Created by hand"),
    Origin.inspection: N_("Inspection"),
    Origin.follow_up: N_("Follow-up"),
    Origin.safety: N_("Safety"),
    Origin.monitoring: N_("Device monitoring"),
    Origin.rollout: N_("Roll-out"),
    Origin.anomaly: N_("Unusual consumption"),
}

HOLD_REASON_LABELS = {
    HoldReason.parts: N_("Waiting for parts"),
    HoldReason.access: N_("No access"),
    HoldReason.other: N_("Other reason"),
}

ACTION_LABELS = {
    "create": N_("Created"),
    "assign": N_("Assign"),
    "unassign": N_("Unassign"),
    "accept": N_("Accept"),
    "decline": N_("Decline"),
    "start": N_("Start work"),
    "hold": N_("Put on hold"),
    "resume": N_("Resume"),
    "complete": N_("Complete"),
    "verify": N_("Verify"),
    "reopen": N_("Reopen"),
    "cancel": N_("Cancel work order"),
    "escalate": N_("SLA escalation"),
    "device": N_("Device monitoring"),
}

# The history of an order reads as what happened (past tense), never as the buttons' verbs.
EVENT_LABELS = {
    "create": N_("Created"),
    "assign": N_("Assigned"),
    "unassign": N_("Assignment removed"),
    "accept": N_("Accepted"),
    "decline": N_("Declined"),
    "start": N_("Work started"),
    "hold": N_("Work put on hold"),
    "resume": N_("Work resumed"),
    "complete": N_("Completed"),
    "verify": N_("Verified"),
    "reopen": N_("Reopened"),
    "cancel": N_("Cancelled"),
    "escalate": N_("SLA escalated"),
}


def event_words(action: str, note: str, assigned: str = "") -> tuple[str, str]:
    """An event of the history in words: (what happened, its note), naming whom an order
    was assigned to, the note of a hold ("parts: …", as stored) starting with the reason in
    words."""
    label = EVENT_LABELS.get(action)
    said = _(label) if label is not None else action.replace("_", " ")
    if assigned and action == "assign":
        said = _("Assigned to %(name)s") % {"name": assigned}
    elif assigned and action == "create":
        said = _("Created and assigned to %(name)s") % {"name": assigned}
    if action == "hold" and note:
        code, _sep, rest = note.partition(": ")
        reason = (
            HOLD_REASON_LABELS.get(HoldReason(code)) if code in HoldReason.__members__ else None
        )
        if reason is not None:
            note = f"{_(reason)}: {rest}" if rest else _(reason)
    return said, note


class CostKind(StrEnum):
    part = "part"
    other = "other"
    refrigerant = "refrigerant"  # a top-up: ``gas`` and kg as the quantity


class PhotoStage(StrEnum):
    before = "before"
    after = "after"
    other = "other"


PHOTO_STAGE_LABELS = {
    PhotoStage.before: N_("before"),
    PhotoStage.after: N_("after"),
    PhotoStage.other: N_("other"),
}


Title = Annotated[str, msgspec.Meta(min_length=1, max_length=MAX_TITLE)]
Description = Annotated[str, msgspec.Meta(max_length=MAX_DESCRIPTION)]
Aware = Annotated[datetime, msgspec.Meta(tz=True)]
Minutes = Annotated[int, msgspec.Meta(gt=0, le=100_000)]
Note = Annotated[str, msgspec.Meta(max_length=MAX_NOTE)]


class WorkOrderCreate(Schema):
    """A work order created by hand. With a partner organisation it starts as "assigned"."""

    title: Title
    site_id: Id
    kind: WorkOrderKind = WorkOrderKind.corrective
    description: Description = ""
    space_id: Id | None = None
    asset_id: Id | None = None
    priority: Priority = Priority.p3
    due_at: Aware | None = None
    partner_organisation_id: Id | None = None
    assignee_id: Id | None = None
    estimated_minutes: Minutes | None = None
    asset_down: bool = False
    trade: Trade | None = None  # None: the asset category's trade, if any
    # None: the default checklist of the asset's category, if any (the order keeps the version)
    checklist_template_id: Id | None = None


class WorkOrderUpdate(Schema):
    """A change of the order's facts; ``version`` is the one the change is based on."""

    version: Version
    title: Title | msgspec.UnsetType = msgspec.UNSET
    description: Description | msgspec.UnsetType = msgspec.UNSET
    kind: WorkOrderKind | msgspec.UnsetType = msgspec.UNSET
    space_id: Id | msgspec.UnsetType | None = msgspec.UNSET
    asset_id: Id | msgspec.UnsetType | None = msgspec.UNSET
    priority: Priority | msgspec.UnsetType = msgspec.UNSET
    due_at: Aware | msgspec.UnsetType | None = msgspec.UNSET
    estimated_minutes: Minutes | msgspec.UnsetType | None = msgspec.UNSET
    asset_down: bool | msgspec.UnsetType = msgspec.UNSET
    trade: Trade | msgspec.UnsetType | None = msgspec.UNSET


class TransitionRequest(Schema):
    """One step of the lifecycle. ``note`` is required to decline, complete, reopen and
    cancel; ``hold_reason`` to hold; ``partner_organisation_id`` to assign."""

    action: Annotated[str, msgspec.Meta(min_length=1, max_length=20)]
    version: Version
    note: Note = ""
    hold_reason: HoldReason | None = None
    partner_organisation_id: Id | None = None
    assignee_id: Id | None = None


class WorkOrderRead(Schema):
    id: int
    kind: WorkOrderKind
    title: str
    description: str
    status: WorkOrderStatus
    site_id: int
    site_name: str
    space_id: int | None
    space_name: str | None
    asset_id: int | None
    asset_name: str | None
    priority: Priority
    due_at: Aware | None
    scheduled_for: Aware | None
    partner_organisation_id: int | None
    partner_organisation_name: str | None
    assignee_id: int | None
    assignee_name: str | None
    estimated_minutes: int | None
    origin: Origin
    problem_report_id: int | None
    schedule_id: int | None
    parent_id: int | None
    hold_reason: str
    completion_note: str
    cancel_reason: str
    asset_down: bool
    trade: Trade | None
    version: int
    created_by_id: int | None
    created_at: Aware
    updated_at: Aware
    accepted_at: Aware | None
    started_at: Aware | None
    completed_at: Aware | None
    verified_at: Aware | None
    allowed_actions: list[str] = msgspec.field(default_factory=list)


class EventRead(Schema):
    id: int
    action: str
    from_status: WorkOrderStatus | None
    to_status: WorkOrderStatus | None
    actor_id: int | None
    actor_label: str
    note: str
    created_at: Aware
    assigned_label: str = ""  # whom an assign (or a routed create) gave it to, as named then


class CommentCreate(Schema):
    body: Annotated[str, msgspec.Meta(min_length=1, max_length=MAX_NOTE)]


class CommentRead(Schema):
    id: int
    author_id: int | None
    author_label: str
    body: str
    created_at: Aware


class TimeCreate(Schema):
    minutes: Minutes
    work_date: date
    note: Annotated[str, msgspec.Meta(max_length=MAX_REASON)] = ""


class TimeRead(Schema):
    id: int
    user_id: int | None
    user_name: str | None
    minutes: int
    work_date: date
    note: str
    created_at: Aware


class CostCreate(Schema):
    description: Annotated[str, msgspec.Meta(min_length=1, max_length=300)]
    quantity: Decimal  # > 0 (checked by the action, naming the field)
    unit_cost: Decimal  # >= 0
    kind: CostKind = CostKind.part
    # refrigerant: the gas (e.g. R-410A; the quantity is the kg filled in)
    gas: Annotated[str, msgspec.Meta(max_length=20)] | None = None


class CostRead(Schema):
    id: int
    kind: CostKind
    description: str
    quantity: Decimal
    unit_cost: Decimal
    total: Decimal
    created_by_id: int | None
    created_at: Aware
    gas: str | None = None


class PhotoRead(Schema):
    id: int
    stage: PhotoStage
    content_type: str
    size: int
    uploaded_by_id: int | None
    created_at: Aware


class MagicLinkCreate(Schema):
    email: Annotated[str, msgspec.Meta(min_length=3, max_length=254)]


class MagicLinkRead(Schema):
    """A link for a one-off contractor (the token itself is only ever shown once)."""

    id: int
    work_order_id: int
    partner_organisation_id: int
    email: str
    created_at: Aware
    expires_at: Aware
    revoked_at: Aware | None
    last_used_at: Aware | None
    active: bool


class MagicLinkCreated(Schema):
    link: MagicLinkRead
    url: str  # absolute; shown once


class Totals(Schema):
    minutes: int
    cost: Decimal

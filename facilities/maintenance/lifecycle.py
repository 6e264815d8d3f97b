"""The work-order lifecycle as data: states, and which role may move an order along which edge.

open → assigned → accepted (partner) → in progress ↔ on hold → completed (partner, with a note)
→ verified (community manager or ops) or reopened; declined by the partner goes back to open;
cancelled with a reason. ``check`` answers the two questions every transition asks: may this
role do it, and does the current state allow it — each with its own clear error.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from facilities.accounts.enums import Role
from facilities.kit.errors import Conflict, PermissionDenied, RuleViolation
from facilities.kit.i18n import N_, _


class WorkOrderStatus(StrEnum):
    open = "open"
    assigned = "assigned"
    accepted = "accepted"
    in_progress = "in_progress"
    on_hold = "on_hold"
    completed = "completed"
    verified = "verified"
    cancelled = "cancelled"


STATUS_LABELS = {
    WorkOrderStatus.open: N_("Open"),
    WorkOrderStatus.assigned: N_("Assigned"),
    WorkOrderStatus.accepted: N_("Accepted"),
    WorkOrderStatus.in_progress: N_("In progress"),
    WorkOrderStatus.on_hold: N_("On hold"),
    WorkOrderStatus.completed: N_("Completed"),
    WorkOrderStatus.verified: N_("Verified"),
    WorkOrderStatus.cancelled: N_("Cancelled"),
}

OPEN_STATES = frozenset(
    {
        WorkOrderStatus.open,
        WorkOrderStatus.assigned,
        WorkOrderStatus.accepted,
        WorkOrderStatus.in_progress,
        WorkOrderStatus.on_hold,
    }
)
CLOSED_STATES = frozenset(
    {WorkOrderStatus.completed, WorkOrderStatus.verified, WorkOrderStatus.cancelled}
)


class HoldReason(StrEnum):
    parts = "parts"
    access = "access"
    other = "other"


S = WorkOrderStatus
STAFF = frozenset({Role.admin, Role.ops_manager, Role.community_manager})
PARTNER = frozenset({Role.partner})


@dataclass(frozen=True, slots=True)
class Transition:
    name: str
    sources: frozenset[WorkOrderStatus]
    target: WorkOrderStatus
    roles: frozenset[Role]
    note_required: bool = False


TRANSITIONS: dict[str, Transition] = {
    t.name: t
    for t in (
        Transition("assign", frozenset({S.open, S.assigned}), S.assigned, STAFF),
        Transition("unassign", frozenset({S.assigned, S.accepted}), S.open, STAFF),
        Transition("accept", frozenset({S.assigned}), S.accepted, PARTNER | STAFF),
        Transition(
            "decline", frozenset({S.assigned, S.accepted}), S.open, PARTNER, note_required=True
        ),
        Transition("start", frozenset({S.assigned, S.accepted}), S.in_progress, PARTNER | STAFF),
        Transition(
            "hold", frozenset({S.in_progress}), S.on_hold, PARTNER | STAFF, note_required=False
        ),
        Transition("resume", frozenset({S.on_hold}), S.in_progress, PARTNER | STAFF),
        Transition(
            "complete", frozenset({S.in_progress}), S.completed, PARTNER | STAFF, note_required=True
        ),
        Transition("verify", frozenset({S.completed}), S.verified, STAFF),
        Transition(
            "reopen", frozenset({S.completed, S.verified}), S.assigned, STAFF, note_required=True
        ),
        Transition(
            "cancel",
            frozenset({S.open, S.assigned, S.accepted, S.in_progress, S.on_hold}),
            S.cancelled,
            STAFF,
            note_required=True,
        ),
    )
}


def check(name: str, current: WorkOrderStatus, role: Role, note: str | None) -> Transition:
    """The transition, or an error: unknown (422), role may not (403), wrong state (409)."""
    transition = TRANSITIONS.get(name)
    if transition is None:
        raise RuleViolation("action", _("Unknown action."))
    if role not in transition.roles:
        raise PermissionDenied(_("Your role may not do this with a work order."))
    if current not in transition.sources:
        raise Conflict(
            _("A work order that is “%(status)s” cannot be changed this way.")
            % {"status": _(STATUS_LABELS[current])},
            field="status",
        )
    if transition.note_required and not (note and note.strip()):
        raise RuleViolation("note", _("Please give a reason or note."))
    return transition


def allowed(current: WorkOrderStatus, role: Role) -> list[str]:
    """The actions this role can take from this state (for the buttons on a page)."""
    return [t.name for t in TRANSITIONS.values() if current in t.sources and role in t.roles]

"""The stage of one site of a roll-out, derived from its installation work order."""

from __future__ import annotations

from enum import StrEnum

from facilities.kit.i18n import N_


class Stage(StrEnum):
    planned = "planned"  # the order exists, nobody has taken it on or dated it
    scheduled = "scheduled"  # accepted by the installer, or a visit date set
    in_progress = "in_progress"
    blocked = "blocked"  # on hold (parts, access) or cancelled
    installed = "installed"  # completed: the device is registered and monitored
    verified = "verified"  # a person checked the installation


STAGES = tuple(Stage)

STAGE_LABELS = {
    Stage.planned: N_("Planned"),
    Stage.scheduled: N_("Scheduled"),
    Stage.in_progress: N_("In progress"),
    Stage.blocked: N_("Blocked"),
    Stage.installed: N_("Installed"),
    Stage.verified: N_("Verified"),
}


def stage_of(status: str | None, scheduled: bool) -> Stage:
    """The stage for a work-order status (``None``: the order is gone → blocked)."""
    if status in ("open", "assigned"):
        return Stage.scheduled if scheduled else Stage.planned
    if status == "accepted":
        return Stage.scheduled
    if status == "in_progress":
        return Stage.in_progress
    if status == "completed":
        return Stage.installed
    if status == "verified":
        return Stage.verified
    return Stage.blocked

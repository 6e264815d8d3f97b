"""Enums of SLA policies and clocks, with their labels."""

from enum import StrEnum

from facilities.kit.i18n import N_


class Target(StrEnum):
    """What an SLA target measures, from the order's creation to ...

    * ``response``: the first ``accept`` (or ``start``, which implies accepting);
    * ``attendance``: the first ``start`` (someone is on site working on it);
    * ``resolution``: the (last) ``complete``.
    """

    response = "response"
    attendance = "attendance"
    resolution = "resolution"


TARGET_LABELS = {
    Target.response: N_("Response"),
    Target.attendance: N_("Attendance"),
    Target.resolution: N_("Resolution"),
}


class SlaCalendar(StrEnum):
    business_hours = "business_hours"  # the site's opening hours, holidays and closures
    always = "24_7"


CALENDAR_LABELS = {
    SlaCalendar.business_hours: N_("Business hours of the site"),
    SlaCalendar.always: N_("24/7"),
}


class ClockState(StrEnum):
    running = "running"
    paused = "paused"
    at_risk = "at_risk"
    breached = "breached"
    met = "met"
    stopped = "stopped"  # the order was cancelled before the target was reached


STATE_LABELS = {
    ClockState.running: N_("Running"),
    ClockState.paused: N_("Paused"),
    ClockState.at_risk: N_("At risk"),
    ClockState.breached: N_("Breached"),
    ClockState.met: N_("Met"),
    ClockState.stopped: N_("Stopped"),
}


class Level(StrEnum):
    """Escalation levels, in order (the number is ``LEVELS.index(level) + 1``)."""

    assignee = "assignee"
    community_manager = "community_manager"
    ops_manager = "ops_manager"


LEVELS = (Level.assignee, Level.community_manager, Level.ops_manager)

LEVEL_LABELS = {
    Level.assignee: N_("Level 1 · assignee"),
    Level.community_manager: N_("Level 2 · community manager"),
    Level.ops_manager: N_("Level 3 · ops manager"),
}

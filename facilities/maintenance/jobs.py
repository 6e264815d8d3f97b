"""Recurring jobs of the maintenance domain (idempotent; safe to run in several processes)."""

from facilities.kit.jobs import Job
from facilities.maintenance.limits import prune_rate_limits
from facilities.maintenance.pm import planned
from facilities.maintenance.pm.generation import generate_due


async def generate_pm() -> None:
    """Generation, then the agenda's planned occurrences brought up to date (the orders
    just created leave ``pm_planned``), so no request pays for that refresh."""
    await generate_due()
    await planned.refresh()


async def refresh_agenda() -> None:
    await planned.refresh()


JOBS = [
    Job(
        id="maintenance.prune_rate_limits",
        func=prune_rate_limits,
        trigger="interval",
        trigger_args={"minutes": 15},
    ),
    Job(
        id="maintenance.generate_pm",
        func=generate_pm,
        trigger="interval",
        trigger_args={"minutes": 5},
        run_at_start=True,
    ),
    # The agenda's planned occurrences (``pm_planned``: calendar page, iCal feeds) brought
    # up to date in the background: at start, every new day (hour, for meter schedules) and
    # after changes, so requests rarely pay for it. Shared rows: wherever the scheduler runs.
    Job(
        id="maintenance.refresh_agenda",
        func=refresh_agenda,
        trigger="interval",
        trigger_args={"minutes": 1},
        run_at_start=True,
    ),
]

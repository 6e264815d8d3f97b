"""Recurring jobs of the maintenance domain (idempotent; safe to run in several processes)."""

from facilities.kit.jobs import Job
from facilities.maintenance.limits import prune_rate_limits
from facilities.maintenance.pm.agenda import refresh as refresh_agenda
from facilities.maintenance.pm.generation import run_job as generate_pm

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
    # The agenda's kept expansion (calendar page, iCal feeds) brought up to date in the
    # background: at start, every new hour and after changes, so requests rarely pay for it.
    # A per-process cache: only where the process serves the pages.
    Job(
        id="maintenance.refresh_agenda",
        func=refresh_agenda,
        trigger="interval",
        trigger_args={"minutes": 1},
        run_at_start=True,
        serving_only=True,
    ),
]

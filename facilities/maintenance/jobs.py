"""Recurring jobs of the maintenance domain (idempotent; safe to run in several processes)."""

from facilities.kit.jobs import Job
from facilities.maintenance.limits import prune_rate_limits
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
]

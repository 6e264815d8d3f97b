"""Recurring jobs of the maintenance domain (idempotent; safe to run in several processes)."""

from facilities.kit.jobs import Job
from facilities.maintenance.limits import prune_rate_limits

JOBS = [
    Job(
        id="maintenance.prune_rate_limits",
        func=prune_rate_limits,
        trigger="interval",
        trigger_args={"minutes": 15},
    ),
]

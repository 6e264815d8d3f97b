"""Recurring jobs of device monitoring (idempotent; safe to run in several processes)."""

from facilities.assets.monitoring.actions import check_devices, prune_rate_hits
from facilities.kit.jobs import Job

JOBS = [
    Job(
        id="assets.monitoring.check_devices",
        func=check_devices,
        trigger="interval",
        trigger_args={"seconds": 30},
        run_at_start=True,
    ),
    Job(
        id="assets.monitoring.prune_rate_hits",
        func=prune_rate_hits,
        trigger="interval",
        trigger_args={"minutes": 15},
    ),
]

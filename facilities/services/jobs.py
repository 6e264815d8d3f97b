"""Recurring jobs of facility services (idempotent; safe to run in several processes)."""

from facilities.kit.jobs import Job
from facilities.services.renewal import run_daily
from facilities.services.visits import run_generation, run_missed

JOBS = [
    Job(
        id="services.refresh_contracts",
        func=run_daily,
        trigger="cron",
        trigger_args={"hour": 5, "minute": 10},
        run_at_start=True,
    ),
    Job(
        id="services.generate_visits",
        func=run_generation,
        trigger="interval",
        trigger_args={"minutes": 15},
        run_at_start=True,
    ),
    Job(
        id="services.mark_missed_visits",
        func=run_missed,
        trigger="interval",
        trigger_args={"minutes": 15},
    ),
]

"""Recurring jobs of reporting (idempotent; safe to run in several processes)."""

from facilities.kit.jobs import Job
from facilities.reporting.subscriptions import run

JOBS = [
    Job(
        id="reporting.send_subscribed_reports",
        func=run,
        trigger="cron",
        trigger_args={"minute": 20},
    ),
]

"""Recurring jobs of the accounts domain (idempotent; safe to run in several processes)."""

from facilities.accounts.actions import purge_expired
from facilities.kit.jobs import Job

JOBS = [
    Job(
        id="accounts.purge_expired",
        func=purge_expired,
        trigger="interval",
        trigger_args={"hours": 1},
    ),
]

"""Recurring jobs of the notifications domain (idempotent; safe in several processes)."""

from __future__ import annotations

from facilities.kit.jobs import Job
from facilities.notifications.actions import purge_old, send_digests
from facilities.notifications.delivery import PassResult, deliver_due
from facilities.notifications.settings import get_outbox_settings


async def deliver_outbox() -> PassResult:
    """Deliver what is due in the outbox (claims rows, so replicas never double-send)."""
    return await deliver_due()


JOBS = [
    Job(
        id="notifications.deliver_outbox",
        func=deliver_outbox,
        trigger="interval",
        trigger_args={"seconds": get_outbox_settings().outbox_interval_seconds},
        run_at_start=True,
    ),
    Job(
        id="notifications.send_digests",
        func=send_digests,
        trigger="cron",
        trigger_args={"minute": 5},
    ),
    Job(
        id="notifications.purge_old",
        func=purge_old,
        trigger="cron",
        trigger_args={"hour": 3, "minute": 40},
    ),
]

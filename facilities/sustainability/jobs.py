"""Recurring jobs of sustainability (idempotent; safe to run in several processes)."""

from facilities.kit.jobs import Job
from facilities.sustainability.anomalies import scan


async def scan_anomalies() -> None:
    await scan()


JOBS = [
    # Nightly, after the gateways' exports of the day before have usually arrived.
    Job(
        id="sustainability.scan_anomalies",
        func=scan_anomalies,
        trigger="cron",
        trigger_args={"hour": 6, "minute": 30},
    ),
]

"""Recurring jobs of the safety domain (idempotent; safe to run in several processes)."""

from facilities.kit.jobs import Job
from facilities.safety.inspections.actions import generate_due


async def generate_inspections() -> None:
    """Create the inspections of every programme now due (unique index: no duplicates)."""
    await generate_due()


JOBS = [
    Job(
        id="safety.generate_inspections",
        func=generate_inspections,
        trigger="interval",
        trigger_args={"minutes": 5},
        run_at_start=True,
    ),
]

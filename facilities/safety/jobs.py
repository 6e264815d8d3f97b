"""Recurring jobs of safety (idempotent; safe to run in several processes).

``safety.generate_inspections``: create the inspections of every programme now due (a unique
index per programme, target and occurrence: no duplicates).
``safety.daily``: load the shipped certificate and training types that are missing, then
queue the reminders before certificates and trainings expire (each once per item and
threshold: the outbox's dedupe key)."""

from __future__ import annotations

from facilities.kit.jobs import Job
from facilities.safety.compliance.actions import seed_certificate_types
from facilities.safety.compliance.reminders import remind_certificates
from facilities.safety.inspections.actions import generate_due
from facilities.safety.training.actions import seed_training_types
from facilities.safety.training.reminders import remind_trainings


async def generate_inspections() -> None:
    await generate_due()


async def run_daily() -> None:
    await seed_certificate_types()
    await seed_training_types()
    await remind_certificates()
    await remind_trainings()


JOBS = [
    Job(
        id="safety.generate_inspections",
        func=generate_inspections,
        trigger="interval",
        trigger_args={"minutes": 5},
        run_at_start=True,
    ),
    Job(
        id="safety.daily",
        func=run_daily,
        trigger="cron",
        trigger_args={"hour": 5, "minute": 20},
        run_at_start=True,
    ),
]

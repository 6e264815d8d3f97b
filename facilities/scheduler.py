"""The one APScheduler (3.x) of the process, built from every domain's ``jobs.JOBS``.

Jobs are idempotent and claim their work in the database, so running the scheduler in
several processes never doubles work; still, in multi-replica deployments set
``FACILITIES_SCHEDULER=false`` on the web replicas and run one ``facilities scheduler``.
"""

from __future__ import annotations

import logging
from datetime import UTC

from apscheduler.schedulers.asyncio import AsyncIOScheduler

from facilities.accounts import jobs as account_jobs
from facilities.kit import clock
from facilities.kit.jobs import Job
from facilities.maintenance import jobs as maintenance_jobs
from facilities.notifications import jobs as notification_jobs
from facilities.services import jobs as service_jobs
from facilities.services.sla import jobs as sla_jobs

log = logging.getLogger(__name__)

ALL_JOBS: list[Job] = [
    *account_jobs.JOBS,
    *maintenance_jobs.JOBS,
    *notification_jobs.JOBS,
    *service_jobs.JOBS,
    *sla_jobs.JOBS,
]


def build_scheduler() -> AsyncIOScheduler:
    scheduler = AsyncIOScheduler(timezone=UTC)
    for job in ALL_JOBS:
        extra = dict(job.trigger_args)
        if job.run_at_start:  # passing next_run_time=None would add the job paused
            extra["next_run_time"] = clock.now()
        scheduler.add_job(
            job.func,
            job.trigger,
            id=job.id,
            name=job.id,
            replace_existing=True,
            coalesce=True,
            max_instances=1,
            misfire_grace_time=300,
            **extra,
        )
    return scheduler

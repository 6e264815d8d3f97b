"""The one APScheduler (3.x) of the process, built from every domain's ``jobs.JOBS``.

Jobs are idempotent and claim their work in the database, so running the scheduler in
several processes never doubles work; still, in multi-replica deployments set
``FACILITIES_SCHEDULER=false`` on the web replicas and run one ``facilities scheduler``.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from datetime import UTC
from functools import wraps
from typing import Any

from apscheduler.schedulers.asyncio import AsyncIOScheduler

from facilities.accounts import jobs as account_jobs
from facilities.assets.monitoring import jobs as monitoring_jobs
from facilities.kit import clock
from facilities.kit.jobs import Job
from facilities.maintenance import jobs as maintenance_jobs
from facilities.notifications import jobs as notification_jobs
from facilities.reporting import jobs as reporting_jobs
from facilities.safety import jobs as safety_jobs
from facilities.services import jobs as service_jobs
from facilities.services.sla import jobs as sla_jobs
from facilities.sustainability import jobs as sustainability_jobs
from facilities.wiring import install

log = logging.getLogger(__name__)

ALL_JOBS: list[Job] = [
    *account_jobs.JOBS,
    *monitoring_jobs.JOBS,
    *maintenance_jobs.JOBS,
    *notification_jobs.JOBS,
    *safety_jobs.JOBS,
    *service_jobs.JOBS,
    *sla_jobs.JOBS,
    *sustainability_jobs.JOBS,
    *reporting_jobs.JOBS,
]


# How long ``stop()`` waits for cancelled jobs to finish (their rollbacks, their connections
# going back to the pool) before it gives up on them; the pool then closes with its own
# deadline (``db.close_database``), so a stop takes a few seconds at most.
JOB_STOP_TIMEOUT_S = 2.5


class FacilitiesScheduler(AsyncIOScheduler):
    """APScheduler 3's ``AsyncIOScheduler`` that can stop its running jobs.

    ``AsyncIOScheduler.shutdown()`` cancels the job tasks but cannot wait for them (it is
    not a coroutine): the caller would close the database pool while cancelled jobs still
    roll back and hand their connections back. ``stop()`` cancels every running job and
    awaits them with a deadline. A job cancelled by ``stop()`` ends quietly (logged at
    INFO) instead of as an error with a traceback.
    """

    def __init__(self, **options: Any) -> None:
        super().__init__(**options)
        self._job_tasks: dict[asyncio.Task[Any], str] = {}
        self._stopping = False

    def tracked(
        self, job_id: str, func: Callable[[], Awaitable[Any]]
    ) -> Callable[[], Awaitable[Any]]:
        """``func`` as a job whose task ``stop()`` can cancel and wait for."""

        @wraps(func)
        async def run() -> Any:
            task = asyncio.current_task()
            assert task is not None
            self._job_tasks[task] = job_id
            try:
                return await func()
            except asyncio.CancelledError:
                if not self._stopping:
                    raise
                log.info("job %s cancelled: the scheduler is stopping", job_id)
                return None
            finally:
                self._job_tasks.pop(task, None)

        return run

    async def stop(self, grace: float = JOB_STOP_TIMEOUT_S) -> None:
        """Stop scheduling, cancel the running jobs and wait up to ``grace`` seconds for them."""
        self._stopping = True
        if self.running:
            self.shutdown(wait=False)  # stops the timer; cancels the executor's tasks
        tasks = dict(self._job_tasks)
        for task in tasks:
            task.cancel()
        if not tasks:
            return
        _done, pending = await asyncio.wait(tasks, timeout=grace)
        if pending:
            log.warning(
                "jobs still running %.1f s after the stop: %s",
                grace,
                ", ".join(sorted(tasks[task] for task in pending)),
            )


def build_scheduler(*, serving: bool = True) -> FacilitiesScheduler:
    """Every domain's jobs; ``serving=False`` (the scheduler run alone) leaves out those
    that only keep a serving process's caches warm (``Job.serving_only``)."""
    install()  # the jobs' changes must reach every listener (facilities/wiring.py)
    scheduler = FacilitiesScheduler(timezone=UTC)
    for job in ALL_JOBS:
        if job.serving_only and not serving:
            continue
        extra = dict(job.trigger_args)
        if job.run_at_start:  # passing next_run_time=None would add the job paused
            extra["next_run_time"] = clock.now()
        scheduler.add_job(
            scheduler.tracked(job.id, job.func),
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

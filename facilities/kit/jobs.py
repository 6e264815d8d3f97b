"""How a domain declares a recurring job; ``facilities.scheduler`` runs them."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True, slots=True)
class Job:
    id: str  # stable dotted id, e.g. "maintenance.generate_work_orders"
    func: Callable[[], Awaitable[Any]]
    trigger: str  # APScheduler trigger name: "interval" or "cron"
    trigger_args: dict[str, Any] = field(default_factory=dict)
    run_at_start: bool = False
    # only where the process also serves the pages (a per-process cache kept warm); the
    # scheduler run alone (``facilities scheduler``) leaves it out
    serving_only: bool = False

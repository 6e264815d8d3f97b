"""Rate limits of the public scan page (per client address or user, and per label code)."""

from __future__ import annotations

from datetime import timedelta

from facilities.kit.ratelimit import Limit, RateLimiter
from facilities.maintenance.tables import RateLimitHit

limiter = RateLimiter(RateLimitHit)

REPORTS_PER_CLIENT = Limit("report-client", 10, timedelta(minutes=10))
REPORTS_PER_CODE = Limit("report-code", 30, timedelta(hours=1))
SAME_PER_CLIENT = Limit("same-client", 20, timedelta(minutes=10))
SAME_PER_CODE = Limit("same-code", 60, timedelta(hours=1))

LONGEST_WINDOW = timedelta(hours=1)


async def prune_rate_limits() -> int:
    """Drop hits no window counts any more (a scheduled job; idempotent)."""
    return await limiter.prune(LONGEST_WINDOW)

"""The database-backed rate limiter (shared by every replica)."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta

import pytest

from facilities.kit import clock
from facilities.kit.errors import RateLimited
from facilities.kit.ratelimit import Limit, RateLimiter, hit_key
from facilities.maintenance.limits import prune_rate_limits
from facilities.maintenance.tables import RateLimitHit
from facilities.scheduler import ALL_JOBS

THREE_PER_MINUTE = Limit("test", 3, timedelta(minutes=1))
START = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


async def test_window_limits_then_expires() -> None:
    limiter = RateLimiter(RateLimitHit)
    with clock.pinned(START):
        for _n in range(3):
            await limiter.hit((THREE_PER_MINUTE, "203.0.113.7"))
            clock.advance(timedelta(seconds=10))
        with pytest.raises(RateLimited) as raised:
            await limiter.hit((THREE_PER_MINUTE, "203.0.113.7"))
        assert raised.value.status_code == 429
        assert raised.value.retry_after == 30  # the first hit (t=0) leaves the window at t=60
        await limiter.hit((THREE_PER_MINUTE, "198.51.100.1"))  # another subject is not limited
        clock.advance(timedelta(seconds=31))
        await limiter.hit((THREE_PER_MINUTE, "203.0.113.7"))
    assert await RateLimitHit.count() == 5


async def test_a_refused_request_records_nothing() -> None:
    limiter = RateLimiter(RateLimitHit)
    one = Limit("one", 1, timedelta(minutes=1))
    many = Limit("many", 100, timedelta(minutes=1))
    with clock.pinned(START):
        await limiter.hit((one, "a"), (many, "b"))
        with pytest.raises(RateLimited):
            await limiter.hit((many, "b"), (one, "a"))
    keys = [r["key"] for r in await RateLimitHit.select(RateLimitHit.key)]
    assert sorted(keys) == sorted([hit_key(one, "a"), hit_key(many, "b")])


async def test_keys_are_keyed_hashes_not_addresses() -> None:
    key = hit_key(THREE_PER_MINUTE, "203.0.113.7")
    assert key.startswith("test:")
    assert "203.0.113.7" not in key
    assert key == hit_key(THREE_PER_MINUTE, "203.0.113.7")
    assert key != hit_key(THREE_PER_MINUTE, "203.0.113.8")


async def test_concurrent_hits_never_exceed_the_limit() -> None:
    limiter = RateLimiter(RateLimitHit)
    five = Limit("five", 5, timedelta(minutes=1))

    async def attempt() -> bool:
        try:
            await limiter.hit((five, "same-client"))
        except RateLimited:
            return False
        return True

    results = await asyncio.gather(*(attempt() for _n in range(20)))
    assert results.count(True) == 5
    assert await RateLimitHit.count() == 5


async def test_prune_removes_only_expired_hits() -> None:
    limiter = RateLimiter(RateLimitHit)
    with clock.pinned(START):
        await limiter.hit((THREE_PER_MINUTE, "old"))
        clock.advance(timedelta(hours=2))
        await limiter.hit((THREE_PER_MINUTE, "new"))
        assert await prune_rate_limits() == 1
    rows = await RateLimitHit.select(RateLimitHit.key)
    assert [r["key"] for r in rows] == [hit_key(THREE_PER_MINUTE, "new")]


def test_prune_job_is_scheduled() -> None:
    assert "maintenance.prune_rate_limits" in {job.id for job in ALL_JOBS}

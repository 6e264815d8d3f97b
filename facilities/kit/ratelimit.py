"""A small sliding-window rate limiter that works across several app replicas.

Hits are rows in a database table (any Piccolo table with a ``key`` and a ``created_at``
column; the maintenance domain provides ``rate_limit_hit``), so every replica sees the same
counts. Subjects such as a client address are stored only as a keyed hash
(``facilities.kit.security.keyed_hash``) - never the address itself.

    REPORTS_PER_IP = Limit("report-ip", 10, timedelta(minutes=10))
    limiter = RateLimiter(RateLimitHit)
    await limiter.hit((REPORTS_PER_IP, client_address(request)), (REPORTS_PER_CODE, code))

``hit`` checks every limit first and records a hit for each only when none is exceeded;
otherwise it raises ``RateLimited`` with the seconds until the oldest counted hit expires
(sent as ``Retry-After``). On PostgreSQL a transaction-level advisory lock per key makes the
check-and-insert exact under concurrency; on SQLite the write transaction is already
exclusive (``BEGIN IMMEDIATE``).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from piccolo.table import Table

from facilities.db import is_sqlite, transaction
from facilities.kit import clock
from facilities.kit.errors import RateLimited
from facilities.kit.i18n import _
from facilities.kit.rows import aware
from facilities.kit.security import keyed_hash
from facilities.kit.web import Req
from facilities.settings import get_settings


@dataclass(frozen=True, slots=True)
class Limit:
    name: str  # short, stable; part of the stored key
    limit: int
    window: timedelta


def client_address(request: Req) -> str:
    """The caller's address, for rate limiting only (hash it; never store it)."""
    if get_settings().trusted_proxies:
        forwarded = request.headers.get("x-forwarded-for", "")
        if forwarded:
            return forwarded.split(",")[0].strip()
    return request.client.host if request.client else "unknown"


def hit_key(limit: Limit, subject: str) -> str:
    return f"{limit.name}:{keyed_hash(get_settings().resolved_secret_key(), subject)}"


class RateLimiter:
    def __init__(self, table: type[Table]) -> None:
        self.table = table
        self.key_column: Any = table._meta.get_column_by_name("key")
        self.time_column: Any = table._meta.get_column_by_name("created_at")

    async def hit(self, *checks: tuple[Limit, str]) -> None:
        """Count one request against every (limit, subject); raise when one is exceeded."""
        now = clock.now()
        if len(checks) == 1:
            await self._hit_one(*checks[0], now)
            return
        keyed = [(limit, hit_key(limit, subject)) for limit, subject in checks]
        async with transaction():
            retry_after = 0
            for limit, key in keyed:
                if not is_sqlite():
                    await self.table.raw("SELECT pg_advisory_xact_lock(hashtext({}))", key)
                since = now - limit.window
                rows = (
                    await self.table.select(self.time_column)
                    .where((self.key_column == key) & (self.time_column > since))
                    .order_by(self.time_column)
                    .limit(limit.limit)
                )
                if len(rows) >= limit.limit:
                    oldest = rows[0]["created_at"]
                    wait = (oldest + limit.window - now).total_seconds()
                    retry_after = max(retry_after, math.ceil(wait), 1)
            if retry_after:
                raise RateLimited(
                    _("Too many requests from here. Please try again in %(minutes)d minute(s).")
                    % {"minutes": max(1, math.ceil(retry_after / 60))},
                    retry_after=retry_after,
                )
            await self.table.insert(
                *(self.table(key=key, created_at=now) for _limit, key in keyed)
            ).run()

    def hit_steps(
        self, limit: Limit, subject: str, now: datetime
    ) -> list[tuple[str, tuple[Any, ...]]]:
        """The statements that count one request against one limit, each returning a row
        unless the limit is reached: on PostgreSQL the advisory lock of the key, then one
        conditional INSERT (the check and the hit at once, no rows read back). For
        ``db.all_or_nothing`` (the heartbeat hot path) and ``hit``."""
        key = hit_key(limit, subject)
        table = self.table._meta.tablename
        steps: list[tuple[str, tuple[Any, ...]]] = []
        if not is_sqlite():
            steps.append(("SELECT pg_advisory_xact_lock(hashtext({}))", (key,)))
        steps.append(
            (
                f"INSERT INTO {table} (key, created_at) SELECT {{}}, {{}}"  # noqa: S608 - the table's name
                f" WHERE (SELECT count(*) FROM {table} WHERE key = {{}} AND created_at > {{}})"
                " < {} RETURNING id",
                (key, now, key, now - limit.window, limit.limit),
            )
        )
        return steps

    async def refused(self, limit: Limit, subject: str, now: datetime) -> RateLimited:
        """The answer to a request over ``limit``: wait until its oldest counted hit ends."""
        table = self.table._meta.tablename
        oldest = await self.table.raw(
            f"SELECT min(created_at) AS oldest FROM {table}"  # noqa: S608 - the table's name
            " WHERE key = {} AND created_at > {}",
            hit_key(limit, subject),
            now - limit.window,
        )
        found = oldest[0]["oldest"] if oldest else None
        wait = (aware(found) + limit.window - now).total_seconds() if found else 1
        retry_after = max(math.ceil(wait), 1)
        return RateLimited(
            _("Too many requests from here. Please try again in %(minutes)d minute(s).")
            % {"minutes": max(1, math.ceil(retry_after / 60))},
            retry_after=retry_after,
        )

    async def _hit_one(self, limit: Limit, subject: str, now: datetime) -> None:
        """One limit: ``hit_steps`` in a transaction (joining the caller's); the same
        answers as the general path."""
        async with transaction():
            for sql, args in self.hit_steps(limit, subject, now):
                if not await self.table.raw(sql, *args):
                    raise await self.refused(limit, subject, now)

    async def prune(self, older_than: timedelta) -> int:
        """Delete hits older than the longest window in use; returns how many went."""
        cutoff = clock.now() - older_than
        count = await self.table.count().where(self.time_column < cutoff)
        if count:
            await self.table.delete().where(self.time_column < cutoff).run()
        return int(count)

    async def reset(self, limit: Limit, subject: str) -> None:
        await self.table.delete().where(self.key_column == hit_key(limit, subject)).run()

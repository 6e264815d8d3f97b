"""Reference endpoints for ``make bench``, mounted only when ``FACILITIES_BENCH_MODE=true``.

The benchmark compares the real API with what the same server does with no work at all
(a bare hello-world) and with the same SQL run directly through the driver (one ``sqlite3``
connection queried in the handler, or an ``asyncpg`` pool), so the ratios show the cost of
our own layers (auth, scoping, engine, schemas) on a noisy machine.

All of them are public, skip CSRF and stay out of the OpenAPI schema. They use their own
connection or pool, opened lazily on first use; settings refuse bench mode in production.
"""

from __future__ import annotations

import asyncio
import json
import sqlite3
from decimal import Decimal
from typing import Any

import asyncpg
from litestar import Response, get
from litestar.exceptions import NotFoundException
from litestar.params import FromPath

from facilities.db import postgres_config
from facilities.settings import get_settings
from facilities.sites.queries import site_by_id_sql, site_page_sql

_OPT = {"public": True, "exclude_from_csrf": True}

# The very SQL of facilities.sites.queries, so the ratio measures our layers, not the query.
_LIST_WHERE = " WHERE s.archived = {}"
_LIST_ARGS = (False, False, 50, 0)
_PAGE = 50


def _clean(row: dict[str, Any]) -> dict[str, Any]:
    if isinstance(row["opening_hours"], str):
        row["opening_hours"] = json.loads(row["opening_hours"])
    if isinstance(row["floor_area_m2"], Decimal):
        row["floor_area_m2"] = float(row["floor_area_m2"])
    row["allow_anonymous_reports"] = bool(row["allow_anonymous_reports"])
    row["archived"] = bool(row["archived"])
    return row


def _page(rows: list[dict[str, Any]]) -> dict[str, Any]:
    total = rows[0]["total"] if rows else 0
    items = []
    for row in rows:
        del row["total"]
        items.append(_clean(row))
    return {"items": items, "total": total, "limit": _PAGE, "offset": 0}


class _SQLiteReference:
    """One plain ``sqlite3`` connection, queried synchronously in the handler: the fastest
    the raw driver gets (and what our engine does for reads within its budget)."""

    sqlite = True

    def __init__(self, path: str) -> None:
        self.path = path
        self.connection: sqlite3.Connection | None = None

    async def fetch(self, sql: str, *args: Any) -> list[dict[str, Any]]:
        if self.connection is None:
            self.connection = sqlite3.connect(self.path, check_same_thread=False)
            self.connection.execute("PRAGMA busy_timeout = 15000")
            self.connection.row_factory = sqlite3.Row
        rows = self.connection.execute(sql.replace("{}", "?"), args).fetchall()
        return [dict(row) for row in rows]

    async def close(self) -> None:
        if self.connection is not None:
            self.connection.close()


class _PostgresReference:
    """An ``asyncpg`` pool of its own."""

    sqlite = False

    def __init__(self, url: str) -> None:
        self.config = postgres_config(url)
        self.pool: asyncpg.Pool | None = None
        self.lock = asyncio.Lock()

    async def fetch(self, sql: str, *args: Any) -> list[dict[str, Any]]:
        if self.pool is None:
            async with self.lock:
                if self.pool is None:
                    self.pool = await asyncpg.create_pool(**self.config, min_size=2, max_size=10)
        parts = sql.split("{}")
        sql = parts[0] + "".join(f"${n}{part}" for n, part in enumerate(parts[1:], start=1))
        return [dict(row) for row in await self.pool.fetch(sql, *args)]

    async def close(self) -> None:
        if self.pool is not None:
            await self.pool.close()


_reference: _SQLiteReference | _PostgresReference | None = None


def _driver() -> _SQLiteReference | _PostgresReference:
    global _reference
    if _reference is None:
        settings = get_settings()
        if settings.is_postgres:
            _reference = _PostgresReference(settings.resolved_database_url)
        else:
            _reference = _SQLiteReference(str(settings.sqlite_path))
    return _reference


async def close() -> None:
    """Close the reference connection or pool (tests; the server simply exits)."""
    global _reference
    if _reference is not None:
        await _reference.close()
        _reference = None


@get("/bench/hello", opt=_OPT, include_in_schema=False, sync_to_thread=False)
def hello() -> Response[bytes]:
    """The framework floor: routing, middleware and a response, no work."""
    return Response(b'{"hello":"world"}', media_type="application/json")


@get("/bench/raw/sites/{site_id:int}", opt=_OPT, include_in_schema=False)
async def raw_site(site_id: FromPath[int]) -> dict[str, Any]:
    driver = _driver()
    rows = await driver.fetch(site_by_id_sql(driver.sqlite), site_id)
    if not rows:
        raise NotFoundException()
    return _clean(rows[0])


@get("/bench/raw/sites", opt=_OPT, include_in_schema=False)
async def raw_sites() -> dict[str, Any]:
    driver = _driver()
    return _page(await driver.fetch(site_page_sql(driver.sqlite, _LIST_WHERE), *_LIST_ARGS))


BENCH_ROUTES = [hello, raw_site, raw_sites]

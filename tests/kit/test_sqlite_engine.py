"""The pooled SQLite engine: inline reads on the event loop, with a budget and a way out."""

from __future__ import annotations

import asyncio
import sqlite3

import pytest

from facilities import db
from facilities.kit.sqlite_engine import PooledSQLiteEngine

pytestmark = pytest.mark.one_engine("sqlite")  # the SQLite engine only

# About a million virtual-machine steps: far past the inline budget on any machine.
HEAVY = (
    "SELECT (WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c WHERE x < 400000)"
    " SELECT count(*) FROM c) AS n"
)


def _engine() -> PooledSQLiteEngine:
    engine = db.engine()
    assert isinstance(engine, PooledSQLiteEngine)
    return engine


async def test_a_small_read_runs_inline_and_sees_committed_writes() -> None:
    engine = _engine()
    await db.raw("INSERT INTO region (name, created_at) VALUES ({}, {})", "Inline", "2030-01-01")
    rows = engine._read_inline("SELECT name FROM region WHERE name = ?", ["Inline"])
    assert rows == [{"name": "Inline"}]


async def test_a_read_over_budget_is_interrupted_and_finishes_on_a_reader_thread() -> None:
    engine = _engine()
    assert engine._read_inline(HEAVY, []) is None  # interrupted: too long for the loop
    rows = await db.raw(HEAVY)
    assert rows == [{"n": 400000}]


async def test_the_event_loop_keeps_running_while_a_heavy_read_runs() -> None:
    ticks = 0
    done = asyncio.Event()

    async def ticker() -> None:
        nonlocal ticks
        while not done.is_set():
            ticks += 1
            await asyncio.sleep(0)

    task = asyncio.create_task(ticker())
    try:
        rows = await db.raw(HEAVY)
    finally:
        done.set()
        await task
    assert rows == [{"n": 400000}]
    assert ticks > 1  # other tasks ran while SQLite worked on a reader thread


async def test_the_inline_connection_cannot_write() -> None:
    engine = _engine()
    with pytest.raises(sqlite3.OperationalError, match="readonly"):
        engine._read_inline("INSERT INTO region (name) VALUES ('x') RETURNING id", [])
    assert await db.raw("SELECT count(*) AS n FROM region") == [{"n": 0}]


async def test_sql_errors_from_inline_reads_are_raised_not_retried() -> None:
    with pytest.raises(sqlite3.OperationalError, match="no such table"):
        await db.raw("SELECT * FROM no_such_table")

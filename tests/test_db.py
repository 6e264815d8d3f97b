"""Transactions give their connection back on every way out, cancellation included.

A task cancelled while its transaction's ``BEGIN`` was in flight kept its pooled connection
for good with Piccolo's own transaction (``idle in transaction`` on PostgreSQL, the writer
lock on SQLite): closing the pool then waited forever and ``facilities scheduler`` did not
stop on SIGTERM. Each test uses an engine with a single connection (PostgreSQL: a pool of
one; SQLite: the one writer), so a leaked connection makes the next transaction wait: the
``asyncio.timeout`` turns that hang into a failure.
"""

from __future__ import annotations

import asyncio
import os
import tempfile
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
from piccolo.engine.base import Engine
from piccolo.querystring import QueryString

from facilities import db
from facilities.kit.sqlite_engine import PooledSQLiteEngine

HANG = 10  # seconds: far beyond what a free connection takes to hand out


@pytest.fixture
async def one_connection() -> AsyncIterator[Engine]:
    if db.is_sqlite():
        with tempfile.TemporaryDirectory() as tmp:
            engine: Any = PooledSQLiteEngine(str(Path(tmp) / "one.sqlite3"), readers=1)
            await engine.open()
            yield engine
            await engine.close()
        return
    engine = db.FacilitiesPostgresEngine(
        config=db.postgres_config(os.environ["FACILITIES_DATABASE_URL"])
    )
    await engine.start_connection_pool(min_size=1, max_size=1)
    yield engine
    pool = engine.pool
    try:  # a leaked connection would keep a plain close() waiting forever
        await asyncio.wait_for(pool.close(), HANG)
    except TimeoutError:
        pool.terminate()


async def _in_transaction(engine: Engine) -> int:
    async with engine.transaction():
        rows = await engine.run_querystring(QueryString("SELECT 41 + 1 AS n"))
    return rows[0]["n"]


async def test_a_transaction_cancelled_during_begin_gives_its_connection_back(
    one_connection: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    engine = one_connection
    transaction_class = type(engine.transaction())
    real_begin = transaction_class.begin
    began = asyncio.Event()

    async def begin_then_stall(self: Any) -> None:
        await real_begin(self)  # the server is inside the transaction now
        began.set()
        await asyncio.Event().wait()  # ... and the task is cancelled before BEGIN returns

    monkeypatch.setattr(transaction_class, "begin", begin_then_stall)
    task = asyncio.create_task(_in_transaction(engine))
    await began.wait()
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    monkeypatch.setattr(transaction_class, "begin", real_begin)

    async with asyncio.timeout(HANG):
        assert await _in_transaction(engine) == 42
    assert engine.current_transaction.get() is None


async def test_a_transaction_whose_commit_fails_gives_its_connection_back(
    one_connection: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    engine = one_connection
    transaction_class = type(engine.transaction())
    real_commit = transaction_class.commit

    async def commit_fails(self: Any) -> None:
        raise ConnectionResetError("lost the server during COMMIT")

    monkeypatch.setattr(transaction_class, "commit", commit_fails)
    with pytest.raises(ConnectionResetError):
        await _in_transaction(engine)
    monkeypatch.setattr(transaction_class, "commit", real_commit)

    async with asyncio.timeout(HANG):
        assert await _in_transaction(engine) == 42
    assert engine.current_transaction.get() is None


@pytest.mark.one_engine("postgres")  # a PostgreSQL session setting
async def test_pooled_sessions_run_without_jit() -> None:
    """``db.SESSION_SETTINGS`` is given where the pool is created: JIT compilation cost the
    dashboard's big statements 100-400 ms each (``docs/benchmarks.md``)."""
    assert db.SESSION_SETTINGS == {"jit": "off"}
    assert (await db.raw("SHOW jit"))[0]["jit"] == "off"


async def test_reads_at_once_is_one_inside_a_transaction_and_capped_outside(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """``db.reads_at_once``: concurrent reads (the dashboard's) only outside a transaction,
    at most SQLite's reader threads or half the PostgreSQL pool."""
    if db.is_sqlite():
        cap = db.engine().reader_count  # type: ignore[attr-defined]
    else:
        monkeypatch.setattr(db, "_pool_max", lambda: 6)
        cap = 3
    assert db.reads_at_once(1) == 1
    assert db.reads_at_once(2) == min(2, cap)
    assert db.reads_at_once(100) == cap
    async with db.transaction():
        assert db.reads_at_once(4) == 1

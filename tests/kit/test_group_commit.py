"""``db.all_or_nothing`` under concurrency, and SQLite's group commit behind it: queued calls
share one writer trip and one transaction, each inside its own savepoint."""

from __future__ import annotations

import asyncio
import sqlite3
from collections.abc import Callable, Coroutine
from datetime import UTC, datetime
from typing import Any

import pytest

from facilities import db
from facilities.kit import sqlite_engine
from facilities.kit.sqlite_engine import PooledSQLiteEngine

T0 = datetime(2030, 1, 1, tzinfo=UTC)
sqlite_only = pytest.mark.one_engine("sqlite")  # the SQLite engine's own machinery

Step = tuple[str, tuple[Any, ...]]


def insert(key: str) -> Step:
    return ("INSERT INTO device_rate_hit (key, created_at) VALUES ({}, {}) RETURNING id", (key, T0))


NOTHING: Step = ("SELECT id FROM device_rate_hit WHERE key = {}", ("no such key",))
RAISES: Step = ("SELECT * FROM no_such_table", ())


async def keys() -> list[str]:
    return sorted(r["key"] for r in await db.raw("SELECT key FROM device_rate_hit"))


async def outcome(*steps: Step) -> int | str | None:
    try:
        return await db.all_or_nothing(*steps)
    except Exception:
        return "raised"


async def test_concurrent_callers_each_get_their_own_answer_and_only_theirs_commit() -> None:
    calls: list[tuple[tuple[Step, ...], int | str | None, list[str]]] = []
    for n in range(60):
        kind = n % 4
        if kind == 0:  # all committed
            calls.append(((insert(f"ok-{n}a"), insert(f"ok-{n}b")), None, [f"ok-{n}a", f"ok-{n}b"]))
        elif kind == 1:  # refused at the second step: its first step rolled back too
            calls.append(((insert(f"no-{n}"), NOTHING), 1, []))
        elif kind == 2:  # a statement raises after a write: that write rolled back
            calls.append(((insert(f"err-{n}"), RAISES), "raised", []))
        else:  # refused at the first step
            calls.append(((NOTHING, insert(f"never-{n}")), 0, []))
    answers = await asyncio.gather(*(outcome(*steps) for steps, _, _ in calls))
    assert list(answers) == [expected for _, expected, _ in calls]
    assert await keys() == sorted(key for _, _, committed in calls for key in committed)


# ---- SQLite: the group commit itself --------------------------------------------------


def _engine() -> PooledSQLiteEngine:
    engine = db.engine()
    assert isinstance(engine, PooledSQLiteEngine)
    return engine


async def _until(condition: Callable[[], bool]) -> None:
    """Let other tasks run until ``condition`` holds (event-loop turns, no timer)."""
    for _ in range(10_000):
        if condition():
            return
        await asyncio.sleep(0)
    raise AssertionError("condition never held")


@pytest.fixture
def batches(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """The size of every batch sent to the writer's thread."""
    sizes: list[int] = []
    original = sqlite_engine._group_commit

    def counted(connection: sqlite3.Connection, batch: list[Any]) -> Any:
        sizes.append(len(batch))
        return original(connection, batch)

    monkeypatch.setattr(sqlite_engine, "_group_commit", counted)
    return sizes


async def _queued_behind_the_writer(
    calls: list[Callable[[], Coroutine[Any, Any, Any]]],
) -> list[asyncio.Task[Any]]:
    """Start ``calls`` while the writer is held, so that they queue; the writer is released
    once they all wait for it (the caller must release it)."""
    engine = _engine()
    await engine.acquire_writer()
    tasks = [asyncio.create_task(call()) for call in calls]
    await _until(lambda: len(engine._group) == len(calls))
    return tasks


@sqlite_only
async def test_queued_calls_share_one_trip_and_keep_their_own_semantics(
    batches: list[int],
) -> None:
    engine = _engine()
    tasks = await _queued_behind_the_writer(
        [
            lambda: outcome(insert("a"), insert("b")),
            lambda: outcome(insert("refused"), NOTHING),
            lambda: outcome(insert("raised"), RAISES),
            lambda: outcome(insert("c")),
        ]
    )
    engine.release_writer()
    assert await asyncio.gather(*tasks) == [None, 1, "raised", None]
    assert batches == [4]
    assert await keys() == ["a", "b", "c"]


@sqlite_only
async def test_the_exception_reaches_its_own_caller_only() -> None:
    engine = _engine()
    await engine.acquire_writer()
    bad = asyncio.create_task(db.all_or_nothing(insert("x"), RAISES))
    good = asyncio.create_task(db.all_or_nothing(insert("y")))
    await _until(lambda: len(engine._group) == 2)
    engine.release_writer()
    with pytest.raises(sqlite3.OperationalError, match="no such table"):
        await bad
    assert await good is None
    assert await keys() == ["y"]


@sqlite_only
async def test_batches_are_bounded(batches: list[int]) -> None:
    engine = _engine()
    count = sqlite_engine.GROUP_MAX + 6
    tasks = await _queued_behind_the_writer(
        [lambda n=n: outcome(insert(f"k{n:03d}")) for n in range(count)]  # type: ignore[misc]
    )
    engine.release_writer()
    assert await asyncio.gather(*tasks) == [None] * count
    assert batches == [sqlite_engine.GROUP_MAX, 6]
    assert len(await keys()) == count


@sqlite_only
async def test_a_caller_cancelled_while_queued_runs_nothing(batches: list[int]) -> None:
    engine = _engine()
    tasks = await _queued_behind_the_writer(
        [
            lambda: outcome(insert("first")),
            lambda: outcome(insert("cancelled")),
            lambda: outcome(insert("last")),
        ]
    )
    tasks[1].cancel()
    engine.release_writer()
    assert await tasks[0] is None and await tasks[2] is None
    with pytest.raises(asyncio.CancelledError):
        await tasks[1]
    assert batches == [2]
    assert await keys() == ["first", "last"]


@sqlite_only
async def test_a_caller_cancelled_in_flight_leaves_no_transaction_open() -> None:
    engine = _engine()
    tasks = await _queued_behind_the_writer(
        [lambda: outcome(insert("one")), lambda: outcome(insert("two"))]
    )
    engine.release_writer()
    # the flusher has taken the batch and holds the writer while its trip runs
    await _until(lambda: not engine._group and engine._flusher is not None)
    tasks[0].cancel()
    assert await tasks[1] is None
    with pytest.raises(asyncio.CancelledError):
        await tasks[0]
    # the trip ran to its end on the writer's thread (as any write a caller gave up on)
    writer = await engine.acquire_writer()
    try:
        assert not writer._conn.in_transaction
    finally:
        engine.release_writer()
    sql, args = insert("after")
    async with db.transaction():
        await db.raw(sql, *args)
    assert await keys() == ["after", "one", "two"]


@sqlite_only
async def test_a_transaction_waiting_for_the_writer_runs_between_two_batches(
    batches: list[int],
) -> None:
    engine = _engine()
    order: list[str] = []

    async def call(key: str) -> None:
        assert await db.all_or_nothing(insert(key)) is None
        order.append(key)

    async def transaction() -> None:
        sql, args = insert("transaction")
        async with db.transaction():
            await db.raw(sql, *args)
        order.append("transaction")

    first = await _queued_behind_the_writer([lambda: call("batch-1")])
    waiting = asyncio.create_task(transaction())
    await _until(lambda: len(engine._writer_lock._waiters or ()) == 2)  # type: ignore[union-attr]
    engine.release_writer()
    await _until(lambda: not engine._group)  # the first batch is in flight
    later = [asyncio.create_task(call(f"batch-2-{n}")) for n in range(3)]
    await asyncio.gather(*first, waiting, *later)
    assert order == ["batch-1", "transaction", "batch-2-0", "batch-2-1", "batch-2-2"]
    assert batches == [1, 3]
    rows = await db.raw("SELECT key FROM device_rate_hit ORDER BY id")
    assert [r["key"] for r in rows] == order


async def _on_writer(*statements: str) -> None:
    engine = _engine()
    writer = await engine.acquire_writer()
    try:
        for statement in statements:
            await writer.execute(statement)
    finally:
        engine.release_writer()


@pytest.fixture
async def temp_tables() -> Any:
    """Tables on the writer's connection only, to make SQLite fail in the two rare ways."""
    await _on_writer(
        "CREATE TEMP TABLE parent (id INTEGER PRIMARY KEY)",
        "CREATE TEMP TABLE child (id INTEGER PRIMARY KEY, parent INTEGER"
        " REFERENCES parent (id) DEFERRABLE INITIALLY DEFERRED)",
        "CREATE TEMP TABLE doomed (id INTEGER PRIMARY KEY)",
        "CREATE TEMP TRIGGER doom BEFORE INSERT ON doomed BEGIN SELECT RAISE(ROLLBACK, 'doomed');"
        " END",
    )
    yield
    await _on_writer("DROP TABLE temp.child", "DROP TABLE temp.parent", "DROP TABLE temp.doomed")


@sqlite_only
async def test_a_failed_commit_fails_every_call_of_the_batch(
    temp_tables: None, batches: list[int]
) -> None:
    engine = _engine()
    orphan = ("INSERT INTO child (parent) VALUES ({}) RETURNING id", (999,))
    tasks = await _queued_behind_the_writer(
        [lambda: outcome(insert("a")), lambda: outcome(orphan), lambda: outcome(insert("b"))]
    )
    engine.release_writer()
    assert await asyncio.gather(*tasks) == ["raised"] * 3  # the deferred key fails COMMIT
    assert batches == [3]
    assert await keys() == []
    assert await db.all_or_nothing(insert("c")) is None  # the writer is usable again
    assert await keys() == ["c"]


@sqlite_only
async def test_a_call_that_makes_sqlite_drop_the_transaction_fails_alone(
    temp_tables: None, batches: list[int]
) -> None:
    engine = _engine()
    doomed = ("INSERT INTO doomed (id) VALUES ({}) RETURNING id", (1,))
    tasks = await _queued_behind_the_writer(
        [
            lambda: outcome(insert("before")),
            lambda: db.all_or_nothing(doomed),
            lambda: outcome(insert("after")),
        ]
    )
    engine.release_writer()
    first, second, third = await asyncio.gather(*tasks, return_exceptions=True)
    assert isinstance(second, sqlite3.IntegrityError) and "doomed" in str(second)
    # "before" was rolled back with the transaction and ran again in the next batch
    assert (first, third) == (None, None)
    assert batches == [3, 2]
    assert await keys() == ["after", "before"]

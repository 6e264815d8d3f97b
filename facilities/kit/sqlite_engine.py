"""A Piccolo SQLite engine that reuses connections.

Piccolo's stock ``SQLiteEngine`` opens a new connection (and thread) per query, which
measured ~550 queries/s here, and its default ``DEFERRED`` transactions fail with
"database is locked" under concurrent writes. This engine keeps:

* one **writer** connection, used by every transaction and every non-SELECT statement,
  guarded by an ``asyncio.Lock`` so exactly one write transaction runs at a time
  (transactions start with ``BEGIN IMMEDIATE``);
* one **inline** reader connection on the event-loop thread: a SELECT outside a
  transaction runs there first, synchronously, within a budget of ``INLINE_CPU_S`` of
  SQLite work (a progress handler interrupts it past that, or past ``INLINE_WALL_S`` of
  wall time, e.g. waiting for the disk; busy_timeout is 0);
* a small pool of **reader** connections on their own threads for the SELECTs that
  overran the budget or met a lock (WAL mode lets every reader read while the writer
  writes).

Why inline: a small indexed read costs SQLite tens of microseconds, while handing it to a
thread and back (and contending for the GIL with the thread that builds the row objects)
costs several times that: the benchmark's list of 50 sites used ~30 % less CPU per request
inline (docs/benchmarks.md). The budget keeps a heavy query (a report) from holding up the
event loop for more than a couple of milliseconds: it is abandoned and re-run on a thread.

**Group commit** (``all_or_nothing``, the heartbeat hot path): a small all-or-nothing write
does not take the writer lock itself. It joins a queue, and one flusher task takes up to
``GROUP_MAX`` queued calls at a time into one trip to the writer's thread and one
``BEGIN IMMEDIATE`` … ``COMMIT`` (``_group_commit``), each call's steps inside its own
``SAVEPOINT``, so each keeps its all-or-nothing answer: refused at a step → only its
savepoint is rolled back and it gets the index; a statement raises → only its savepoint is
rolled back and that caller alone gets the exception; SQLite abandons the whole transaction
on a call's error (``RAISE(ROLLBACK)``, disk full) → that caller gets the error, the others
are queued again at the front; ``COMMIT`` fails → every caller of the batch gets the error.
Calls arriving while a batch is on the thread form the next batch, so under load the
batches grow by themselves and a lone call waits for nothing but one task switch. Profiled
under wrk (docs/benchmarks.md), the cost of a quiet heartbeat was the hand-over of the
writer between requests (the thread hop, the lock's wake-up, the event loop's turn) while
SQLite's own work was a fraction of it; one hand-over per batch instead of per call is the
gain. The flusher takes and releases the writer lock per batch; asyncio's lock serves its
waiters in order, so a transaction waiting for the writer runs between two batches and
neither side starves. A caller cancelled while queued runs nothing; a batch on the thread
always runs to COMMIT or ROLLBACK there, whoever stopped waiting for it.

Every connection gets WAL, ``foreign_keys=ON``, ``synchronous=NORMAL`` and an explicit
busy timeout (another *process*, e.g. ``facilities scheduler``, may hold the write lock).
"""

from __future__ import annotations

import asyncio
import contextlib
import sqlite3
from collections import deque
from time import perf_counter, thread_time
from typing import Any

import aiosqlite
from piccolo.engine.sqlite import (
    SQLiteEngine,
    SQLiteTransaction,
    TransactionType,
    dict_factory,
)

_READ_PREFIXES = ("SELECT", "WITH", "PRAGMA TABLE_INFO", "EXPLAIN")
# What a read may take on the event loop before it moves to a reader thread. CPU time, so
# that a busy machine descheduling us mid-query does not count; wall time as a backstop.
INLINE_CPU_S = 0.002
INLINE_WALL_S = 0.020
_PROGRESS_STEPS = 1000  # virtual-machine steps between two budget checks (~20-50 µs)
# Result codes after which an inline read is retried on a reader thread.
_RETRY_CODES = {sqlite3.SQLITE_BUSY, sqlite3.SQLITE_LOCKED, sqlite3.SQLITE_INTERRUPT}
GROUP_MAX = 64  # all_or_nothing calls committed together at most (one writer trip)


class PooledSQLiteTransaction(SQLiteTransaction):
    """A transaction on the shared writer connection, holding the writer lock."""

    engine: PooledSQLiteEngine

    async def get_connection(self) -> aiosqlite.Connection:
        return await self.engine.acquire_writer()

    async def __aenter__(self) -> SQLiteTransaction:
        if self._parent is not None:
            return self._parent
        self.connection = await self.get_connection()
        try:
            await self.begin()
        except BaseException:
            # Cancelled or failed while BEGIN was in flight (Piccolo's own ``__aenter__``
            # would keep the writer lock forever). aiosqlite runs a call queued on the
            # connection's thread even when its awaiter is cancelled, so the BEGIN may still
            # happen: queue a ROLLBACK behind it before the next writer gets the connection.
            try:
                with contextlib.suppress(sqlite3.Error, ValueError):
                    await self.connection.execute("ROLLBACK")
            finally:
                self.engine.release_writer()
            raise
        self.context = self.engine.current_transaction.set(self)
        return self

    async def __aexit__(self, exception_type: Any, exception: Any, traceback: Any) -> bool:
        if self._parent:
            return exception is None
        try:
            if exception:
                if not self._rolled_back:
                    await self.rollback()
            elif not self._committed and not self._rolled_back:
                await self.commit()
        finally:
            self.engine.current_transaction.reset(self.context)
            try:
                if not self._committed and not self._rolled_back:
                    # COMMIT or ROLLBACK failed or was cancelled: never hand the next writer
                    # a connection inside this transaction (an error here means none is open).
                    with contextlib.suppress(sqlite3.Error, ValueError):
                        await self.connection.execute("ROLLBACK")
            finally:
                self.engine.release_writer()
        return exception is None


class PooledSQLiteEngine(SQLiteEngine):
    """SQLite with one writer and a pool of readers; see the module docstring."""

    def __init__(self, path: str, *, busy_timeout_ms: int = 15000, readers: int = 4) -> None:
        super().__init__(
            path=path,
            timeout=busy_timeout_ms / 1000,
            check_same_thread=False,
        )
        self.busy_timeout_ms = busy_timeout_ms
        self.reader_count = readers
        self._writer: aiosqlite.Connection | None = None
        self._writer_lock: asyncio.Lock | None = None
        self._readers: asyncio.Queue[aiosqlite.Connection] | None = None
        self._all_readers: list[aiosqlite.Connection] = []
        self._open_lock: asyncio.Lock | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self._inline: sqlite3.Connection | None = None
        self._cpu_deadline = 0.0
        self._wall_deadline = 0.0
        # Group commit of all_or_nothing: the queued calls and the task draining them.
        self._group: deque[tuple[list[tuple[str, list[Any]]], asyncio.Future[Any]]] = deque()
        self._flusher: asyncio.Task[None] | None = None

    # ---- connection management ----------------------------------------------------

    async def _connect(self) -> aiosqlite.Connection:
        connection = await aiosqlite.connect(**self.connection_kwargs)
        connection.row_factory = dict_factory  # type: ignore[assignment]
        await connection.execute(f"PRAGMA busy_timeout = {int(self.busy_timeout_ms)}")
        await connection.execute("PRAGMA journal_mode = WAL")
        await connection.execute("PRAGMA foreign_keys = ON")
        await connection.execute("PRAGMA synchronous = NORMAL")
        return connection

    def _connect_inline(self) -> sqlite3.Connection:
        connection = sqlite3.connect(**self.connection_kwargs)
        connection.execute("PRAGMA busy_timeout = 0")  # never wait on the event loop
        connection.execute("PRAGMA query_only = ON")
        connection.set_progress_handler(self._over_budget, _PROGRESS_STEPS)
        return connection

    def _over_budget(self) -> bool:
        return thread_time() > self._cpu_deadline or perf_counter() > self._wall_deadline

    def _read_inline(self, query: str, args: list[Any]) -> list[Any] | None:
        """The rows, or None when the read must move to a reader thread."""
        assert self._inline is not None
        self._cpu_deadline = thread_time() + INLINE_CPU_S
        self._wall_deadline = perf_counter() + INLINE_WALL_S
        try:
            cursor = self._inline.execute(query, args)
            rows = cursor.fetchall()
            # Dicts, as Piccolo expects; the names once per query rather than once per row.
            names = [column[0] for column in cursor.description or ()]
            return [dict(zip(names, row, strict=True)) for row in rows]
        except sqlite3.OperationalError as error:
            if getattr(error, "sqlite_errorcode", 0) & 0xFF in _RETRY_CODES:
                return None
            raise

    async def open(self) -> None:
        """Open the connections (idempotent; called lazily by the first query)."""
        loop = asyncio.get_running_loop()
        if self._writer is not None and self._loop is loop:
            return
        if self._loop is not loop:
            # A new event loop (a CLI command after another, a test session): start fresh.
            self._writer = None
            self._all_readers = []
            self._readers = None
            if self._inline is not None:
                self._inline.close()
                self._inline = None
            self._open_lock = asyncio.Lock()
            self._group = deque()
            self._flusher = None
            self._loop = loop
        assert self._open_lock is not None
        async with self._open_lock:
            if self._writer is not None:
                return
            writer = await self._connect()
            readers = [await self._connect() for _ in range(self.reader_count)]
            queue: asyncio.Queue[aiosqlite.Connection] = asyncio.Queue()
            for reader in readers:
                queue.put_nowait(reader)
            self._inline = self._connect_inline()
            self._writer_lock = asyncio.Lock()
            self._readers = queue
            self._all_readers = readers
            self._writer = writer

    async def close(self) -> None:
        """Close every connection (lifespan shutdown)."""
        connections = [*self._all_readers, *([self._writer] if self._writer else [])]
        if self._inline is not None:
            self._inline.close()
            self._inline = None
        self._writer = None
        self._all_readers = []
        self._readers = None
        for connection in connections:
            with contextlib.suppress(sqlite3.Error, ValueError, RuntimeError):
                await connection.close()

    async def acquire_writer(self) -> aiosqlite.Connection:
        await self.open()
        assert self._writer_lock is not None and self._writer is not None
        await self._writer_lock.acquire()
        return self._writer

    def release_writer(self) -> None:
        assert self._writer_lock is not None
        self._writer_lock.release()

    async def get_connection(self) -> aiosqlite.Connection:  # used by Piccolo's batch()
        return await self._connect()

    # ---- Piccolo engine hooks -------------------------------------------------------

    def transaction(
        self,
        transaction_type: TransactionType = TransactionType.immediate,
        allow_nested: bool = True,
    ) -> PooledSQLiteTransaction:
        return PooledSQLiteTransaction(
            engine=self, transaction_type=transaction_type, allow_nested=allow_nested
        )

    async def _run_in_existing_connection(
        self,
        connection: Any,
        query: str,
        args: list[Any] | None = None,
        query_type: str = "generic",
        table: Any = None,
    ) -> Any:
        # One trip to the connection's thread (execute + fetchall there), not three
        # (execute, fetchall, close): the hop, not SQLite, is the cost of a small query.
        return await connection.execute_fetchall(query, args or [])

    async def _run_in_new_connection(
        self,
        query: str,
        args: list[Any] | None = None,
        query_type: str = "generic",
        table: Any = None,
    ) -> Any:
        readers = self._readers
        if readers is None or self._loop is not asyncio.get_running_loop():
            await self.open()
            readers = self._readers
            assert readers is not None
        head = query.lstrip()[:17].upper()
        if head.startswith(_READ_PREFIXES):
            if head.startswith("SELECT") and self._inline is not None:
                rows = self._read_inline(query, args or [])
                if rows is not None:
                    return rows
            reader = readers.get_nowait() if not readers.empty() else await readers.get()
            try:
                return await reader.execute_fetchall(query, args or [])
            finally:
                readers.put_nowait(reader)
        writer = await self.acquire_writer()
        try:
            return await writer.execute_fetchall(query, args or [])
        finally:
            self.release_writer()

    async def all_or_nothing(self, steps: list[tuple[str, list[Any]]]) -> int | None:
        """Run ``steps`` (``?`` placeholders) all or nothing, outside a transaction. Every
        step must return a row; at the first that returns none everything this call did is
        rolled back and that step's index is returned (None: all committed). A statement
        that raises rolls back everything this call did, and its exception is raised here.

        **Group commit**: the call joins a queue; one flusher task takes up to
        ``GROUP_MAX`` queued calls at a time into **one trip** to the writer's thread and
        one ``BEGIN IMMEDIATE`` … ``COMMIT``, each call inside its own ``SAVEPOINT`` (see
        the module docstring). Calls arriving while a batch runs form the next one."""
        assert self.current_transaction.get() is None, "all_or_nothing inside a transaction"
        loop = asyncio.get_running_loop()
        if self._loop is not loop or self._writer is None:
            await self.open()
        future: asyncio.Future[tuple[bool, Any]] = loop.create_future()
        self._group.append((steps, future))
        if self._flusher is None:
            self._flusher = loop.create_task(self._flush())
        ok, outcome = await future
        if not ok:
            raise outcome
        return outcome

    async def _flush(self) -> None:
        """Drain the group-commit queue, one batch per writer-lock hold. The lock is taken
        and released per batch (asyncio's lock is first come, first served), so a
        transaction waiting for the writer runs between two batches."""
        group = self._group
        batch: list[tuple[list[tuple[str, list[Any]]], asyncio.Future[tuple[bool, Any]]]] = []
        try:
            while group:
                writer = await self.acquire_writer()
                try:
                    while group and len(batch) < GROUP_MAX:
                        steps, future = group.popleft()
                        if not future.done():  # a cancelled caller: nothing of it runs
                            batch.append((steps, future))
                    if not batch:
                        continue
                    try:
                        # aiosqlite's hook for running a function on the connection's
                        # thread; BEGIN to COMMIT runs there, so a cancelled awaiter (this
                        # task, at shutdown) never leaves the transaction open.
                        outcomes = await writer._execute(
                            _group_commit, writer._conn, [steps for steps, _ in batch]
                        )
                    except Exception as error:  # BEGIN or COMMIT failed: nothing committed
                        for _, future in batch:
                            if not future.done():
                                future.set_result((False, error))
                    else:
                        again = []
                        for entry, outcome in zip(batch, outcomes, strict=True):
                            if outcome is None:  # rolled back with another call's failure
                                again.append(entry)
                            elif not entry[1].done():
                                entry[1].set_result(outcome)
                        group.extendleft(reversed(again))
                    batch = []
                finally:
                    self.release_writer()
        finally:
            # Only when this task itself was cancelled (event loop shutting down): the
            # batch in flight may still commit on the writer's thread, unanswered.
            for _, future in [*batch, *group]:
                future.cancel()
            group.clear()
            if self._group is group:
                self._flusher = None

    async def executemany(self, sql: str, rows: list[tuple[Any, ...]]) -> None:
        """Bulk statement through the driver (the hot path for generated rows)."""
        current = self.current_transaction.get()
        if current is not None:
            await current.connection.executemany(sql, rows)
            return
        async with self.transaction():
            current = self.current_transaction.get()
            assert current is not None
            await current.connection.executemany(sql, rows)


def _group_commit(
    connection: sqlite3.Connection, batch: list[list[tuple[str, list[Any]]]]
) -> list[tuple[bool, Any] | None]:
    """One write transaction for a batch of ``all_or_nothing`` calls, on the writer's
    thread. Per call: ``(True, None)`` committed, ``(True, index)`` refused at that step
    (its savepoint rolled back), ``(False, exception)`` a statement raised (its savepoint
    rolled back), or None: not run, or run but rolled back with the whole transaction
    because a later call's error made SQLite abandon it (disk full, I/O error, ...): the
    caller queues those again. BEGIN or COMMIT failing raises (nothing committed)."""
    outcomes: list[tuple[bool, Any] | None] = [None] * len(batch)
    connection.execute("BEGIN IMMEDIATE")
    try:
        for number, steps in enumerate(batch):
            connection.execute("SAVEPOINT group_call")
            try:
                stopped = None
                for index, (query, args) in enumerate(steps):
                    if not connection.execute(query, args).fetchall():
                        stopped = index
                        break
            except Exception as error:
                outcomes[number] = (False, error)
                if not connection.in_transaction:  # SQLite rolled the whole batch back
                    outcomes[:number] = [None] * number
                    return outcomes
                connection.execute("ROLLBACK TO group_call")
            else:
                outcomes[number] = (True, stopped)
                if stopped is not None:
                    connection.execute("ROLLBACK TO group_call")
            connection.execute("RELEASE group_call")
        connection.execute("COMMIT")
    except BaseException:
        with contextlib.suppress(sqlite3.Error):
            connection.execute("ROLLBACK")
        raise
    return outcomes

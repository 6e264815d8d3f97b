"""Database plumbing shared by every domain: engine, transactions, raw SQL, migrations.

* ``make_engine`` picks SQLite (``PooledSQLiteEngine``) or PostgreSQL from the settings.
* ``transaction()`` is the unit of work used by actions (``BEGIN IMMEDIATE`` on SQLite).
* ``migrate()`` applies every app's checked-in migrations, serialised across replicas by a
  PostgreSQL advisory lock.
"""

from __future__ import annotations

import asyncio
import contextlib
import io
import logging
import re
from collections.abc import AsyncIterator, Awaitable, Callable
from functools import cache, lru_cache, wraps
from typing import Any, ParamSpec, TypeVar
from urllib.parse import unquote, urlparse

import asyncpg
from piccolo.apps.migrations.commands.base import BaseMigrationManager
from piccolo.apps.migrations.commands.forwards import run_forwards
from piccolo.engine.base import Engine
from piccolo.engine.postgres import PostgresEngine, PostgresTransaction
from piccolo.querystring import QueryString

from facilities.kit.sqlite_engine import PooledSQLiteEngine
from facilities.settings import Settings, get_settings

log = logging.getLogger(__name__)

P = ParamSpec("P")
R = TypeVar("R")

MIGRATION_LOCK_KEY = 0x0FAC1_11E5  # arbitrary, constant advisory-lock key


def postgres_config(url: str) -> dict[str, Any]:
    parsed = urlparse(url)
    config: dict[str, Any] = {
        "host": parsed.hostname or "localhost",
        "port": parsed.port or 5432,
        "database": (parsed.path or "/").lstrip("/") or "postgres",
        "user": unquote(parsed.username) if parsed.username else "postgres",
    }
    if parsed.password:
        config["password"] = unquote(parsed.password)
    return config


class ReleasingPostgresTransaction(PostgresTransaction):
    """Piccolo's transaction, but its connection always goes back to the pool.

    Piccolo acquires a pooled connection in ``__aenter__`` and only returns it at the end of
    ``__aexit__``. A task cancelled while ``BEGIN`` is in flight (the scheduler stopping
    during its start-up jobs) never reaches ``__aexit__``, and one cancelled or failing in
    ``COMMIT``/``ROLLBACK`` skips the release: the connection stays checked out (``idle in
    transaction`` on the server) and closing the pool waits for it forever. Here every path
    out releases it; asyncpg's release is shielded from cancellation and rolls back a
    transaction left open on the connection.
    """

    async def __aenter__(self) -> PostgresTransaction:
        if self._parent is not None:
            return self._parent
        self.connection = await self.get_connection()
        try:
            self.transaction = self.connection.transaction()
            await self.begin()
        except BaseException:
            await self._give_back()
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
            await self._give_back()
        return exception is None

    async def _give_back(self) -> None:
        connection = self.connection
        if self.engine.pool is not None:
            await self.engine.pool.release(connection)  # shielded inside asyncpg
            return
        try:
            await connection.close()
        except BaseException:
            connection.terminate()
            raise


class FacilitiesPostgresEngine(PostgresEngine):
    """Piccolo's PostgreSQL engine with transactions that never leak a connection."""

    def transaction(self, allow_nested: bool = True) -> ReleasingPostgresTransaction:
        return ReleasingPostgresTransaction(engine=self, allow_nested=allow_nested)


def make_engine(settings: Settings) -> Engine:
    if settings.is_postgres:
        return FacilitiesPostgresEngine(config=postgres_config(settings.resolved_database_url))
    path = settings.sqlite_path
    path.parent.mkdir(parents=True, exist_ok=True)
    return PooledSQLiteEngine(
        str(path),
        busy_timeout_ms=settings.sqlite_busy_timeout_ms,
        readers=settings.sqlite_readers,
    )


DB: Engine = make_engine(get_settings())


def engine() -> Engine:
    return DB


def is_sqlite() -> bool:
    return isinstance(engine(), PooledSQLiteEngine)


def transaction() -> Any:
    """``async with transaction():`` - joins the current one if already inside one."""
    return engine().transaction()


def atomic(func: Callable[P, Awaitable[R]]) -> Callable[P, Awaitable[R]]:
    """Decorator: run the whole action in one transaction."""

    @wraps(func)
    async def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
        async with transaction():
            return await func(*args, **kwargs)

    return wrapper


async def lock_keys(*keys: str) -> None:
    """Serialise writers of the same keys until the current transaction ends.

    PostgreSQL: one transaction-scoped advisory lock per key, taken in sorted order (no
    deadlock between two writers of overlapping keys). SQLite: nothing to do, its one writer
    already runs one write transaction at a time. Used where a transaction deletes and
    re-inserts derived rows (maintained totals): without it two concurrent refreshes of one
    bucket both insert it and the second fails on the unique key."""
    if is_sqlite():
        return
    for key in sorted(set(keys)):
        await raw("SELECT pg_advisory_xact_lock(hashtext({}))", key)


async def raw(sql: str, *args: Any) -> list[dict[str, Any]]:
    """Run SQL with ``{}`` placeholders on either engine (joins the current transaction)."""
    result = await engine().run_querystring(QueryString(sql, *args))
    return list(result or [])


_PLACEHOLDER = re.compile(r"\{\}")


@lru_cache(maxsize=512)
def _lite_sql(sql: str) -> str:
    return _PLACEHOLDER.sub("?", sql)


@lru_cache(maxsize=512)
def _pg_sql(sql: str) -> str:
    counter = iter(range(1, 100_000))
    return _PLACEHOLDER.sub(lambda _m: f"${next(counter)}", sql)


async def executemany(sql: str, rows: list[tuple[Any, ...]]) -> None:
    """Bulk write through the driver; ``sql`` uses ``{}`` placeholders."""
    if not rows:
        return
    eng = engine()
    if isinstance(eng, PooledSQLiteEngine):
        await eng.executemany(_lite_sql(sql), rows)
        return
    pg_sql = _pg_sql(sql)
    current = eng.current_transaction.get()
    if current is not None:
        await current.connection.executemany(pg_sql, rows)
        return
    async with eng.transaction() as started:
        await started.connection.executemany(pg_sql, rows)


def _numbered(sql: str) -> str:
    """``{}`` placeholders as PostgreSQL's ``$1``, ``$2``, …"""
    counter = iter(range(1, 10_000))
    return _PLACEHOLDER.sub(lambda _m: f"${next(counter)}", sql)


class _Stopped(Exception):
    def __init__(self, index: int) -> None:
        self.index = index


async def all_or_nothing(*steps: tuple[str, tuple[Any, ...]]) -> int | None:
    """Run ``steps`` (``{}`` placeholders, driver-level arguments) in one write
    transaction; each must return a row (``RETURNING``, or a conditional ``INSERT …
    SELECT … WHERE``). At the first that returns none, everything is rolled back and its
    index is returned; None when all were committed. On SQLite one trip to the writer's
    thread for the whole transaction; outside a transaction only."""
    eng = engine()
    if isinstance(eng, PooledSQLiteEngine):
        return await eng.all_or_nothing(
            [(_PLACEHOLDER.sub("?", sql), list(args)) for sql, args in steps]
        )
    assert eng.current_transaction.get() is None, "all_or_nothing inside a transaction"
    try:
        async with eng.transaction() as started:
            for index, (sql, args) in enumerate(steps):
                if not await started.connection.fetch(_numbered(sql), *args):
                    raise _Stopped(index)
    except _Stopped as stopped:
        return stopped.index
    return None


async def one_statement(sql: str, *args: Any) -> Any:
    """PostgreSQL only: one statement in its own implicit transaction (no ``BEGIN`` /
    ``COMMIT``: one round trip) on a pooled connection; the first column of its first row.
    ``{}`` placeholders (none inside literals); outside a transaction only."""
    eng = engine()
    assert isinstance(eng, PostgresEngine), "one_statement is for PostgreSQL"
    assert eng.current_transaction.get() is None, "one_statement inside a transaction"
    pool = getattr(eng, "pool", None)
    if pool is None:  # no pool (a one-off command): Piccolo's own connection handling
        rows = await raw(sql, *args)
        return next(iter(rows[0].values())) if rows else None
    return await pool.fetchval(_pg_sql(sql), *args)


async def fetch(sql: str, *args: Any) -> list[dict[str, Any]]:
    """``raw`` through the driver, for a statement with thousands of parameters (a
    multi-row ``INSERT … RETURNING``) or a hot write: building it as Piccolo's
    ``QueryString`` costs more than running it. ``{}`` placeholders (none inside literals);
    runs in the current transaction, or in one of its own."""
    eng = engine()
    if isinstance(eng, PooledSQLiteEngine):
        current = eng.current_transaction.get()
        if current is None:
            async with eng.transaction():
                return await fetch(sql, *args)
        assert current is not None
        return [dict(r) for r in await current.connection.execute_fetchall(_lite_sql(sql), args)]
    pg_current = eng.current_transaction.get()
    if pg_current is None:
        async with eng.transaction():
            return await fetch(sql, *args)
    assert pg_current is not None
    return [dict(r) for r in await pg_current.connection.fetch(_pg_sql(sql), *args)]


async def select(sql: str, *args: Any) -> list[dict[str, Any]]:
    """A read through the driver (a hot path's SELECT: no ``QueryString`` to build): in the
    current transaction if there is one, else without opening one (SQLite: the engine's
    inline reader or a reader thread; PostgreSQL: a pooled connection). ``{}``
    placeholders, none inside literals."""
    eng = engine()
    if isinstance(eng, PooledSQLiteEngine):
        current = eng.current_transaction.get()
        if current is not None:
            rows = await current.connection.execute_fetchall(_lite_sql(sql), args)
        else:
            rows = await eng._run_in_new_connection(_lite_sql(sql), list(args))
        return [r if isinstance(r, dict) else dict(r) for r in rows]
    pg_current = eng.current_transaction.get()
    if pg_current is not None:
        return [dict(r) for r in await pg_current.connection.fetch(_pg_sql(sql), *args)]
    pool = getattr(eng, "pool", None)
    if pool is None:  # no pool (a one-off command): Piccolo's own connection handling
        return [r if isinstance(r, dict) else dict(r) for r in await raw(sql, *args)]
    return [dict(r) for r in await pool.fetch(_pg_sql(sql), *args)]


def reads_at_once(wanted: int) -> int:
    """How many reads one caller may run concurrently (``asyncio.gather``), at most
    ``wanted``: 1 inside a transaction (its one connection runs one statement at a time,
    and Piccolo's context variable would hand it to every task); otherwise SQLite's reader
    threads, or half of the PostgreSQL pool, so that one request never takes the whole pool
    from the others."""
    eng = engine()
    if wanted <= 1 or eng.current_transaction.get() is not None:
        return 1
    if isinstance(eng, PooledSQLiteEngine):
        return max(1, min(wanted, eng.reader_count))
    return max(1, min(wanted, _pool_max() // 2))


# ---- lifecycle ------------------------------------------------------------------------


# Settings of every pooled PostgreSQL session, given when the pool connects (the one place).
# ``jit = off``: PostgreSQL compiles a statement whose estimated cost crosses
# ``jit_above_cost`` (100,000) to machine code, which costs 100-400 ms per statement and pays
# off only for long analytical scans; the app runs short statements, and the few big
# reporting ones were the ones paying it (the dashboard's MTTR and first-time fix at
# 1,000,000 work orders: 360 + 107 ms of JIT in 1.4 s; ``docs/benchmarks.md``).
SESSION_SETTINGS: dict[str, str] = {"jit": "off"}


async def open_database() -> None:
    """Open pools; fail loudly if the database cannot be reached."""
    eng = engine()
    if isinstance(eng, PooledSQLiteEngine):
        await eng.open()
        await raw("SELECT 1")
        return
    assert isinstance(eng, PostgresEngine)
    try:
        await eng.start_connection_pool(
            min_size=_pool_min(),
            max_size=_pool_max(),
            reset=_keep_session,
            server_settings=SESSION_SETTINGS,
        )
        await raw("SELECT 1")
    except (OSError, asyncpg.PostgresError) as error:
        raise RuntimeError(
            f"cannot reach PostgreSQL ({error.__class__.__name__}: {error})"
        ) from error


async def _keep_session(_connection: asyncpg.Connection) -> None:
    """The pool's ``reset``: nothing beyond asyncpg's own rollback of an open transaction.

    The default reset (``pg_advisory_unlock_all(); CLOSE ALL; UNLISTEN *; RESET ALL``) costs
    a round trip on every release (measured: a small query ~170 → ~90 µs). The app keeps no
    session state on pooled connections: advisory locks are transaction-scoped or taken on
    a dedicated connection (``migrate``), there is no LISTEN, no SET outside a transaction.
    """


async def recreate_postgres_database(url: str) -> None:
    """Drop (forcibly) and create the database named in ``url`` (tests, benchmarks).

    Raises ``OSError``, ``asyncpg.PostgresError`` or ``TimeoutError`` when PostgreSQL cannot
    be reached.
    """
    config = postgres_config(url)
    name = config.pop("database")
    conn = await asyncpg.connect(**config, database="postgres", timeout=5)
    try:
        await conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        await conn.execute(f'CREATE DATABASE "{name}"')
    finally:
        await conn.close()


# How long closing the PostgreSQL pool waits for connections still in use.
POOL_CLOSE_TIMEOUT_S = 2.0


async def close_database(grace: float = POOL_CLOSE_TIMEOUT_S) -> None:
    """Close the pools. PostgreSQL: wait up to ``grace`` seconds for connections still in use
    (a job that ignored its cancellation), then terminate them: the server ends their
    sessions and rolls back whatever they left open. A process never hangs here.
    """
    eng = engine()
    if isinstance(eng, PooledSQLiteEngine):
        await eng.close()
    elif isinstance(eng, PostgresEngine) and eng.pool is not None:
        pool = eng.pool
        try:
            await asyncio.wait_for(pool.close(), grace)
        except TimeoutError:
            log.warning("connections still in use %.1f s after closing the pool: terminated", grace)
            pool.terminate()
        finally:
            eng.pool = None


def _pool_min() -> int:
    return get_settings().pg_pool_min


def _pool_max() -> int:
    return get_settings().pg_pool_max


@contextlib.asynccontextmanager
async def database_open() -> AsyncIterator[None]:
    await open_database()
    try:
        yield
    finally:
        await close_database()


# ---- migrations -----------------------------------------------------------------------


@cache
def expected_migrations() -> frozenset[tuple[str, str]]:
    """Every (app, migration id) checked in."""
    manager = BaseMigrationManager()
    expected: set[tuple[str, str]] = set()
    for app_module in manager.get_app_modules():
        config = app_module.APP_CONFIG
        modules = manager.get_migration_modules(config.resolved_migrations_folder_path)
        expected.update((config.app_name, mid) for mid in manager.get_migration_ids(modules))
    return frozenset(expected)


async def applied_migrations() -> set[tuple[str, str]]:
    try:
        rows = await raw("SELECT app_name, name FROM migration")
    except Exception:
        return set()
    return {(row["app_name"], row["name"]) for row in rows}


async def ping() -> None:
    """One round trip to the database (raises when it cannot be reached)."""
    await raw("SELECT 1")


async def pending_migrations() -> set[tuple[str, str]]:
    return set(expected_migrations()) - await applied_migrations()


async def migrate() -> int:
    """Apply pending migrations; returns how many ran. Safe with several replicas."""
    eng = engine()
    lock_conn: asyncpg.Connection | None = None
    if isinstance(eng, PostgresEngine):
        lock_conn = await asyncpg.connect(**eng.config)
        await lock_conn.execute("SELECT pg_advisory_lock($1)", MIGRATION_LOCK_KEY)
    try:
        pending = await pending_migrations()
        if not pending:
            return 0
        output = io.StringIO()
        with contextlib.redirect_stdout(output):
            result = await run_forwards(app_name="all")
        for line in output.getvalue().splitlines():
            if line.strip():
                log.debug("migrate: %s", line.strip())
        if not result.success:
            raise RuntimeError(f"migrations failed: {result.message}")
        return len(pending)
    finally:
        if lock_conn is not None:
            await lock_conn.execute("SELECT pg_advisory_unlock($1)", MIGRATION_LOCK_KEY)
            await lock_conn.close()

"""Test harness: real migrations on a real database (SQLite file or PostgreSQL).

``FACILITIES_TEST_DB=sqlite`` (default) or ``postgres`` picks the engine; ``make test`` runs
the suite once for each. The environment is set here, before ``facilities`` is imported.
Each test starts from empty tables (truncation after every test; see the canary test).
"""

from __future__ import annotations

import asyncio
import os
import shutil
import tempfile
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

# Fixtures every folder may use: a real SMTP server (aiosmtpd).
pytest_plugins = ["tests.smtp"]

ENGINE = os.environ.get("FACILITIES_TEST_DB", "sqlite")
PG_URL = os.environ.get(
    "FACILITIES_TEST_DATABASE_URL", "postgresql://postgres@127.0.0.1:5432/facilities_test"
)
REQUIRE_POSTGRES = os.environ.get("FACILITIES_REQUIRE_POSTGRES") == "1"
_TMP = Path(tempfile.mkdtemp(prefix="facilities-test-"))


async def _recreate_without_commit_flush(url: str) -> None:
    """A fresh test database whose commits do not wait for the WAL flush.

    ``synchronous_commit = off`` for this database only (every connection to it, the live
    server's too): a commit is visible to every other session exactly as before, it only
    would not survive a crash of PostgreSQL itself, which no test causes. On the shared,
    disk-bound CI machine each commit otherwise waits for an fsync.
    """
    import asyncpg

    from facilities.db import postgres_config, recreate_postgres_database

    await recreate_postgres_database(url)
    config = postgres_config(url)
    name = config.pop("database")
    conn = await asyncpg.connect(**config, database="postgres", timeout=5)
    try:
        await conn.execute(f'ALTER DATABASE "{name}" SET synchronous_commit = off')
    finally:
        await conn.close()


def _prepare_postgres() -> str | None:
    """Recreate the test database; returns a reason when PostgreSQL is not reachable."""
    import asyncpg

    try:
        asyncio.run(_recreate_without_commit_flush(PG_URL))
    except (OSError, asyncpg.PostgresError, TimeoutError) as error:
        return f"{error.__class__.__name__}: {error}"
    return None


os.environ.update(
    {
        "FACILITIES_ENV": "test",
        "FACILITIES_VAR_DIR": str(_TMP / "var"),
        "FACILITIES_SECRET_KEY": "test-secret-key-test-secret-key-0123456789",
        "FACILITIES_BASE_URL": "http://testserver",
        "FACILITIES_SCHEDULER": "false",
        "FACILITIES_LOGIN_ATTEMPTS": "5",
        "FACILITIES_SMTP_HOST": "127.0.0.1",
    }
)
if ENGINE == "postgres":
    os.environ["FACILITIES_DATABASE_URL"] = PG_URL
else:
    os.environ["FACILITIES_DATABASE_URL"] = f"sqlite:///{_TMP / 'test.sqlite3'}"

_PG_PROBLEM = _prepare_postgres() if ENGINE == "postgres" else None


def pytest_sessionstart(session: pytest.Session) -> None:
    if _PG_PROBLEM is None:
        return
    banner = (
        "\n" + "!" * 78 + f"\n PostgreSQL at {PG_URL} is not reachable ({_PG_PROBLEM}).\n"
        " Install and start PostgreSQL (Debian: apt-get install postgresql) or set\n"
        " FACILITIES_TEST_DATABASE_URL. The PostgreSQL half of the suite is SKIPPED.\n" + "!" * 78
    )
    if REQUIRE_POSTGRES:
        raise pytest.UsageError(banner.replace("SKIPPED", "REQUIRED here (CI)"))
    print(banner)


ENGINES = ("sqlite", "postgres")


def _deselect_other_engine(config: pytest.Config, items: list[pytest.Item]) -> None:
    """``@pytest.mark.one_engine("sqlite")``: run once, in that engine's half of ``make test``.

    Deselected, never skipped: a skip would read as "a dependency is missing", which CI turns
    into a failure, and a deselected test is not part of this half at all (the other half runs
    it). A name that is no engine is an error, so a typo cannot drop a test from both halves.
    """
    keep: list[pytest.Item] = []
    drop: list[pytest.Item] = []
    for item in items:
        marker = item.get_closest_marker("one_engine")
        if marker is None:
            keep.append(item)
            continue
        name = marker.args[0] if marker.args else None
        if name not in ENGINES:
            raise pytest.UsageError(f"{item.nodeid}: one_engine({name!r}) is not one of {ENGINES}")
        (keep if name == ENGINE else drop).append(item)
    if drop:
        config.hook.pytest_deselected(items=drop)
        items[:] = keep


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    _deselect_other_engine(config, items)
    if _PG_PROBLEM is None:
        return
    skip = pytest.mark.skip(reason=f"PostgreSQL not reachable: {_PG_PROBLEM}")
    for item in items:
        item.add_marker(skip)


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    shutil.rmtree(_TMP, ignore_errors=True)


# ---- database -------------------------------------------------------------------------


@pytest.fixture(scope="session")
async def database() -> AsyncIterator[None]:
    from facilities import db
    from facilities.wiring import install

    install()  # as every entry point does (tests calling actions directly need it too)
    await db.open_database()
    await db.migrate()
    yield
    await db.close_database()


async def truncate_all() -> None:
    from piccolo.table import sort_table_classes

    from facilities import db
    from facilities.piccolo_conf import APP_REGISTRY

    tables = sort_table_classes(
        [t for config in APP_REGISTRY.app_configs.values() for t in config.table_classes]
    )
    names = [t._meta.tablename for t in tables]
    if db.is_sqlite():
        # RESTRICT foreign keys (e.g. a space's parent) are checked row by row on SQLite,
        # so switch them off for the wipe, on the writer connection.
        engine = db.engine()
        connection = await engine.acquire_writer()
        try:
            await connection.execute("PRAGMA foreign_keys = OFF")
            await connection.execute("BEGIN IMMEDIATE")
            for name in names:
                await connection.execute(f'DELETE FROM "{name}"')
            await connection.execute("COMMIT")
            await connection.execute("PRAGMA foreign_keys = ON")
        finally:
            engine.release_writer()
    else:
        await _empty_postgres(names)


_SEQUENCES: dict[str, list[str]] = {}


async def _empty_postgres(names: list[str]) -> None:
    """Only the tables a test wrote to, children first, and their id sequences restarted.

    One ``TRUNCATE`` of every table costs ~1.5 s per test on a loaded machine (each table
    gets a new file); most tests touch a handful of tables, and ``DELETE`` of a few rows is
    cheap. The result is the same: empty tables, ids from 1 again.
    """
    from facilities import db

    pool = db.engine().pool  # type: ignore[attr-defined]
    async with pool.acquire() as connection:
        if not _SEQUENCES:
            rows = await connection.fetch(
                "SELECT c.relname AS table_name, s.relname AS sequence FROM pg_class s"
                " JOIN pg_depend d ON d.objid = s.oid JOIN pg_class c ON c.oid = d.refobjid"
                " WHERE s.relkind = 'S' AND c.relkind = 'r'"
            )
            for name in names:
                _SEQUENCES[name] = [r["sequence"] for r in rows if r["table_name"] == name]
        probe = " UNION ALL ".join(
            f'SELECT {i} AS i WHERE EXISTS (SELECT 1 FROM "{n}")' for i, n in enumerate(names)
        )
        dirty = [names[r["i"]] for r in await connection.fetch(probe)]
        if not dirty:
            return
        statements = [f'DELETE FROM "{n}"' for n in reversed(dirty)]
        statements += [f'ALTER SEQUENCE "{q}" RESTART' for n in dirty for q in _SEQUENCES[n]]
        async with connection.transaction():
            await connection.execute(";\n".join(statements))


@pytest.fixture(autouse=True)
async def clean_state(database: None) -> AsyncIterator[None]:
    from facilities.accounts import cache
    from facilities.maintenance.pm import agenda, feed_cache

    cache.clear()
    yield
    cache.clear()
    agenda.clear_cache()  # ids start at 1 again after the wipe: no answer may outlive it
    feed_cache.clear()
    await truncate_all()


@pytest.fixture(scope="session")
def app(database: None):  # type: ignore[no-untyped-def]
    from facilities.app import create_app

    return create_app()


@pytest.fixture
async def make_client(app):  # type: ignore[no-untyped-def]
    """A factory of fresh HTTP clients (each with its own cookie jar)."""
    import httpx

    clients: list[httpx.AsyncClient] = []

    def factory(**headers: str) -> httpx.AsyncClient:
        client = httpx.AsyncClient(
            transport=httpx.ASGITransport(app=app, client=("10.1.2.3", 4000)),
            base_url="http://testserver",
            headers=headers,
            follow_redirects=False,
        )
        clients.append(client)
        return client

    yield factory
    for client in clients:
        await client.aclose()


@pytest.fixture
def client(make_client):  # type: ignore[no-untyped-def]
    return make_client()

"""Settings, CLI, database engine behaviour (SQLite locking, migrations across replicas)."""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
from datetime import date

import pytest

from facilities import db
from facilities.accounts.enums import Role
from facilities.settings import ConfigurationError, Settings, get_settings
from facilities.sites.schemas import ClosureCreate
from tests import builders


def _cli(*args: str, **env: str) -> subprocess.CompletedProcess[str]:
    environment = {**os.environ, **env}
    return subprocess.run(
        [sys.executable, "-m", "facilities", *args],
        capture_output=True,
        text=True,
        env=environment,
        cwd="/",  # works from any working directory
        timeout=180,
    )


@pytest.mark.slow
def test_bad_setting_names_the_variable() -> None:
    result = _cli("check", FACILITIES_BASE_URL="not a url")
    assert result.returncode == 2
    assert "FACILITIES_BASE_URL" in result.stderr
    result = _cli("check", FACILITIES_SQLITE_READERS="lots")
    assert result.returncode == 2
    assert "FACILITIES_SQLITE_READERS" in result.stderr


def test_production_requires_a_secret_key() -> None:
    result = _cli("check", FACILITIES_ENV="production", FACILITIES_SECRET_KEY="")
    assert result.returncode == 2
    assert "FACILITIES_SECRET_KEY" in result.stderr


@pytest.mark.parametrize(
    "variable",
    [
        "FACILITIES_OUTBOX_MAX_ATTEMPTS",
        "FACILITIES_SLA_AT_RISK_PERCENT",
        "FACILITIES_VISIT_MISSED_HOURS",
        "FACILITIES_CURRENCY",
    ],
)
@pytest.mark.slow
def test_a_bad_domain_setting_stops_the_cli_naming_it(variable: str) -> None:
    result = _cli("check", **{variable: "-1"})
    assert result.returncode == 2
    assert variable in result.stderr


def test_settings_error_message_names_variable_in_process(monkeypatch) -> None:
    monkeypatch.setenv("FACILITIES_DATABASE_URL", "mysql://nope")
    get_settings.cache_clear()
    try:
        with pytest.raises(ConfigurationError, match="FACILITIES_DATABASE_URL"):
            get_settings()
    finally:
        monkeypatch.undo()
        get_settings.cache_clear()


def test_development_secret_key_is_generated_once(tmp_path) -> None:
    settings = Settings(var_dir=tmp_path, secret_key="")
    first = settings.resolved_secret_key()
    assert len(first) >= 48
    assert Settings(var_dir=tmp_path, secret_key="").resolved_secret_key() == first
    assert oct((tmp_path / "secret_key").stat().st_mode)[-3:] == "600"


@pytest.mark.slow
def test_cli_check_and_create_user() -> None:
    result = _cli("check")
    assert result.returncode == 0, result.stderr
    assert "migrations:  current" in result.stdout
    result = _cli(
        "create-user",
        "--email",
        "cli@example.com",
        "--name",
        "Cli",
        "--role",
        "viewer",
        FACILITIES_NEW_USER_PASSWORD="cli password 123",
    )
    assert result.returncode == 0, result.stderr
    assert "created user" in result.stdout
    again = _cli(
        "create-user",
        "--email",
        "cli@example.com",
        "--name",
        "Cli",
        "--role",
        "viewer",
        FACILITIES_NEW_USER_PASSWORD="cli password 123",
    )
    assert again.returncode == 2
    assert "already exists" in again.stderr


@pytest.mark.slow
def test_check_fails_loudly_when_database_is_unreachable() -> None:
    result = _cli("check", FACILITIES_DATABASE_URL="postgresql://postgres@127.0.0.1:1/nowhere")
    assert result.returncode == 1
    assert "UNREACHABLE" in result.stderr


async def test_concurrent_writes_never_see_database_is_locked() -> None:
    """32 concurrent write actions (read-then-write transactions) all commit."""
    region = await builders.region()
    site = await builders.site(region.id)
    system = await builders.system()
    from facilities.sites import actions

    async def add(day: int) -> None:
        await actions.add_closure(
            actor=system,
            site_id=site.id,
            data=ClosureCreate(day=date(2027, 1, 1).replace(day=1 + day % 28, month=1 + day // 28)),
        )

    results = await asyncio.gather(*(add(n) for n in range(96)), return_exceptions=True)
    errors = [r for r in results if isinstance(r, BaseException)]
    assert errors == []
    from facilities.sites.tables import ClosureDay

    assert await ClosureDay.count().where(ClosureDay.site == site.id) == 96


async def test_transaction_rolls_back_every_statement() -> None:
    from facilities.sites.tables import Region

    with pytest.raises(RuntimeError):
        async with db.transaction():
            await Region.insert(Region(name="Ghost"))
            raise RuntimeError("boom")
    assert not await Region.exists().where(Region.name == "Ghost")


@pytest.mark.one_engine("postgres")  # PostgreSQL only
@pytest.mark.slow
async def test_replicas_migrating_at_once_do_not_race() -> None:
    """Two processes migrate a fresh database at the same time; the advisory lock serialises them."""
    import asyncpg

    from facilities.db import postgres_config

    config = postgres_config(os.environ["FACILITIES_DATABASE_URL"])
    name = config.pop("database") + "_race"

    conn = await asyncpg.connect(**config, database="postgres")
    await conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    await conn.execute(f'CREATE DATABASE "{name}"')
    await conn.close()
    url = f"postgresql://{config['user']}@{config['host']}:{config['port']}/{name}"
    env = {**os.environ, "FACILITIES_DATABASE_URL": url}
    procs = [
        await asyncio.create_subprocess_exec(
            sys.executable,
            "-m",
            "facilities",
            "migrate",
            env=env,
            stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.PIPE,
        )
        for _ in range(3)
    ]
    outputs = [await asyncio.wait_for(p.communicate(), 120) for p in procs]
    assert [p.returncode for p in procs] == [0, 0, 0], outputs
    applied = sorted(int(out.decode().strip().rsplit(" ", 1)[-1]) for out, _err in outputs)
    assert applied[0] == 0 and applied[1] == 0 and applied[2] > 0


async def test_health_ready_reports_pending_migrations(client, monkeypatch) -> None:
    monkeypatch.setattr(db, "expected_migrations", lambda: frozenset({("future", "2099-01-01")}))
    response = await client.get("/health/ready")
    assert response.status_code == 503
    assert response.json()["status"] == "migrations_pending"


@pytest.mark.slow
async def test_demo_data_is_idempotent_and_scoped(make_client) -> None:
    from facilities.assets.tables import Asset
    from facilities.demo import load_demo
    from facilities.maintenance.tables import WorkOrder
    from facilities.services.tables import ServiceContract
    from facilities.sites.tables import Site

    logins = await load_demo()
    first = await Site.count()
    assets, orders = await Asset.count(), await WorkOrder.count()
    await load_demo()
    assert await Site.count() == first
    assert (await Asset.count(), await WorkOrder.count()) == (assets, orders)
    assert first >= 28
    assert assets >= 12 and await ServiceContract.count() == 4  # + Wi-Fi and ISP of field sites
    # The accepted leak became work routed to the contracted HVAC/plumbing partner.
    leak = await WorkOrder.select(
        WorkOrder.trade, WorkOrder.status, WorkOrder.partner_organisation.name
    ).where(WorkOrder.origin == "problem_report")
    assert leak == [
        {
            "trade": "hvac",
            "status": "assigned",
            "partner_organisation.name": "Rhein-Neckar Kältetechnik",
        }
    ]
    assert {role for role, _email in logins} == {
        "admin",
        "ops manager",
        "community manager",
        "partner",
        "viewer",
    }
    from facilities.accounts.tables import User

    cm = await User.select().where(User.email == "cm.mannheim@demo.facilities").first()
    from facilities.demo import DEMO_PASSWORD
    from tests.builders import PASSWORD  # noqa: F401 - demo uses its own password

    client = make_client()
    token = await builders.csrf(client)
    response = await client.post(
        "/login", data={"email": cm["email"], "password": DEMO_PASSWORD, "_csrf_token": token}
    )
    assert response.status_code == 303
    sites = (await client.get("/api/v1/sites")).json()
    assert sorted(s["code"] for s in sites["items"]) == ["MA-JB", "MA-NE", "MA-QU"]
    _ = Role

"""What every section benchmark (``bench/<name>.py``, run by ``bench.run`` in its own
process per engine) needs before it imports ``facilities``: a fresh environment on a fresh
database."""

from __future__ import annotations

import argparse
import asyncio
import os
import tempfile
from collections.abc import Awaitable, Callable
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # ``facilities`` is imported only after ``environment`` ran
    from facilities.accounts.enums import Role
    from facilities.accounts.principal import Principal


def environment(engine: str, pg_url: str, name: str, **extra: str) -> Path:
    """Point ``facilities`` at a new SQLite file or at ``pg_url``; returns the temp folder.

    Must run before ``facilities`` is imported (the engine is built from these settings).
    """
    tmp = Path(tempfile.mkdtemp(prefix=f"facilities-bench-{name}-"))
    os.environ.update(
        {
            "FACILITIES_ENV": "test",
            "FACILITIES_VAR_DIR": str(tmp / "var"),
            "FACILITIES_SECRET_KEY": "bench-secret-key-bench-secret-key-0123456789",
            "FACILITIES_SCHEDULER": "false",
            **extra,
        }
    )
    if engine == "postgres":
        os.environ["FACILITIES_DATABASE_URL"] = pg_url
    else:
        os.environ["FACILITIES_DATABASE_URL"] = f"sqlite:///{tmp / 'bench.sqlite3'}"
    return tmp


async def recreate_postgres(pg_url: str) -> None:
    from facilities.db import recreate_postgres_database

    await recreate_postgres_database(pg_url)


async def person(
    email: str, name: str, role: Role, *, created_at: datetime | None = None
) -> Principal:
    """A user row saved for the benchmark and the principal acting as that person (to seed
    through the actions and to make their API token)."""
    from facilities.accounts.principal import Principal
    from facilities.accounts.tables import User

    user = User(email=email, name=name, role=role.value)
    if created_at is not None:
        user.created_at = created_at
    await user.save()
    return Principal(
        user_id=int(user.id),
        email=email,
        name=name,
        role=role,
        locale="en",
        partner_organisation_id=None,
        via="session",
        credential_id=0,
    )


def peak_mb(server: Any) -> float:
    """The server process's peak resident memory (VmHWM) in MB."""
    for line in Path(f"/proc/{server.process.pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def main(
    run: Callable[[str], Awaitable[str]], doc: str | None, argv: list[str] | None = None
) -> int:
    """``python -m bench.<name> --engine sqlite|postgres``: print the section's markdown."""
    parser = argparse.ArgumentParser(description=(doc or "").strip().splitlines()[0])
    parser.add_argument("--engine", choices=("sqlite", "postgres"), default="sqlite")
    args = parser.parse_args(argv)
    print(asyncio.run(run(args.engine)))
    return 0

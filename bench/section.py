"""What every section benchmark (``bench/<name>.py``, run by ``bench.run`` in its own
process per engine) needs before it imports ``facilities``: a fresh environment on a fresh
database."""

from __future__ import annotations

import argparse
import asyncio
import os
import tempfile
from collections.abc import Awaitable, Callable
from pathlib import Path


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


def main(
    run: Callable[[str], Awaitable[str]], doc: str | None, argv: list[str] | None = None
) -> int:
    """``python -m bench.<name> --engine sqlite|postgres``: print the section's markdown."""
    parser = argparse.ArgumentParser(description=(doc or "").strip().splitlines()[0])
    parser.add_argument("--engine", choices=("sqlite", "postgres"), default="sqlite")
    args = parser.parse_args(argv)
    print(asyncio.run(run(args.engine)))
    return 0

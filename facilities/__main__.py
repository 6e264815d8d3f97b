"""The ``facilities`` command (= ``python -m facilities``).

serve | migrate | demo | create-user | scheduler | check
"""

from __future__ import annotations

import argparse
import asyncio
import getpass
import logging
import os
import signal
import sys
from collections.abc import Awaitable, Callable
from typing import TypeVar

from facilities.settings import ConfigurationError, get_settings

T = TypeVar("T")


def _configure_logging() -> None:
    level = get_settings().log_level
    logging.basicConfig(level=level, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    logging.getLogger("piccolo").setLevel(logging.WARNING)
    logging.getLogger("apscheduler").setLevel(logging.WARNING)


def dev_base_url(host: str, port: int) -> str | None:
    """The URL the development server is reached on, when FACILITIES_BASE_URL is unset.

    QR codes, e-mail links and the "Open …" line must point at the port actually served
    (``make run PORT=8100``). Outside development, or when the variable is set, it wins.
    """
    if os.environ.get("FACILITIES_BASE_URL"):
        return None
    if os.environ.get("FACILITIES_ENV", "development") != "development":
        return None
    local = {"127.0.0.1", "0.0.0.0", "::", "::1", ""}  # noqa: S104 - names, not a bind
    shown = "localhost" if host in local else host
    if ":" in shown:
        shown = f"[{shown}]"
    return f"http://{shown}:{port}"


def _use_served_url(host: str, port: int) -> None:
    url = dev_base_url(host, port)
    if url is not None:
        os.environ["FACILITIES_BASE_URL"] = url
        get_settings.cache_clear()


def cmd_serve(args: argparse.Namespace) -> int:
    import gc

    import uvicorn

    _use_served_url(args.host, args.port)
    print(f"Open {get_settings().base_url}", flush=True)

    # Fewer, later collections: a page of 50 rows allocates thousands of short-lived
    # containers; with the default (700, 10, 10) many are promoted and re-walked under load.
    # Measured (docs/benchmarks.md): SQLite 50-row list 937 → 701 µs of CPU per request.
    gc.set_threshold(10_000, 50, 100)

    if args.no_migrate:
        os.environ["FACILITIES_MIGRATE_ON_START"] = "false"
        get_settings.cache_clear()
    uvicorn.run(
        "facilities.app:create_app",
        factory=True,
        host=args.host,
        port=args.port,
        workers=1,
        proxy_headers=get_settings().trusted_proxies,
        log_level=get_settings().log_level.lower(),
        access_log=args.access_log,
    )
    return 0


async def _with_db(coro_factory: Callable[[], Awaitable[T]]) -> T:
    from facilities import db

    async with db.database_open():
        return await coro_factory()


def cmd_migrate(_args: argparse.Namespace) -> int:
    from facilities import db

    applied = asyncio.run(_with_db(db.migrate))
    print(f"migrations applied: {applied}")
    return 0


def cmd_demo(args: argparse.Namespace) -> int:
    from facilities import db
    from facilities.demo import DEMO_PASSWORD, load_demo

    async def run() -> list[tuple[str, str]]:
        await db.migrate()
        return await load_demo()

    if args.port is not None:
        _use_served_url(args.host, args.port)
    logins = asyncio.run(_with_db(run))
    settings = get_settings()
    print(
        f"\nDemo data ready. Open {settings.base_url} and sign in as (password: {DEMO_PASSWORD}):"
    )
    for role, email in logins:
        print(f"  {role:<20} {email}")
    print()
    return 0


def cmd_create_user(args: argparse.Namespace) -> int:
    import msgspec

    from facilities.accounts.actions import create_user
    from facilities.accounts.schemas import UserCreate
    from facilities.kit.errors import FacilitiesError

    password = args.password or os.environ.get("FACILITIES_NEW_USER_PASSWORD")
    if not password:
        password = getpass.getpass("Password (at least 10 characters): ")
    try:
        data = msgspec.convert(
            {
                "email": args.email,
                "name": args.name,
                "role": args.role,
                "password": password,
                "locale": args.locale,
                "partner_organisation_id": args.partner_organisation_id,
            },
            UserCreate,
        )
    except msgspec.ValidationError as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    try:
        user = asyncio.run(_with_db(lambda: create_user(actor=None, data=data)))
    except FacilitiesError as error:
        print(f"error: {error.message}", file=sys.stderr)
        return 2
    print(f"created user {user.id}: {user.email} ({user.role})")
    return 0


def cmd_scheduler(_args: argparse.Namespace) -> int:
    from facilities import db
    from facilities.scheduler import build_scheduler

    async def run() -> None:
        stop = asyncio.Event()
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGINT, signal.SIGTERM):
            loop.add_signal_handler(sig, stop.set)
        async with db.database_open():
            scheduler = build_scheduler(serving=False)
            scheduler.start()
            logging.getLogger("facilities").info(
                "scheduler running (%d jobs)", len(scheduler.get_jobs())
            )
            await stop.wait()
            await scheduler.stop()  # cancels running jobs, waits for them (bounded)

    asyncio.run(run())
    return 0


def cmd_check(_args: argparse.Namespace) -> int:
    from facilities import db

    settings = get_settings()
    print(f"environment: {settings.env}")
    print(f"database:    {'postgresql' if settings.is_postgres else 'sqlite'}")
    print(f"base url:    {settings.base_url}")

    async def run() -> int:
        await db.raw("SELECT 1")
        return len(await db.pending_migrations())

    try:
        pending = asyncio.run(_with_db(run))
    except Exception as error:
        print(f"database:    UNREACHABLE ({error})", file=sys.stderr)
        return 1
    print("database:    reachable")
    print(
        "migrations:  "
        + ("current" if not pending else f"{pending} pending (run: facilities migrate)")
    )
    return 0 if not pending else 1


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="facilities", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)
    serve = sub.add_parser("serve", help="run the web server (applies migrations first)")
    serve.add_argument("--host", default="127.0.0.1")
    serve.add_argument("--port", type=int, default=8000)
    serve.add_argument("--no-migrate", action="store_true", help="do not apply migrations on start")
    serve.add_argument("--access-log", action="store_true")
    serve.set_defaults(func=cmd_serve)
    sub.add_parser("migrate", help="apply pending migrations").set_defaults(func=cmd_migrate)
    demo = sub.add_parser("demo", help="load demo data (idempotent)")
    demo.add_argument("--host", default="127.0.0.1", help="the host `serve` will use")
    demo.add_argument("--port", type=int, default=None, help="the port `serve` will use")
    demo.set_defaults(func=cmd_demo)
    create = sub.add_parser("create-user", help="create a user")
    create.add_argument("--email", required=True)
    create.add_argument("--name", required=True)
    create.add_argument(
        "--role",
        required=True,
        choices=["admin", "ops_manager", "community_manager", "partner", "viewer"],
    )
    create.add_argument("--locale", default="en", choices=["en", "de"])
    create.add_argument("--partner-organisation-id", type=int, default=None)
    create.add_argument("--password", help="prefer FACILITIES_NEW_USER_PASSWORD or the prompt")
    create.set_defaults(func=cmd_create_user)
    sub.add_parser("scheduler", help="run the recurring jobs alone").set_defaults(
        func=cmd_scheduler
    )
    sub.add_parser("check", help="check configuration and database").set_defaults(func=cmd_check)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        get_settings()  # first: importing the domains builds the engine from these settings
        from facilities.all_settings import load_all_settings

        load_all_settings()
    except ConfigurationError as error:
        print(f"facilities: {error}", file=sys.stderr)
        return 2
    _configure_logging()
    from facilities.wiring import install

    install()  # every command runs with every reaction installed (facilities/wiring.py)
    return int(args.func(args))


if __name__ == "__main__":
    sys.exit(main())

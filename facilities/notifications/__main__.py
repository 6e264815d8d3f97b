"""``python -m facilities.notifications deliver`` - one delivery pass of the outbox (also
``digest`` for the daily digest). Safe to run beside the scheduler or several at once."""

from __future__ import annotations

import argparse
import asyncio
import sys

from facilities import db
from facilities.notifications.actions import send_digests
from facilities.notifications.delivery import deliver_due
from facilities.wiring import install


async def _run(command: str) -> str:
    async with db.database_open():
        if command == "digest":
            return f"digests sent: {await send_digests()}"
        result = await deliver_due()
        return (
            f"claimed: {result.claimed} sent: {result.sent} "
            f"retry: {result.retried} failed: {result.failed}"
        )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m facilities.notifications")
    parser.add_argument("command", choices=["deliver", "digest"])
    args = parser.parse_args(argv)
    install()  # the same reactions as every other entry point (facilities/wiring.py)
    print(asyncio.run(_run(args.command)))
    return 0


if __name__ == "__main__":
    sys.exit(main())

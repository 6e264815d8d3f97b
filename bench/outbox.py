"""Benchmark of the notification outbox: 10,000 queued e-mails delivered to a local aiosmtpd.

Queues ``BENCH_OUTBOX_MESSAGES`` (10,000) e-mails through ``notify()`` (rendered in English
and German, 100 per transaction), then runs delivery passes until the outbox is empty and
counts what the SMTP server received by ``Message-ID``: none may be lost or duplicated.

    python -m bench.outbox --engine sqlite|postgres

Prints a markdown section. PostgreSQL: ``FACILITIES_BENCH_OUTBOX_DATABASE_URL`` (default
``postgresql://postgres@127.0.0.1:5432/facilities_bench_outbox``; the database is recreated).
"""

from __future__ import annotations

import asyncio
import json
import os
import socket
import sys
import time
from collections import Counter
from datetime import date

from bench import section

MESSAGES = int(os.environ.get("BENCH_OUTBOX_MESSAGES", "10000"))
PER_TRANSACTION = 100
PG_URL = os.environ.get(
    "FACILITIES_BENCH_OUTBOX_DATABASE_URL",
    "postgresql://postgres@127.0.0.1:5432/facilities_bench_outbox",
)


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


# The SMTP server runs in its own process (as a real one would): it counts messages by
# Message-ID and prints the counts as JSON when its stdin closes.
_SERVER = """
import json, sys, threading
from collections import Counter
from aiosmtpd.controller import Controller

ids = Counter()
lock = threading.Lock()

class Handler:
    async def handle_DATA(self, server, session, envelope):
        for line in envelope.content.split(b"\\r\\n"):
            if line.lower().startswith(b"message-id:"):
                with lock:
                    ids[line.split(b":", 1)[1].strip().decode()] += 1
                break
            if not line:
                break
        return "250 OK"

controller = Controller(Handler(), hostname="127.0.0.1", port=int(sys.argv[1]))
controller.start()
print("ready", flush=True)
sys.stdin.read()
controller.stop()
print(json.dumps(ids))
"""


async def run(engine: str) -> str:
    port = _free_port()
    section.environment(
        engine, PG_URL, "outbox", FACILITIES_SMTP_HOST="127.0.0.1", FACILITIES_SMTP_PORT=str(port)
    )
    if engine == "postgres":
        await section.recreate_postgres(PG_URL)
    from facilities import db
    from facilities.notifications.delivery import deliver_due, message_id
    from facilities.notifications.notify import Recipient, notify
    from facilities.notifications.settings import get_outbox_settings

    server = await asyncio.create_subprocess_exec(
        sys.executable,
        "-c",
        _SERVER,
        str(port),
        stdin=asyncio.subprocess.PIPE,
        stdout=asyncio.subprocess.PIPE,
    )
    assert server.stdout is not None and server.stdin is not None
    await server.stdout.readline()  # "ready"
    await db.open_database()
    try:
        await db.migrate()
        context = {
            "contract_id": 1,
            "contract_name": "Cleaning Heidelberg",
            "provider_name": "Sparkle GmbH",
            "notice_deadline": date(2027, 1, 31),
            "end_date": date(2027, 4, 30),
        }
        started = time.perf_counter()
        for chunk in range(0, MESSAGES, PER_TRANSACTION):
            async with db.transaction():
                for n in range(chunk, min(chunk + PER_TRANSACTION, MESSAGES)):
                    await notify(
                        "contract_renewal_due",
                        recipients=[
                            Recipient(email=f"ops{n}@example.com", locale="de" if n % 2 else "en")
                        ],
                        context=context,
                        dedupe_key=f"bench:{n}",
                    )
        queue_seconds = time.perf_counter() - started
        started = time.perf_counter()
        passes = 0
        while True:
            result = await deliver_due(max_batches=1000)
            passes += 1
            if result.claimed == 0 or passes > 20:
                break
        deliver_seconds = time.perf_counter() - started
        rows = await db.raw("SELECT id, status FROM outbox_message")
    finally:
        await db.close_database()
        server.stdin.close()
        output, _err = await server.communicate()
    counts: Counter[str] = Counter(json.loads(output.decode().strip().splitlines()[-1]))
    expected = {message_id(int(r["id"])) for r in rows}
    received = set(counts)
    lost = len(expected - received)
    duplicated = sum(n - 1 for n in counts.values() if n > 1)
    unsent = sum(1 for r in rows if r["status"] != "sent")
    settings = get_outbox_settings()
    lines = [
        f"### Outbox delivery on {'PostgreSQL' if engine == 'postgres' else 'SQLite'}",
        "",
        f"{MESSAGES:,} e-mails queued through `notify()` (rendered text + HTML, English and"
        f" German, {PER_TRANSACTION} per transaction), then delivered to a local aiosmtpd"
        f" in another process ({settings.outbox_senders} SMTP connections, batches of"
        f" {settings.outbox_batch}).",
        "",
        "| step | messages | seconds | messages/s |",
        "|---|---:|---:|---:|",
        f"| queue (render + insert) | {len(rows):,} | {queue_seconds:.2f}"
        f" | {len(rows) / queue_seconds:,.0f} |",
        f"| deliver (claim + SMTP + mark sent) | {len(received):,} | {deliver_seconds:.2f}"
        f" | {len(received) / deliver_seconds:,.0f} |",
        "",
        f"Received by the SMTP server: {sum(counts.values()):,}; lost: **{lost}**;"
        f" duplicated: **{duplicated}**; not marked sent: **{unsent}**.",
        "",
    ]
    if lost or duplicated or unsent or len(rows) != MESSAGES:
        lines.append(f"**FAILED**: {len(rows)} queued, {lost} lost, {duplicated} duplicated")
    return "\n".join(lines)


if __name__ == "__main__":
    sys.exit(section.main(run, __doc__))

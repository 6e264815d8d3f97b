"""Benchmark of saving one inspection answer with 32 concurrent inspectors (issue 12).

32 community managers, each signed in with a bearer token and assigned to a site of their
own with one inspection there (the coworking-walk starter). wrk (32 connections, 2 threads)
sends ``PUT /api/v1/safety/inspections/{id}/items/{key}`` through a Lua script: each
request is one inspector answering one pass/fail item of their inspection with a fresh
``client_key`` (as the phone page sends them), round-robin over the inspectors and items,
so every request is a real write: the idempotency key claimed, the inspection held (its
version + 1), the answer upserted and audited, in one transaction. In the same run and
interleaved, the server's hello-world reference (``/bench/hello``, ``facilities.benchref``)
with the same connections: the figure is answers req/s as a ratio to it (target ≥ 15 %),
with the answers' p99 (target < 100 ms), errors (non-2xx, socket errors, timeouts: target
0) and "database is locked" in the server log (target 0). Afterwards the stored answers'
versions must equal the client keys kept (each write stored once) and the responses wrk
counted (plus at most the requests in flight when each wrk run stopped).

``BENCH_SAFETY_ANSWERS_SECONDS`` per wrk run (default 5) and ``BENCH_SAFETY_ANSWERS_RUNS``
(default 2).

    python -m bench.safety_answers --engine sqlite|postgres

PostgreSQL: ``FACILITIES_BENCH_SAFETY_ANSWERS_DATABASE_URL`` (default
``postgresql://postgres@127.0.0.1:5432/facilities_bench_safety_answers``; recreated).
"""

from __future__ import annotations

import json
import os
import shutil
import statistics
import sys
import tempfile
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from bench import section, wrk

INSPECTORS = 32
SECONDS = float(os.environ.get("BENCH_SAFETY_ANSWERS_SECONDS", "5"))
RUNS = int(os.environ.get("BENCH_SAFETY_ANSWERS_RUNS", "2"))
PG_URL = os.environ.get(
    "FACILITIES_BENCH_SAFETY_ANSWERS_DATABASE_URL",
    "postgresql://postgres@127.0.0.1:5432/facilities_bench_safety_answers",
)
RATIO_TARGET = 0.15
P99_TARGET_MS = 100.0
NOW = datetime.now(UTC).replace(microsecond=0)

# Each request: the next inspector (round-robin) answers the next of their items, with a
# client key unique per wrk run, thread and request (UUID-shaped).
LUA = """
local targets = %(targets)s
local keys = %(keys)s
local counter = 0
local threads = 0

function setup(thread)
  thread:set("tid", threads)
  threads = threads + 1
end

request = function()
  counter = counter + 1
  local target = targets[(counter + tid * 16) %% #targets + 1]
  local key = keys[math.floor(counter / #targets) %% #keys + 1]
  local client_key = string.format("%%08x-%%04x-4000-8000-%%012x", tid, %(run)d, counter)
  local body = '{"value": "pass", "client_key": "' .. client_key .. '"}'
  return wrk.format("PUT", "/api/v1/safety/inspections/" .. target[1] .. "/items/" .. key,
    {["Authorization"] = "Bearer " .. target[2], ["Content-Type"] = "application/json"}, body)
end
"""


async def _seed() -> tuple[list[tuple[int, str]], list[str]]:
    from facilities import db
    from facilities.accounts import actions as account_actions
    from facilities.accounts.enums import Role
    from facilities.accounts.schemas import ApiTokenCreate
    from facilities.safety.inspections.actions import copy_starter
    from facilities.sites import actions as site_actions
    from facilities.sites.schemas import AccessUpdate
    from facilities.sites.tables import Region, Site

    start = NOW - timedelta(days=30)
    region = Region(name="Answers bench region", created_at=start)
    await region.save()
    await Site.insert(
        *[
            Site(
                region=region.id,
                name=f"Answers site {n:02d}",
                code=f"SA-{n}",
                kind="coworking",
                time_zone="Europe/Berlin",
                created_at=start,
                updated_at=start,
            )
            for n in range(INSPECTORS)
        ]
    )
    site_ids = [int(r["id"]) for r in await Site.select(Site.id).order_by(Site.id)]
    template = await copy_starter(actor=None, key="coworking_walk", language="en")
    version = (
        await db.raw(
            "SELECT id, items FROM inspection_template_version WHERE template = {}", template.id
        )
    )[0]
    items = version["items"]
    items = json.loads(items) if isinstance(items, str) else items
    keys = [i["key"] for i in items if i["kind"] == "pass_fail_na"]
    await db.executemany(
        "INSERT INTO inspection (template_version, site, target_key, occurrence_key, due_at,"
        " status, assignee_role, created_at) VALUES ({}, {}, {}, {}, {}, {}, {}, {})",
        [
            (int(version["id"]), site_id, f"site:{site_id}", "bench", NOW + timedelta(days=1),
             "due", "community_manager", start)
            for site_id in site_ids
        ],
    )  # fmt: skip
    inspections = {
        int(r["site"]): int(r["id"]) for r in await db.raw("SELECT id, site FROM inspection")
    }
    system = await section.person("admin@answers.bench", "Admin", Role.admin, created_at=start)
    targets = []
    for n, site_id in enumerate(site_ids):
        principal = await section.person(
            f"inspector{n}@answers.bench",
            f"Inspector {n}",
            Role.community_manager,
            created_at=start,
        )
        await site_actions.set_access(
            actor=system, user_id=principal.user_id, data=AccessUpdate(site_ids=[site_id])
        )
        token = await account_actions.create_api_token(
            actor=principal, data=ApiTokenCreate(name="answers benchmark")
        )
        targets.append((inspections[site_id], token.secret))
    return targets, keys


def _lua(targets: list[tuple[int, str]], keys: list[str], folder: Path, run: int) -> str:
    def table(values: list[Any]) -> str:
        return "{" + ", ".join(values) + "}"

    script = LUA % {
        "targets": table([f'{{{i}, "{t}"}}' for i, t in targets]),
        "keys": table([f'"{k}"' for k in keys]),
        "run": run,
    }
    path = folder / f"answers-{run}.lua"
    path.write_text(script)
    return str(path)


def _measure(server_class: Any, scripts: list[str]) -> dict[str, Any]:
    """The real server; warm-up; ``RUNS`` interleaved pairs of wrk runs; its log checked."""
    server = server_class(dict(os.environ), Path(tempfile.mkdtemp()) / "server.log")
    server.start()
    hello: list[wrk.WrkResult] = []
    answers: list[wrk.WrkResult] = []
    try:
        base = server.base_url
        wrk.run(f"{base}/bench/hello", seconds=1)
        warm = wrk.run(base, seconds=1, script=scripts[0])
        for script in scripts[1:]:
            hello.append(wrk.run(f"{base}/bench/hello", seconds=SECONDS))
            answers.append(wrk.run(base, seconds=SECONDS, script=script))
        log = server.log_path.read_text(errors="replace")
    finally:
        server.stop()
    return {
        "hello": hello,
        "answers": answers,
        "sent": warm.requests + sum(r.requests for r in answers),
        "warm_errors": warm.non_2xx + warm.socket_errors + warm.timeouts,
        "locked": log.count("database is locked"),
        "tracebacks": log.count("Traceback"),
    }


async def _stored() -> tuple[int, int]:
    """(sum of the answers' versions, client keys kept): each write adds one to each."""
    from facilities import db

    versions = await db.raw("SELECT coalesce(sum(version), 0) AS n FROM inspection_answer")
    keys = await db.raw("SELECT count(*) AS n FROM inspection_client_key")
    return int(versions[0]["n"]), int(keys[0]["n"])


async def run(engine: str) -> str:
    tmp = section.environment(engine, PG_URL, "safety-answers", FACILITIES_BENCH_MODE="true")
    if engine == "postgres":
        await section.recreate_postgres(PG_URL)
    from bench.run import Server
    from facilities import db
    from facilities.wiring import install

    install()
    await db.open_database()
    try:
        await db.migrate()
        targets, keys = await _seed()
    finally:
        await db.close_database()
    scripts = [_lua(targets, keys, tmp, run) for run in range(RUNS + 1)]  # 0: warm-up
    load_before = os.getloadavg()[0]
    result = _measure(Server, scripts)
    load_after = os.getloadavg()[0]
    await db.open_database()
    try:
        versions, client_keys = await _stored()
    finally:
        await db.close_database()
    hello_rps = statistics.median(r.rps for r in result["hello"])
    rps = statistics.median(r.rps for r in result["answers"])
    p50 = statistics.median(r.p50_ms for r in result["answers"])
    p99 = statistics.median(r.p99_ms for r in result["answers"])
    errors = result["warm_errors"] + sum(
        r.non_2xx + r.socket_errors + r.timeouts for r in result["answers"]
    )
    ratio = rps / hello_rps if hello_rps else 0.0
    locked = result["locked"]
    sent = result["sent"]
    # wrk stops counting at the end of a run; up to one request per connection is still
    # in flight then, and the server completes it.
    in_flight = wrk.CONNECTIONS * (RUNS + 1)

    def mark(ok: bool) -> str:
        return "✅" if ok else "❌"

    name = "PostgreSQL" if engine == "postgres" else "SQLite"
    lines = [
        f"### Saving one inspection answer, {INSPECTORS} concurrent inspectors, on {name}",
        "",
        f"wrk, {wrk.CONNECTIONS} connections, {wrk.THREADS} threads, {RUNS} × {SECONDS:g} s"
        " per endpoint, interleaved with the hello-world reference (medians of the runs);"
        f" {len(keys)} pass/fail items per inspection, a fresh client key per request. Load"
        f" average {load_before:.1f} before, {load_after:.1f} after (shared 2-core machine:"
        " ratios are what compare).",
        "",
        "| figure | value | target |",
        "|---|---:|---|",
        f"| hello-world (reference) | {hello_rps:,.0f} req/s | — |",
        f"| `PUT …/items/{{key}}` | {rps:,.0f} req/s, p50 {p50:.1f} ms | — |",
        f"| answers / hello-world | **{ratio:.1%}**"
        f" | ≥ {RATIO_TARGET:.0%} {mark(ratio >= RATIO_TARGET)} |",
        f"| answers p99 | {p99:.1f} ms | < {P99_TARGET_MS:.0f} ms {mark(p99 < P99_TARGET_MS)} |",
        f"| errors (non-2xx, socket, timeouts) | {errors} | 0 {mark(errors == 0)} |",
        f'| "database is locked" in the server log | {locked} | 0 {mark(locked == 0)} |',
        f"| writes stored (answer versions, client keys) / responses wrk counted"
        f" | {versions:,}, {client_keys:,} / {sent:,}"
        f" | versions = keys, at most {in_flight} more than counted"
        f" {mark(versions == client_keys and sent <= versions <= sent + in_flight)} |",
        "",
    ]
    if result["tracebacks"]:
        lines.append(f"**{result['tracebacks']} tracebacks in the server log.**")
    shutil.rmtree(tmp, ignore_errors=True)
    return "\n".join(lines)


if __name__ == "__main__":
    sys.exit(section.main(run, __doc__))

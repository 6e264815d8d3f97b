"""Benchmark of the safety report (issue 12): a region of sites with one year of inspections.

One region of ``BENCH_SAFETY_REPORT_SITES`` sites (default 50; the issue's size is 250), each
with five monthly inspection programmes over the last twelve months (60 inspections a site:
15,000 at 250 sites), ``BENCH_SAFETY_REPORT_ANSWERS`` answers per submitted inspection (33:
~500,000 at 250 sites), findings on one inspection in sixteen (some open, some with an
overdue corrective work order), three incidents, six certificates and four trained people a
site. Everything is bulk-inserted through the driver (``db.executemany``) after the real
migrations; nothing here is the app's write path. Then the real server (``python -m
facilities serve``) answers, as an ops manager of the region (bearer token), sequentially:
``BENCH_SAFETY_REPORT_REQUESTS`` (30) times the report's web page for the region (default
period: the last twelve months), as many times its JSON (``/api/v1/safety/report``), and
``BENCH_SAFETY_REPORT_PDFS`` (3) times the PDF. Targets: page p99 < 500 ms, PDF < 5 s.

    python -m bench.safety_report --engine sqlite|postgres

PostgreSQL: ``FACILITIES_BENCH_SAFETY_REPORT_DATABASE_URL`` (default
``postgresql://postgres@127.0.0.1:5432/facilities_bench_safety_report``; recreated).
"""

from __future__ import annotations

import os
import random
import shutil
import statistics
import sys
import tempfile
import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx

from bench import section

SITES = int(os.environ.get("BENCH_SAFETY_REPORT_SITES", "50"))
ANSWERS = int(os.environ.get("BENCH_SAFETY_REPORT_ANSWERS", "33"))
REQUESTS = int(os.environ.get("BENCH_SAFETY_REPORT_REQUESTS", "30"))
PDFS = int(os.environ.get("BENCH_SAFETY_REPORT_PDFS", "3"))
PG_URL = os.environ.get(
    "FACILITIES_BENCH_SAFETY_REPORT_DATABASE_URL",
    "postgresql://postgres@127.0.0.1:5432/facilities_bench_safety_report",
)
PAGE_P99_TARGET_MS = 500.0
PDF_TARGET_S = 5.0
NOW = datetime.now(UTC).replace(microsecond=0)
PROGRAMMES = ("Fire extinguishers", "Emergency lighting", "First aid", "Escape routes", "Walk")
FAILED_ITEMS = [
    "Pressure gauge in the green zone",
    "Seal intact",
    "Exit sign lit",
    "Fire door closes by itself",
    "Escape route free",
    "Cables tidy",
    "First-aid kit complete",
    "Ventilation working",
    "Desk lamps working",
    "Emergency light works for 3 minutes",
]


def _p99(values: list[float]) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(0.99 * (len(ordered) - 1)))]


async def _bulk(sql: str, rows: list[tuple[Any, ...]], size: int = 5000) -> None:
    from facilities import db

    async with db.transaction():
        for start in range(0, len(rows), size):
            await db.executemany(sql, rows[start : start + size])


async def _next_id(table: str) -> int:
    from facilities import db

    rows = await db.raw(f"SELECT coalesce(max(id), 0) AS n FROM {table}")
    return int(rows[0]["n"]) + 1


async def _seed() -> tuple[str, int, dict[str, int]]:
    from facilities import db
    from facilities.accounts import actions as account_actions
    from facilities.accounts.enums import Role
    from facilities.accounts.schemas import ApiTokenCreate
    from facilities.safety.compliance.actions import seed_certificate_types
    from facilities.safety.inspections.actions import copy_starter
    from facilities.safety.training.actions import seed_training_types
    from facilities.sites import actions as site_actions
    from facilities.sites.schemas import AccessUpdate
    from facilities.sites.tables import Region, Site

    rng = random.Random(12)
    start = NOW - timedelta(days=400)
    region = Region(name="Safety bench region", created_at=start)
    await region.save()
    sites = [
        Site(
            region=region.id,
            name=f"Safety site {n:03d}",
            code=f"SR-{n}",
            kind="coworking",
            time_zone="Europe/Berlin",
            created_at=start,
            updated_at=start,
        )
        for n in range(SITES)
    ]
    for chunk in range(0, len(sites), 500):
        await Site.insert(*sites[chunk : chunk + 500])
    site_ids = [int(r["id"]) for r in await Site.select(Site.id).order_by(Site.id)]
    template = await copy_starter(actor=None, key="coworking_walk", language="en")
    version_id = int(
        (
            await db.raw(
                "SELECT id FROM inspection_template_version WHERE template = {}", template.id
            )
        )[0]["id"]
    )
    await _bulk(
        "INSERT INTO inspection_programme (name, template, scope, site, rrule, dtstart_local,"
        " lead_days, skip_closed_days, assignee_role, active, effective_from, created_at)"
        " VALUES ({}, {}, {}, {}, {}, {}, {}, {}, {}, {}, {}, {})",
        [
            (name, template.id, "site", site_id, f"FREQ=MONTHLY;BYMONTHDAY={n + 1}",
             "2020-01-01T09:00:00", 7, True, "community_manager", True, start, start)
            for site_id in site_ids
            for n, name in enumerate(PROGRAMMES)
        ],
    )  # fmt: skip
    programmes = [
        (int(r["id"]), int(r["site"]), n % len(PROGRAMMES))
        for n, r in enumerate(
            await db.raw("SELECT id, site FROM inspection_programme ORDER BY site, id")
        )
    ]
    # Inspections: one a month per programme, the last twelve months and the next one.
    first_month = (NOW.date().replace(day=1) - timedelta(days=335)).replace(day=1)
    inspection_id = await _next_id("inspection")
    inspections: list[tuple[Any, ...]] = []
    answers: list[tuple[Any, ...]] = []
    submitted_ids: list[tuple[int, int, datetime]] = []  # (id, site, submitted_at)
    for programme_id, site_id, offset in programmes:
        month = first_month
        for _ in range(13):
            due = datetime(month.year, month.month, offset + 1, 8, tzinfo=UTC)
            month = (month + timedelta(days=32)).replace(day=1)
            if due > NOW + timedelta(days=7):
                continue
            status, submitted, score, earned, possible = "due", None, None, None, None
            if due <= NOW:
                roll = rng.random()
                if roll < 0.08:
                    status = "missed"
                else:
                    status = "submitted"
                    late = roll > 0.85
                    submitted = due + timedelta(hours=rng.randint(1, 96) * (1 if late else -1))
                    submitted = min(submitted, NOW)
                    possible = 20
                    earned = rng.randint(11, 20)
                    score = round(100 * earned / possible, 1)
            inspections.append(
                (inspection_id, programme_id, version_id, site_id, f"site:{site_id}",
                 f"{due:%Y%m%d}", due, status, "community_manager", submitted, earned, possible,
                 score, due - timedelta(days=7))
            )  # fmt: skip
            if submitted is not None:
                submitted_ids.append((inspection_id, site_id, submitted))
                for item in range(ANSWERS):
                    answers.append(
                        (inspection_id, f"q{item:02d}", True, "pass" if rng.random() < 0.95
                         else "fail", submitted)
                    )  # fmt: skip
            inspection_id += 1
    started = time.perf_counter()
    await _bulk(
        "INSERT INTO inspection (id, programme, template_version, site, target_key,"
        " occurrence_key, due_at, status, assignee_role, submitted_at, earned, possible, score,"
        " created_at) VALUES ({}, {}, {}, {}, {}, {}, {}, {}, {}, {}, {}, {}, {}, {})",
        inspections,
    )
    await _bulk(
        "INSERT INTO inspection_answer (inspection, item_key, answered, value_text,"
        " answered_at) VALUES ({}, {}, {}, {}, {})",
        answers,
        size=20_000,
    )
    # Findings on one submitted inspection in sixteen; open ones of the last 90 days, a
    # quarter of them with a corrective work order past due.
    work_order_id = await _next_id("work_order")
    orders: list[tuple[Any, ...]] = []
    findings: list[tuple[Any, ...]] = []
    for number, (inspection, site_id, submitted) in enumerate(submitted_ids):
        if number % 16:
            continue
        label = FAILED_ITEMS[rng.randrange(len(FAILED_ITEMS))]
        is_open = submitted > NOW - timedelta(days=90) and rng.random() < 0.6
        order = None
        if is_open and rng.random() < 0.25:
            order = work_order_id
            work_order_id += 1
            orders.append(
                (order, "corrective", f"Fix: {label}", site_id, "p2", "open", "inspection",
                 submitted + timedelta(days=7), submitted, submitted)
            )  # fmt: skip
        findings.append(
            (inspection, template.id, site_id, f"site:{site_id}", "q00", label, "fail",
             "open" if is_open else "closed", order, submitted,
             None if is_open else submitted + timedelta(days=10))
        )  # fmt: skip
    await _bulk(
        "INSERT INTO work_order (id, kind, title, site, priority, status, origin, due_at,"
        " created_at, updated_at) VALUES ({}, {}, {}, {}, {}, {}, {}, {}, {}, {})",
        orders,
    )
    await _bulk(
        "INSERT INTO inspection_finding (inspection, template, site, target_key, item_key,"
        " item_label, answer, status, work_order, created_at, closed_at)"
        " VALUES ({}, {}, {}, {}, {}, {}, {}, {}, {}, {}, {})",
        findings,
    )
    # Incidents, certificates, training.
    await seed_certificate_types()
    await seed_training_types()
    cert_types = [int(r["id"]) for r in await db.raw("SELECT id FROM safety_certificate_type")]
    training_types = {
        str(r["key"]): (int(r["id"]), r["validity_months"])
        for r in await db.raw("SELECT id, key, validity_months FROM safety_training_type")
    }
    incidents, certificates, trainees = [], [], []
    for site_id in site_ids:
        for n in range(3):
            when = NOW - timedelta(days=rng.randint(1, 360), hours=rng.randint(0, 23))
            injury = n == 0 and rng.random() < 0.5
            incidents.append(
                ("incident" if n < 2 else "near_miss", site_id, when, f"Incident {n}", injury,
                 rng.choice(("low", "medium", "high")), "reported", False, False, "app", when,
                 when)
            )  # fmt: skip
        for n in range(6):
            expires = NOW.date() + timedelta(days=rng.randint(-60, 700))
            issued = expires - timedelta(days=365)
            certificates.append(
                (cert_types[n % len(cert_types)], site_id, issued, expires, start, start)
            )
        for n in range(4):
            trainees.append((f"Person {site_id}-{n}", site_id, True, start))
    await _bulk(
        "INSERT INTO safety_incident (kind, site, occurred_at, title, injury, severity, status,"
        " confidential, reportable, source, created_at, updated_at)"
        " VALUES ({}, {}, {}, {}, {}, {}, {}, {}, {}, {}, {}, {})",
        incidents,
    )
    await _bulk(
        "INSERT INTO safety_certificate (certificate_type, site, issued_on, expires_on,"
        " created_at, updated_at) VALUES ({}, {}, {}, {}, {}, {})",
        certificates,
    )
    await _bulk(
        "INSERT INTO safety_trainee (name, site, active, created_at) VALUES ({}, {}, {}, {})",
        trainees,
    )
    briefing, first_aid = training_types["safety_briefing"][0], training_types["first_aid"][0]
    await _bulk(
        "INSERT INTO safety_training_requirement (training_type, role, site, created_at)"
        " VALUES ({}, {}, {}, {})",
        [(briefing, "", None, start), (first_aid, "", site_ids[0], start)],
    )
    completions = []
    for row in await db.raw("SELECT id FROM safety_trainee"):
        if rng.random() < 0.8:
            done = NOW.date() - timedelta(days=rng.randint(10, 500))
            until = date(done.year + 1, done.month, min(done.day, 28))
            completions.append(
                (f"t{row['id']}", int(row["id"]), briefing, done, until, "", "manual", start)
            )
    await _bulk(
        "INSERT INTO safety_training_completion (subject, trainee, training_type, completed_on,"
        " valid_until, reference, source, created_at) VALUES ({}, {}, {}, {}, {}, {}, {}, {})",
        completions,
    )
    seconds = time.perf_counter() - started
    if not db.is_sqlite():
        for table in ("inspection", "work_order"):
            await db.raw(f"SELECT setval('{table}_id_seq', (SELECT max(id) FROM {table}))")
    await db.raw("ANALYZE")
    ops_principal = await section.person(
        "ops@safety.bench", "Ops", Role.ops_manager, created_at=start
    )
    system = await section.person("admin@safety.bench", "Admin", Role.admin, created_at=start)
    await site_actions.set_access(
        actor=system, user_id=ops_principal.user_id, data=AccessUpdate(region_ids=[int(region.id)])
    )
    token = await account_actions.create_api_token(
        actor=ops_principal, data=ApiTokenCreate(name="safety report benchmark")
    )
    counts = {
        "inspections": len(inspections),
        "answers": len(answers),
        "findings": len(findings),
        "work_orders": len(orders),
        "incidents": len(incidents),
        "certificates": len(certificates),
        "completions": len(completions),
        "seconds": round(seconds, 1),  # type: ignore[dict-item]
    }
    return token.secret, int(region.id), counts


def _measure(
    client: httpx.Client, path: str, headers: dict[str, str], n: int
) -> tuple[list[float], int, int]:
    times, status, size = [], 0, 0
    for _ in range(n):
        began = time.perf_counter()
        response = client.get(path, headers=headers)
        times.append((time.perf_counter() - began) * 1000)
        status, size = response.status_code, len(response.content)
        if status != 200:
            raise RuntimeError(f"{path}: {status} {response.text[:300]}")
    return times, status, size


def _serve_and_measure(
    server_class: Any, token: str, region_id: int
) -> tuple[dict[str, tuple[list[float], int]], dict[str, Any], list[str]]:
    """The real server on the seeded database; each request measured; log problems."""
    server = server_class(dict(os.environ), Path(tempfile.mkdtemp()) / "server.log")
    server.start()
    figures: dict[str, tuple[list[float], int]] = {}
    try:
        headers = {"Authorization": f"Bearer {token}"}
        with httpx.Client(base_url=server.base_url, timeout=120) as client:
            page = f"/safety/report?region_id={region_id}"
            api = f"/api/v1/safety/report?region_id={region_id}"
            pdf = f"/safety/report/pdf?region_id={region_id}"
            body = client.get(api, headers=headers).json()  # warm-up, and the figures
            client.get(page, headers=headers)
            for key, path, n in (("page", page, REQUESTS), ("api", api, REQUESTS),
                                 ("pdf", pdf, PDFS)):  # fmt: skip
                times, _status, size = _measure(client, path, headers, n)
                figures[key] = (times, size)
        problems = [
            line
            for line in server.log_path.read_text(errors="replace").splitlines()
            if "Traceback" in line or " ERROR " in line
        ]
    finally:
        server.stop()
    return figures, body, problems


async def run(engine: str) -> str:
    tmp = section.environment(engine, PG_URL, "safety-report")
    if engine == "postgres":
        await section.recreate_postgres(PG_URL)
    from bench.run import Server
    from facilities import db
    from facilities.wiring import install

    install()
    await db.open_database()
    try:
        await db.migrate()
        token, region_id, counts = await _seed()
    finally:
        await db.close_database()
    load_before = os.getloadavg()[0]
    figures, body, problems = _serve_and_measure(Server, token, region_id)
    load_after = os.getloadavg()[0]
    name = "PostgreSQL" if engine == "postgres" else "SQLite"
    page_p99 = _p99(figures["page"][0])
    pdf_max = max(figures["pdf"][0]) / 1000
    inspections = body["inspections"]
    lines = [
        f"### Safety report on {name}",
        "",
        f"One region of {SITES} sites, the last twelve months: {counts['inspections']:,}"
        f" inspections, {counts['answers']:,} answers, {counts['findings']:,} findings"
        f" ({counts['work_orders']:,} with an open corrective work order),"
        f" {counts['incidents']:,} incidents, {counts['certificates']:,} certificates,"
        f" {counts['completions']:,} training completions, bulk-inserted through the driver in"
        f" {counts['seconds']} s. The report counted {inspections['due']:,} inspections due and"
        f" {inspections['submitted']:,} submitted (average score"
        f" {inspections['average_score']} %). Sequential requests as the region's ops manager;"
        f" load average {load_before:.1f} before, {load_after:.1f} after (shared machine).",
        "",
        "| request | n | median ms | p99 ms | answer | target |",
        "|---|---:|---:|---:|---:|---|",
    ]
    for key, label, target in (
        ("page", "report web page (`/safety/report?region_id=…`)",
         f"p99 < {PAGE_P99_TARGET_MS:.0f} ms: {'✅' if page_p99 < PAGE_P99_TARGET_MS else '❌'}"),
        ("api", "report JSON (`/api/v1/safety/report?region_id=…`)", "—"),
        ("pdf", "report PDF (`/safety/report/pdf?region_id=…`)",
         f"< {PDF_TARGET_S:.0f} s: {'✅' if pdf_max < PDF_TARGET_S else '❌'} (slowest)"),
    ):  # fmt: skip
        times, size = figures[key]
        lines.append(
            f"| {label} | {len(times)} | {statistics.median(times):.0f} | {_p99(times):.0f}"
            f" | {size:,} B | {target} |"
        )
    if problems:
        lines += ["", "**Server log problems:**", "", *[f"    {p}" for p in problems[:5]]]
    shutil.rmtree(tmp, ignore_errors=True)
    return "\n".join(lines) + "\n"


if __name__ == "__main__":
    sys.exit(section.main(run, __doc__))

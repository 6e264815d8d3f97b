"""Render ``docs/benchmarks.md`` and the stdout summary from the results of ``bench.run``."""

from __future__ import annotations

import os
import platform
import sqlite3
import sys
import textwrap
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING

from bench.wrk import CONNECTIONS, THREADS

if TYPE_CHECKING:
    from bench.run import EngineResult, SectionResult

# (numerator, denominator, label, target or None)
RATIOS = [
    ("by_id", "hello", "site by id / hello-world", 0.20),
    ("by_id", "raw_by_id", "site by id / raw driver by id", 0.60),
    ("list", "hello", "50-row list / hello-world", 0.10),
    ("list", "raw_list", "50-row list / raw driver 50 rows", None),
    ("scan", "hello", "scan page /q/{code} / hello-world", 0.10),
    ("partner_list", "hello", "partner work-order list / hello-world", 0.10),
]
RSS_TARGET_MB = 200.0
SCAN_P99_TARGET_MS = 150.0
SCAN_BYTES_TARGET = 40 * 1024  # HTML + CSS
LABEL_SECONDS_TARGET = 5.0

CHANGES = """\
Each change came from a py-spy profile of the server under wrk, and keeps behaviour and
scoping identical (the whole suite passes on both engines; the new site reads were compared
with the Piccolo queries they replace, as JSON, for every demo role and 2,268 filter and
paging combinations on both engines: 11,375 comparisons, no difference but the order of
sites with equal names, which is now stable).

1. **The permission guard is async** (`facilities/accounts/auth.py`). Litestar runs a
   synchronous guard in a worker thread (`sync_to_thread`), so every request, hello-world
   included, paid a thread hop: ~8 % of the time of a site by id.
2. **Site reads are hand-written SQL** (`facilities/sites/queries.py`, through `db.raw`).
   Piccolo spent ~38 % of a site-by-id request building the 23-column joined SELECT, more
   than the database spent answering it. Same columns, filters and order (plus `id` as a
   tie-break, which makes paging stable); scoping still comes from `sites.scope`.
3. **One statement per page.** The list sorts and pages the narrow `(name, id)` rows first,
   fetches the 50 full rows by key, and carries the total as a scalar subquery: one round
   trip instead of two (rows, then `count`). `count(*) OVER ()` was 10× slower on SQLite
   (2.3 ms against 0.22 ms for 250 sites).
4. **Rows become schemas in C.** `msgspec.convert` builds the `SiteRead` structs (enum,
   Decimal → float, ISO timestamps); on SQLite, `+s.col` in the SELECT list skips Piccolo's
   per-value Python converters (INTEGER, BOOLEAN, NUMERIC, TIMESTAMPTZ: eight Python calls
   per row). 50 rows through `db.raw`: ~640 → ~430 µs of CPU.
5. **The SQLite engine reads inline** (`facilities/kit/sqlite_engine.py`). A SELECT outside
   a transaction runs on the event loop on its own read-only connection, within a budget
   (2 ms of CPU, 20 ms of wall time) enforced by a progress handler, and with
   `busy_timeout = 0`; past the budget or on a lock it is abandoned and re-run on the
   reader threads, so a heavy report never holds up the loop for long (tested). Every
   other statement takes one trip to its connection's thread instead of three (execute,
   fetchall, close). Site by id, in process: ~110 → ~26 µs of CPU.
6. **Reference endpoints** (`facilities/benchref.py`): mounted only with
   `FACILITIES_BENCH_MODE=true` (refused in production); public, no CSRF, not in the OpenAPI
   schema. The raw-driver ones run the very SQL of `facilities.sites.queries` on their own
   `sqlite3` connection (synchronously, like the engine's inline reads) or their own
   `asyncpg` pool, and return the same JSON fields as the API.

7. **asyncpg's pool reset is a no-op** (`facilities/db.py`, `reset=_keep_session`). On
   every release the default reset sends `SELECT pg_advisory_unlock_all(); CLOSE ALL;
   UNLISTEN *; RESET ALL` — one more round trip per query. Measured in the previous
   session: a small query took ~170 µs wall and ~92 µs client CPU with it, ~90 µs and
   ~60 µs without. asyncpg still rolls back an open transaction on release; the app keeps
   no session state (advisory locks are transaction-scoped or on a dedicated connection,
   no LISTEN, no session SET).
8. **Garbage-collector thresholds** (`cmd_serve` in `facilities/__main__.py`:
   `gc.set_threshold(10_000, 50, 100)`). A page of 50 sites allocates a few thousand small
   containers, and with 32 requests in flight many are still alive when CPython's collector
   runs (default thresholds 700, 10, 10), so they get promoted and re-walked. Measured in
   the previous session, same machine and minute: SQLite list 1,070 → 1,425 req/s (937 →
   701 µs CPU per request), PostgreSQL list 1,121 → 1,175 req/s; hello-world and by-id
   unchanged.
9. **The public scan page in three statements** (`facilities/assets/queries/_contract.py`
   `resolve_scan`, `facilities/maintenance/reports/controllers/scan.py`): one joined SELECT for
   code → asset, site, category and primary photo; the scan log as one plain INSERT; the
   open reports as one SELECT; the space path as one recursive query. The template reads
   form values once (rendered output compared byte for byte in 8 cases). Measured with wrk
   before/after on the same machine: ~2.5–2.8 → ~1.1–1.2 ms CPU per request, 7 % → 15–20 %
   of hello-world.
10. **The partner work-order list is one SQL statement** (`facilities/maintenance/workorders/
   queries.py` `list_work_orders`): page ids first, then the 50 wide rows with their five
   joined names, the total as a scalar subquery, `msgspec.convert` per row and the allowed
   actions computed once per status. JSON compared with the Piccolo version over 90 filter,
   paging and role combinations on both engines: identical. ~2.2 → ~0.9 ms CPU per request.
11. **Jinja checks template files for changes only in development** (`auto_reload`), not
   on every render in production.

Worth doing next: **an index on `site (name)`** (a sites migration) would let a page of
sites skip the sort.
"""


def machine() -> dict[str, str]:
    cpu = "unknown"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    ram = "unknown"
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal:"):
                ram = f"{int(line.split()[1]) / 1024 / 1024:.1f} GiB"
                break
    except OSError:
        pass
    os_name = platform.system()
    try:
        for line in Path("/etc/os-release").read_text().splitlines():
            if line.startswith("PRETTY_NAME="):
                os_name = line.split("=", 1)[1].strip('"')
    except OSError:
        pass
    return {
        "CPU": cpu,
        "Cores": str(os.cpu_count()),
        "RAM": ram,
        "OS": f"{os_name} (kernel {platform.release()})",
        "Python": sys.version.split()[0],
        "SQLite": sqlite3.sqlite_version,
    }


def _mark(ok: bool) -> str:
    return "✅" if ok else "❌"


def ratio(result: EngineResult, numerator: str, denominator: str) -> float:
    return result.endpoints[numerator].rps / result.endpoints[denominator].rps


def errors(result: EngineResult) -> int:
    figures = result.endpoints.values()
    burst = result.burst
    return (
        sum(f.non_2xx + f.socket_errors + f.timeouts for f in figures)
        + result.writes.failures
        + result.writes.locked
        + (burst.failures + burst.locked if burst is not None else 0)
    )


def all_clean(results: list[EngineResult]) -> bool:
    return all(errors(r) == 0 for r in results)


def _by_engine(results: list[EngineResult]) -> dict[str, EngineResult]:
    return {r.engine: r for r in results}


def cpu_ratio(result: EngineResult, numerator: str, denominator: str) -> float:
    """The req/s ratio the server's own CPU time per request predicts (noise-resistant)."""
    return (
        result.endpoints[denominator].cpu_per_request_us
        / result.endpoints[numerator].cpu_per_request_us
    )


def _ratio_rows(results: list[EngineResult]) -> list[str]:
    rows = []
    for result in results:
        for numerator, denominator, label, target in RATIOS:
            value = ratio(result, numerator, denominator)
            by_cpu = cpu_ratio(result, numerator, denominator)
            goal = f"≥ {target:.0%}" if target is not None else "(no target)"
            mark = _mark(value >= target) if target is not None else "—"
            rows.append(
                f"| {result.engine} | {label} | {value:.1%} | {by_cpu:.1%} | {goal} | {mark} |"
            )
    engines = _by_engine(results)
    if "sqlite" in engines and "postgres" in engines:
        for key, label in (("by_id", "site by id"), ("list", "50-row list")):
            value = engines["sqlite"].endpoints[key].rps / engines["postgres"].endpoints[key].rps
            rows.append(
                f"| both | SQLite / PostgreSQL, {label} | {value:.2f}× | — | ≥ 1.00× | "
                f"{_mark(value >= 1.0)} |"
            )
    for result in results:
        if "scan" in result.endpoints:
            p99 = result.endpoints["scan"].p99_ms
            rows.append(
                f"| {result.engine} | scan page p99 | {p99:.1f} ms | — |"
                f" < {SCAN_P99_TARGET_MS:.0f} ms | {_mark(p99 < SCAN_P99_TARGET_MS)} |"
            )
            size = result.scan_bytes[1]
            rows.append(
                f"| {result.engine} | scan page HTML + CSS | {size / 1024:.1f} KB | — |"
                f" < {SCAN_BYTES_TARGET // 1024} KB | {_mark(0 < size < SCAN_BYTES_TARGET)} |"
            )
        if result.burst is not None:
            b = result.burst
            stored = b.ok == b.requests == b.stored_reports == b.stored_photos and not b.locked
            rows.append(
                f"| {result.engine} | {b.requests} concurrent reports with photos stored"
                f" | {b.stored_reports} reports, {b.stored_photos} photos | — |"
                f" all, none locked | {_mark(stored)} |"
            )
        if result.labels is not None:
            sheet = result.labels
            ok = sheet.seconds < LABEL_SECONDS_TARGET
            rows.append(
                f"| {result.engine} | label sheet, {sheet.assets} assets ({sheet.pages} pages)"
                f" | {sheet.seconds:.2f} s | — | < {LABEL_SECONDS_TARGET:.0f} s | {_mark(ok)} |"
            )
            decoded = sheet.distinct == sheet.working_urls == sheet.assets and not sheet.problem
            rows.append(
                f"| {result.engine} | label QR codes decoded and opening the scan page"
                f" | {sheet.working_urls} of {sheet.assets} | — | all | {_mark(decoded)} |"
            )
        count = errors(result)
        rows.append(
            f"| {result.engine} | errors + timeouts (reads and writes) | {count} | — | 0 | "
            f"{_mark(count == 0)} |"
        )
        rows.append(
            f"| {result.engine} | server RSS after reads and writes | {result.rss_mb:.0f} MB | — | "
            f"< {RSS_TARGET_MB:.0f} MB | {_mark(result.rss_mb < RSS_TARGET_MB)} |"
        )
    return rows


def status(results: list[EngineResult]) -> str:
    rows = [[c.strip() for c in row.strip("|").split("|")] for row in _ratio_rows(results)]
    judged = [row for row in rows if row[5] in {"✅", "❌"}]
    missed = [f"{row[0]}: {row[1]} ({row[2]}, target {row[4]})" for row in judged if row[5] == "❌"]
    text = f"**Targets met: {len(judged) - len(missed)} of {len(judged)}.**"
    return text + (" Missed: " + "; ".join(missed) + "." if missed else "")


def render(results: list[EngineResult], notes: list[str], *, seconds: float, runs: int) -> str:
    info = machine()
    for result in results:
        if result.engine == "postgres":
            info["PostgreSQL"] = result.version.removeprefix("PostgreSQL ")
    lines = [
        "# Benchmarks",
        "",
        "Generated by `make bench` (`python -m bench.run`); do not edit by hand — the section",
        '"What we changed and why" lives in `bench/report.py`.',
        "",
        f"Date: {datetime.now(UTC).strftime('%Y-%m-%d %H:%M UTC')}",
        "",
        status(results),
        "",
        "## Machine",
        "",
        *(f"- {name}: {value}" for name, value in info.items()),
        "",
        "## Method",
        "",
        *textwrap.wrap(
            "For each engine `bench.run` creates a fresh database (a SQLite file in a"
            " temporary directory; the PostgreSQL database `facilities_bench` dropped and"
            " recreated), runs `facilities migrate` and `facilities demo`, adds field and"
            " coworking sites through the real actions until there are 250 sites, and creates"
            " an API token for the demo admin. It then starts the real server as its own"
            " process (`python -m facilities serve --no-migrate`, uvicorn, one worker,"
            " `FACILITIES_BENCH_MODE=true`, scheduler off, log level WARNING) and drives it"
            f" with wrk from another process: {CONNECTIONS} connections, {THREADS} threads,"
            f" {runs} runs of {seconds:g} s per endpoint after a 1 s warm-up each, the seven"
            " endpoints interleaved within each run so that machine noise hits them alike;"
            " the figures are the medians of the runs. The site endpoints send"
            " `Authorization: Bearer …` as an admin (the largest scope: a full page of 50"
            " rows); the work-order list as a partner user whose organisation has 50 work"
            " orders assigned (one full page; the partner scope filter applied). The scan"
            " page is anonymous (a public site) and shows an open report with its +1 form;"
            " each request also logs the scan (one INSERT), as the product does. The"
            " reference endpoints (`facilities/benchref.py`) are bare: no"
            " credentials, no CSRF; the raw-driver ones run the same SQL as the API on their"
            " own `sqlite3` connection (queried synchronously in the handler) or their own"
            " `asyncpg` pool, and return the same fields. Ratios to the references, measured"
            " on the same server in the same minute, are what count on a noisy machine (other"
            " jobs share it: see the load averages). Writes: 640"
            " `POST /api/v1/sites/{id}/closures` (a distinct site and day each), 32 in"
            " flight, from an `httpx.AsyncClient` in the benchmark process. RSS is the"
            " server's `VmRSS` after the reads and writes, and again after issue 3's burst"
            " and label sheet. Issue 3's burst: 200 problem reports with a"
            " ~30 KB JPEG each, posted as multipart forms to the scan page all at once (200"
            " clients, each with its own cookies and `X-Forwarded-For` address — the bench"
            " server trusts the proxy header, so the per-address limit sees 200 phones; the"
            " per-label limit stays, the reports are spread over 20 labels); only the POSTs"
            " are timed. Label sheet: `POST /api/v1/labels` for a site of 240 assets (10 A4"
            " pages, 3 × 8), timed end to end; the PDF rasterised by `pdftoppm` at 200 dpi,"
            " every QR decoded by zxing-cpp and opened as a URL.",
            width=90,
            break_on_hyphens=False,
        ),
        "",
    ]
    if notes:
        lines += ["> **Note:** " + note for note in notes] + [""]
    lines += ["## Reads", ""]
    for result in results:
        lines += [
            f"### {result.version} ({result.sites} sites)",
            "",
            f"Load average (1 min) before / after the reads: {result.load[0]:.1f} /"
            f" {result.load[1]:.1f} on {os.cpu_count()} cores.",
            "",
            "| endpoint | req/s | p50 | p99 | server CPU / req | requests | non-2xx"
            " | socket errors | timeouts |",
            "|---|---:|---:|---:|---:|---:|---:|---:|---:|",
        ]
        for figures in result.endpoints.values():
            lines.append(
                f"| {figures.label} | {figures.rps:,.0f} | {figures.p50_ms:.2f} ms"
                f" | {figures.p99_ms:.2f} ms | {figures.cpu_per_request_us:,.0f} µs"
                f" | {figures.requests:,} | {figures.non_2xx}"
                f" | {figures.socket_errors} | {figures.timeouts} |"
            )
        lines.append("")
    lines += [
        "## Targets",
        "",
        "| engine | ratio | measured (req/s) | by server CPU / req | target | |",
        "|---|---|---:|---:|---:|---|",
        *_ratio_rows(results),
        "",
        'The targets are judged on the measured req/s ratios. "By server CPU / req" is the',
        "ratio of the server process's own CPU time per request (user + system, from",
        "`/proc/<pid>/stat`): what the req/s ratio would be if the server had a core to itself.",
        "It is far less sensitive to other load on the machine; on PostgreSQL it leaves out the",
        "database server's own CPU time, so it flatters the database-bound endpoints there.",
        "",
        "For comparison, a naive Litestar + Piccolo app measured on this machine: by id 13 % of",
        "hello-world on PostgreSQL and 4 % on SQLite; 50 rows 7 % and 1.4 %.",
        "",
        "## Writes",
        "",
        '| engine | requests | ok | req/s | p50 | p99 | max | "database is locked" | timeouts |',
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for result in results:
        w = result.writes
        lines.append(
            f"| {result.engine} | {w.requests} | {w.ok} | {w.rps:,.0f} | {w.p50_ms:.1f} ms"
            f" | {w.p99_ms:.1f} ms | {w.max_ms:.1f} ms | {w.locked} | {w.timeouts} |"
        )
    for result in results:
        for sample in result.writes.samples:
            lines.append(f"\n- {result.engine} write failure: `{sample}`")
    lines += [
        "",
        "## Issue 3: report burst, scan page size and label sheet",
        "",
        "| engine | scan page HTML | HTML + CSS | reports | ok | stored (reports / photos)"
        ' | p50 | p99 | max | "database is locked" | label sheet | QR decoded |',
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for result in results:
        b, sheet = result.burst, result.labels
        if b is None or sheet is None:
            continue
        lines.append(
            f"| {result.engine} | {result.scan_bytes[0]:,} B | {result.scan_bytes[1]:,} B"
            f" | {b.requests} | {b.ok} | {b.stored_reports} / {b.stored_photos}"
            f" | {b.p50_ms:.0f} ms | {b.p99_ms:.0f} ms | {b.max_ms:.0f} ms | {b.locked}"
            f" | {sheet.seconds:.2f} s ({sheet.pages} pages, {sheet.pdf_bytes / 1024:.0f} KB)"
            f" | {sheet.distinct} / {sheet.assets} |"
        )
        for sample in b.samples:
            lines.append(f"\n- {result.engine} report failure: `{sample}`")
        if sheet.problem:
            lines.append(f"\n- {result.engine} label sheet: {sheet.problem}")
    lines += ["", "## Memory", ""]
    for result in results:
        lines.append(
            f"- {result.engine}: server RSS {result.rss_mb:.0f} MB after the reads and writes"
            f" (the target), {result.rss_after_issue3_mb:.0f} MB after the report burst (200"
            " photos re-encoded) and the label sheet (WeasyPrint) as well"
        )
    problems = [(r.engine, p) for r in results for p in r.log_problems]
    if problems:
        lines += ["", "## Server log problems", ""]
        lines += [f"- {engine}: `{line.strip()[:200]}`" for engine, line in problems]
    lines += ["", "## What we changed and why", "", CHANGES]
    return "\n".join(lines).rstrip() + "\n"


def summary(results: list[EngineResult], notes: list[str]) -> str:
    lines = ["Benchmark summary (median req/s, p50 / p99, server CPU per request)"]
    for result in results:
        lines.append(f"  {result.version}")
        for figures in result.endpoints.values():
            lines.append(
                f"    {figures.label:<38} {figures.rps:9,.0f}  {figures.p50_ms:6.2f} /"
                f" {figures.p99_ms:6.2f} ms  {figures.cpu_per_request_us:6,.0f} µs CPU/req"
            )
        w = result.writes
        lines.append(
            f"    writes: {w.ok}/{w.requests} ok, p50 {w.p50_ms:.1f} ms, p99 {w.p99_ms:.1f} ms,"
            f" max {w.max_ms:.1f} ms, locked {w.locked}; RSS {result.rss_mb:.0f} MB"
        )
        if result.burst is not None and result.labels is not None:
            b, sheet = result.burst, result.labels
            lines.append(
                f"    report burst: {b.ok}/{b.requests} ok, stored {b.stored_reports} /"
                f" {b.stored_photos} photos, p50 {b.p50_ms:.0f} ms, p99 {b.p99_ms:.0f} ms;"
                f" label sheet {sheet.seconds:.2f} s, {sheet.distinct}/{sheet.assets} QR decoded"
            )
    lines.append("  targets (measured; by server CPU per request):")
    for row in _ratio_rows(results):
        cells = [c.strip() for c in row.strip("|").split("|")]
        lines.append(
            f"    {cells[5]} {cells[0]:<8} {cells[1]:<40} {cells[2]:>8} {cells[3]:>7}  ({cells[4]})"
        )
    lines.append("  " + status(results).replace("**", ""))
    lines += [f"  NOTE: {note}" for note in notes]
    return "\n".join(lines)


SECTIONS_HEADING = "## Section benchmarks"
KEPT_NOTE = "Not re-run this time (`--sections none`); measured in the run of"


def kept_sections(previous: str) -> str:
    """With ``--sections none``: the previous run's section results, marked as such (a
    second such run keeps the first note, which names the run that measured them)."""
    start = previous.find(SECTIONS_HEADING)
    if start < 0:
        return ""
    kept = previous[start:]
    if KEPT_NOTE in kept:
        return "\n" + kept
    dated = previous.split("Date: ", 1)
    when = dated[1].split("\n", 1)[0] if len(dated) > 1 else "an earlier run"
    body = kept[len(SECTIONS_HEADING) :]
    return f"\n{SECTIONS_HEADING}\n\n_{KEPT_NOTE} {when}._\n{body}"


def render_sections(sections: list[SectionResult]) -> str:
    """The section benchmarks' own markdown, with the load each ran under."""
    if not sections:
        return ""
    lines = [
        "",
        SECTIONS_HEADING,
        "",
        "Each `bench/<name>.py` runs per engine in its own process on its own fresh database",
        "(`python -m bench.<name> --engine …`); its markdown follows unchanged.",
        "",
    ]
    for section in sections:
        lines.append(section.markdown or f"### {section.name} on {section.engine}")
        lines.append("")
        lines.append(
            f"_`bench.{section.name}` on {section.engine}: {section.seconds:.0f} s in all;"
            f" load average (1 min) {section.load[0]:.1f} before, {section.load[1]:.1f} after,"
            f" on {os.cpu_count()} cores._"
        )
        if section.problem:
            lines += ["", f"**FAILED**: `{section.problem[-500:].strip()}`"]
        lines.append("")
    return "\n".join(lines).rstrip() + "\n"

"""Issue 14's export benchmarks: the XLSX export of 100,000 work orders and the quarterly
budget report PDF for a region of 250 sites, through the real server.

Seeds with ``bench.dashboard``'s bulk seeding (250 sites, ``BENCH_EXPORT_ORDERS`` work
orders over three years, their costs, a budget per site and year), then starts
``python -m facilities serve`` on that database and, as the region's ops manager (bearer
token), sequentially:

* ``GET /api/v1/reporting/exports/work-orders.xlsx`` (every order the ops manager sees),
  read as a stream: rows a second, and the server's memory before and after (``VmRSS``
  before, ``VmHWM`` after: the growth the export caused). The file is opened as the zip
  it is and its sheet's rows are counted.
* ``GET /reporting/budget.pdf`` for this quarter and the region: seconds, three times.

Targets: the export streamed (server memory growth < 50 MB); the PDF < 5 s.
"""

from __future__ import annotations

import io
import os
import shutil
import statistics
import sys
import tempfile
import time
import zipfile
from pathlib import Path
from typing import Any

import httpx

from bench import section

ORDERS = int(os.environ.get("BENCH_EXPORT_ORDERS", "100000"))
PDFS = 3
GROWTH_TARGET_MB = 50.0
PDF_TARGET_S = 5.0
PG_URL = os.environ.get(
    "FACILITIES_BENCH_DATABASE_URL", "postgresql://postgres@127.0.0.1:5432/facilities_bench"
)


def _rss_mb(pid: int, key: str) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith(f"{key}:"):
            return int(line.split()[1]) / 1024
    return float("nan")


async def _seed() -> tuple[str, int, int]:
    os.environ["BENCH_DASHBOARD_ORDERS"] = str(ORDERS)
    from bench import dashboard
    from facilities.accounts import actions as account_actions
    from facilities.accounts.schemas import ApiTokenCreate

    seeded = await dashboard._seed()  # the same bulk seeding
    token = await account_actions.create_api_token(
        actor=seeded["ops"], data=ApiTokenCreate(name="export benchmark")
    )
    return token.secret, int(seeded["region"]), int(seeded["counts"]["work_order"])


def _measure(server: Any, token: str, region_id: int) -> dict[str, Any]:
    headers = {"Authorization": f"Bearer {token}"}
    pid = server.process.pid
    out: dict[str, Any] = {}
    with httpx.Client(base_url=server.base_url, timeout=600) as client:
        client.get("/api/v1/reporting/dashboard", headers=headers)  # warm the process up
        out["rss_before"] = _rss_mb(pid, "VmRSS")
        out["hwm_before"] = _rss_mb(pid, "VmHWM")
        began = time.perf_counter()
        data = io.BytesIO()
        with client.stream(
            "GET", "/api/v1/reporting/exports/work-orders.xlsx", headers=headers
        ) as response:
            if response.status_code != 200:
                raise RuntimeError(f"export: {response.status_code} {response.read()[:300]!r}")
            for chunk in response.iter_bytes():
                data.write(chunk)
        out["xlsx_seconds"] = time.perf_counter() - began
        out["hwm_after"] = _rss_mb(pid, "VmHWM")
        out["xlsx_bytes"] = data.tell()
        with zipfile.ZipFile(data) as book:  # a real workbook: count its sheet's rows
            sheet = book.read("xl/worksheets/sheet1.xml")
        out["xlsx_rows"] = sheet.count(b"<row ") - 1  # less the heading
        year, quarter = 2026, 4
        times = []
        for _ in range(PDFS):
            began = time.perf_counter()
            response = client.get(
                f"/reporting/budget.pdf?year={year}&quarter={quarter}&sites=region:{region_id}",
                headers=headers,
            )
            times.append(time.perf_counter() - began)
            if response.status_code != 200 or not response.content.startswith(b"%PDF"):
                raise RuntimeError(f"budget PDF: {response.status_code} {response.text[:300]}")
            out["pdf_bytes"] = len(response.content)
        out["pdf_times"] = times
    return out


async def run(engine: str) -> str:
    tmp = section.environment(engine, PG_URL, "exports")
    if engine == "postgres":
        await section.recreate_postgres(PG_URL)
    from bench.run import Server
    from facilities import db
    from facilities.wiring import install

    install()
    await db.open_database()
    try:
        await db.migrate()
        began = time.perf_counter()
        token, region_id, orders = await _seed()
        seed_seconds = time.perf_counter() - began
    finally:
        await db.close_database()
    load_before = os.getloadavg()[0]
    server = Server(dict(os.environ), Path(tempfile.mkdtemp()) / "server.log")
    server.start()
    try:
        m = _measure(server, token, region_id)
    finally:
        server.stop()
    load_after = os.getloadavg()[0]
    growth = m["hwm_after"] - m["rss_before"]
    pdf_max = max(m["pdf_times"])
    name = "PostgreSQL" if engine == "postgres" else "SQLite"
    lines = [
        f"### Exports and the budget report on {name}",
        "",
        f"One region of 250 sites with {orders:,} work orders over three years (bulk-seeded"
        f" in {seed_seconds:.0f} s), the real server, as the region's ops manager; load"
        f" average {load_before:.1f} before, {load_after:.1f} after, on {os.cpu_count()} cores.",
        "",
        "| measure | value | target |",
        "|---|---:|---|",
        f"| XLSX export of every work order (`/api/v1/reporting/exports/work-orders.xlsx`) |"
        f" {m['xlsx_rows']:,} rows in {m['xlsx_seconds']:.1f} s:"
        f" **{m['xlsx_rows'] / m['xlsx_seconds']:,.0f} rows/s**, {m['xlsx_bytes']:,} B | — |",
        f"| server memory: resident before → peak after the export | {m['rss_before']:.0f} →"
        f" {m['hwm_after']:.0f} MB (**+{growth:.0f} MB**; peak before it"
        f" {m['hwm_before']:.0f} MB) | < {GROWTH_TARGET_MB:.0f} MB:"
        f" {'✅' if growth < GROWTH_TARGET_MB else '❌'} |",
        f"| quarterly budget report PDF, the region's 250 sites, Q4 2026 ({PDFS} requests) |"
        f" median {statistics.median(m['pdf_times']):.2f} s, slowest {pdf_max:.2f} s,"
        f" {m['pdf_bytes']:,} B | < {PDF_TARGET_S:.0f} s:"
        f" {'✅' if pdf_max < PDF_TARGET_S else '❌'} |",
        "",
    ]
    if m["xlsx_rows"] != orders:
        lines.append(f"**The export has {m['xlsx_rows']:,} rows, not {orders:,}.**")
    shutil.rmtree(tmp, ignore_errors=True)
    return "\n".join(lines) + "\n"


if __name__ == "__main__":
    sys.exit(section.main(run, __doc__))

"""``make bench``: the foundation benchmark on SQLite, then PostgreSQL.

For each engine: a fresh database, ``facilities migrate``, ``facilities demo``, extra sites
and an admin API token (``bench.seed``); then the real server as its own process
(``python -m facilities serve`` with ``FACILITIES_BENCH_MODE=true``) and wrk as another:
32 connections, 2 threads, median of 3 interleaved runs per endpoint, the API endpoints in
the same runs as the reference endpoints of ``facilities.benchref``. Then 640 concurrent
POSTs, issue 3's burst of 200 problem reports with photos through the scan page and its
240-label A4 sheet (``bench.scan``), and the server's RSS. Then the section benchmarks
(``SECTIONS``: modules with ``async def run(engine) -> str``, each run per engine as
``python -m bench.<name> --engine …`` in its own process, on its own database; a module
that does not exist yet is left out). Writes ``docs/benchmarks.md`` and prints a summary.

Options: ``--seconds`` per wrk run (default 5), ``--runs`` (3), ``--only sqlite|postgres``,
``--sections a,b`` (default: all of ``SECTIONS``; ``none`` for none).
PostgreSQL: ``FACILITIES_BENCH_DATABASE_URL`` (default
``postgresql://postgres@127.0.0.1:5432/facilities_bench``); skipped loudly when unreachable.
"""

from __future__ import annotations

import argparse
import asyncio
import importlib.util
import json
import os
import re
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx

from bench import report, scan, writes, wrk

ROOT = Path(__file__).resolve().parent.parent
PG_URL = os.environ.get(
    "FACILITIES_BENCH_DATABASE_URL", "postgresql://postgres@127.0.0.1:5432/facilities_bench"
)
CONNECTIONS = wrk.CONNECTIONS
THREADS = wrk.THREADS

# (key, label, path template, credentials: "" none, "admin" or "partner" bearer token)
ENDPOINTS = [
    ("hello", "hello-world (reference)", "/bench/hello", ""),
    ("raw_by_id", "raw driver: site by id (reference)", "/bench/raw/sites/{site_id}", ""),
    ("raw_list", "raw driver: 50 sites (reference)", "/bench/raw/sites", ""),
    ("by_id", "GET /api/v1/sites/{id}", "/api/v1/sites/{site_id}", "admin"),
    ("list", "GET /api/v1/sites?limit=50", "/api/v1/sites?limit=50", "admin"),
    ("scan", "GET /q/{code} (public scan page)", "/q/{scan_code}", ""),
    ("partner_list", "GET /api/v1/work-orders as a partner", "/api/v1/work-orders", "partner"),
]
# Section benchmarks: bench/<name>.py with `async def run(engine: str) -> str` (markdown).
SECTIONS = [
    "pm_generation",
    "outbox",
    "sla",
    "inspection_generation",
    "intervals",
    "scale",
    "safety_report",
    "safety_answers",
    "sustainability_report",
    "anomaly_scan",
    "heartbeats",
    "dashboard",
    "exports",
]
SECTION_TIMEOUT = 1800  # seconds per module and engine
BURST_REPORTS = 200


@dataclass
class EndpointFigures:
    label: str
    runs: list[wrk.WrkResult] = field(default_factory=list)
    cpu_us: list[float] = field(default_factory=list)  # server CPU time per request, per run

    @property
    def cpu_per_request_us(self) -> float:
        return statistics.median(self.cpu_us)

    @property
    def rps(self) -> float:
        return statistics.median(r.rps for r in self.runs)

    @property
    def p50_ms(self) -> float:
        return statistics.median(r.p50_ms for r in self.runs)

    @property
    def p99_ms(self) -> float:
        return statistics.median(r.p99_ms for r in self.runs)

    @property
    def non_2xx(self) -> int:
        return sum(r.non_2xx for r in self.runs)

    @property
    def socket_errors(self) -> int:
        return sum(r.socket_errors for r in self.runs)

    @property
    def timeouts(self) -> int:
        return sum(r.timeouts for r in self.runs)

    @property
    def requests(self) -> int:
        return sum(r.requests for r in self.runs)


@dataclass
class EngineResult:
    engine: str
    version: str
    sites: int
    endpoints: dict[str, EndpointFigures]
    writes: writes.WriteResult
    burst: scan.BurstResult | None
    labels: scan.LabelResult | None
    scan_bytes: tuple[int, int]  # scan page HTML, and HTML + stylesheet
    rss_mb: float  # after the reads and the 640 writes (the target)
    rss_after_issue3_mb: float  # after the report burst and the label sheet as well
    log_problems: list[str]
    load: tuple[float, float]  # 1-minute load average before and after the reads


def say(message: str) -> None:
    print(message, flush=True)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


# ---- database preparation ----------------------------------------------------------------


def postgres_problem(url: str) -> str | None:
    """Recreate the benchmark database; returns a reason when PostgreSQL is unreachable."""
    import asyncpg

    from facilities.db import recreate_postgres_database

    try:
        asyncio.run(recreate_postgres_database(url))
    except (OSError, asyncpg.PostgresError, TimeoutError) as error:
        return f"{error.__class__.__name__}: {error}"
    return None


def engine_env(url: str, var_dir: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("FACILITIES_")}
    env.update(
        {
            "FACILITIES_ENV": "development",
            "FACILITIES_DATABASE_URL": url,
            "FACILITIES_VAR_DIR": str(var_dir),
            "FACILITIES_SECRET_KEY": "benchmark-secret-key-benchmark-secret-key-42",
            "FACILITIES_BASE_URL": "http://127.0.0.1:8000",
            "FACILITIES_SCHEDULER": "false",
            "FACILITIES_LOG_LEVEL": "WARNING",
            "FACILITIES_BENCH_MODE": "true",
            # The report burst comes from 200 phones: one X-Forwarded-For address each.
            "FACILITIES_TRUSTED_PROXIES": "true",
            "PYTHONPATH": str(ROOT),
        }
    )
    return env


def run_step(args: list[str], env: dict[str, str]) -> str:
    done = subprocess.run(
        [sys.executable, *args], env=env, cwd=ROOT, capture_output=True, text=True, timeout=600
    )
    if done.returncode != 0:
        raise RuntimeError(f"{' '.join(args)} failed:\n{done.stdout}\n{done.stderr}")
    return done.stdout


# ---- the server --------------------------------------------------------------------------


class Server:
    """``python -m facilities serve`` as a child process; always stopped by ``stop()``."""

    def __init__(self, env: dict[str, str], log_path: Path) -> None:
        self.port = free_port()
        self.env = env
        self.log_path = log_path
        self.process: subprocess.Popen[bytes] | None = None
        self.base_url = f"http://127.0.0.1:{self.port}"

    def start(self) -> None:
        log = self.log_path.open("wb")
        command = ["-m", "facilities", "serve", "--port", str(self.port), "--no-migrate"]
        self.process = subprocess.Popen(
            [sys.executable, *command],
            env=self.env,
            cwd=ROOT,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        log.close()
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"server exited ({self.process.returncode}):\n{self.log()}")
            try:
                if httpx.get(f"{self.base_url}/health/ready", timeout=2).status_code == 200:
                    return
            except httpx.HTTPError:
                pass
            time.sleep(0.2)
        raise RuntimeError(f"server not ready after 60 s:\n{self.log()}")

    def cpu_seconds(self) -> float:
        """User + system CPU time of the server process so far."""
        assert self.process is not None
        fields = Path(f"/proc/{self.process.pid}/stat").read_text().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")

    def rss_mb(self) -> float:
        assert self.process is not None
        for line in Path(f"/proc/{self.process.pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
        return float("nan")

    def log(self) -> str:
        try:
            return self.log_path.read_text(errors="replace")[-4000:]
        except OSError:
            return ""

    def stop(self) -> None:
        process = self.process
        if process is None or process.poll() is not None:
            return
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=15)


def _headers(seeded: dict[str, Any], who: str) -> dict[str, str]:
    token = {"admin": seeded["token"], "partner": seeded.get("partner_token", "")}.get(who)
    return {"Authorization": f"Bearer {token}"} if token else {}


def _path(template: str, seeded: dict[str, Any]) -> str:
    return template.format(site_id=seeded["site_id"], scan_code=seeded["scan_code"])


def check_endpoints(base_url: str, seeded: dict[str, Any]) -> tuple[int, int]:
    """Each endpoint answers 200 with the expected payload before anything is measured.

    Returns the scan page's size: HTML, and HTML plus its stylesheet."""
    site_id = seeded["site_id"]
    scan_bytes = (0, 0)
    with httpx.Client(base_url=base_url, timeout=10) as client:
        for key, _label, template, who in ENDPOINTS:
            response = client.get(_path(template, seeded), headers=_headers(seeded, who))
            if response.status_code != 200:
                raise RuntimeError(f"{key}: {response.status_code} {response.text[:300]}")
            if key == "scan":
                html = response.text
                if "The milk frother spits hot milk" not in html or "Same problem" not in html:
                    raise RuntimeError("scan: the open report or its +1 button is missing")
                css = re.search(r'<link rel="stylesheet" href="([^"]+)"', html)
                css_size = len(client.get(css.group(1)).content) if css else 0
                scan_bytes = (len(response.content), len(response.content) + css_size)
                continue
            body = response.json()
            if key in {"list", "raw_list"} and len(body["items"]) != 50:
                raise RuntimeError(f"{key}: expected 50 rows, got {len(body['items'])}")
            if key == "partner_list" and len(body["items"]) != seeded["partner_orders"]:
                raise RuntimeError(f"{key}: expected {seeded['partner_orders']} orders")
            if key in {"by_id", "raw_by_id"} and body["id"] != site_id:
                raise RuntimeError(f"{key}: wrong site {body['id']}")
        # The partner sees its own orders only: the admin sees more than the partner.
        auth = _headers(seeded, "admin")
        api = client.get(f"/api/v1/sites/{site_id}", headers=auth).json()
        raw = client.get(f"/bench/raw/sites/{site_id}").json()
        if set(api) != set(raw):
            raise RuntimeError(f"reference payload differs: {set(api) ^ set(raw)}")
    return scan_bytes


def stored_reports(base_url: str, token: str) -> tuple[int, int]:
    """(reports waiting in triage, photos on them), through the API as the admin."""
    reports = photos = 0
    offset = 0
    with httpx.Client(base_url=base_url, timeout=30) as client:
        while True:
            page = client.get(
                "/api/v1/problem-reports",
                params={"status": "new", "limit": 200, "offset": offset},
                headers={"Authorization": f"Bearer {token}"},
            ).json()
            reports += len(page["items"])
            photos += sum(len(item.get("photo_ids") or []) for item in page["items"])
            offset += 200
            if offset >= page["total"]:
                return reports, photos


def load_average() -> float:
    return os.getloadavg()[0]


def measure(
    server: Server, seeded: dict[str, Any], seconds: float, runs: int
) -> dict[str, EndpointFigures]:
    base_url = server.base_url
    figures = {key: EndpointFigures(label) for key, label, _t, _a in ENDPOINTS}
    urls = {
        key: (base_url + _path(template, seeded), _headers(seeded, who))
        for key, _label, template, who in ENDPOINTS
    }
    for url, headers in urls.values():  # warm-up: caches, pools, lazily built code
        wrk.run(url, seconds=1, connections=CONNECTIONS, threads=THREADS, headers=headers)
    for number in range(1, runs + 1):
        for key, (url, headers) in urls.items():  # interleaved, so drift hits all alike
            cpu_before = server.cpu_seconds()
            result = wrk.run(
                url, seconds=seconds, connections=CONNECTIONS, threads=THREADS, headers=headers
            )
            cpu = (server.cpu_seconds() - cpu_before) * 1e6 / max(result.requests, 1)
            figures[key].runs.append(result)
            figures[key].cpu_us.append(cpu)
            say(
                f"    run {number}/{runs} {key:<10} {result.rps:9.0f} req/s"
                f"  cpu {cpu:5.0f} µs/req  p50 {result.p50_ms:6.2f} ms  p99 {result.p99_ms:6.2f} ms"
                f"  non-2xx {result.non_2xx}  errors {result.socket_errors}"
                f"  timeouts {result.timeouts}"
            )
    return figures


def server_version(url: str | None) -> str:
    if url is None:
        import sqlite3

        return f"SQLite {sqlite3.sqlite_version}"
    import asyncpg

    from facilities.db import postgres_config

    async def fetch() -> str:
        conn = await asyncpg.connect(**postgres_config(url), timeout=5)
        try:
            return str(await conn.fetchval("SHOW server_version"))
        finally:
            await conn.close()

    return "PostgreSQL " + asyncio.run(fetch()).split()[0]


def bench_engine(engine: str, url: str | None, seconds: float, runs: int) -> EngineResult:
    tmp = Path(tempfile.mkdtemp(prefix=f"facilities-bench-{engine}-"))
    server: Server | None = None
    try:
        db_url = url or f"sqlite:///{tmp / 'bench.sqlite3'}"
        env = engine_env(db_url, tmp / "var")
        say(f"  preparing {engine}: migrate, demo data, extra sites, API token")
        run_step(["-m", "facilities", "migrate"], env)
        run_step(["-m", "facilities", "demo"], env)
        seeded = json.loads(run_step(["-m", "bench.seed"], env).strip().splitlines()[-1])
        token = seeded["token"]
        server = Server(env, tmp / "server.log")
        server.start()
        say(f"  server pid {server.process.pid if server.process else '?'} at {server.base_url}")
        scan_bytes = check_endpoints(server.base_url, seeded)
        say(f"  scan page: {scan_bytes[0]:,} bytes HTML, {scan_bytes[1]:,} with the stylesheet")
        say(f"  reads: {runs} × {seconds:g} s per endpoint, {CONNECTIONS} connections")
        load_before = load_average()
        figures = measure(server, seeded, seconds, runs)
        load_after = load_average()
        say("  writes: 640 POST /api/v1/sites/{id}/closures, 32 in flight")
        write = writes.run(server.base_url, token, seeded["site_ids"], total=640, concurrency=32)
        say(
            f"    {write.ok}/{write.requests} ok, {write.rps:.0f} req/s, p50 {write.p50_ms:.1f} ms,"
            f" p99 {write.p99_ms:.1f} ms, max {write.max_ms:.1f} ms, locked {write.locked}"
        )
        rss = server.rss_mb()
        say(f"  burst: {BURST_REPORTS} problem reports with photos at once via the scan page")
        before = stored_reports(server.base_url, token)  # demo and seeded reports
        burst = scan.burst(server.base_url, seeded["burst_codes"], BURST_REPORTS)
        after = stored_reports(server.base_url, token)
        burst.stored_reports = after[0] - before[0]
        burst.stored_photos = after[1] - before[1]
        say(
            f"    {burst.ok}/{burst.requests} ok, stored {burst.stored_reports} reports and"
            f" {burst.stored_photos} photos, p50 {burst.p50_ms:.0f} ms, p99 {burst.p99_ms:.0f} ms,"
            f" locked {burst.locked}"
        )
        say(f"  label sheet: {seeded['labelled_assets']} assets, A4 3 × 8, every QR decoded")
        sheet = scan.labels(
            server.base_url,
            token,
            seeded["label_site_id"],
            set(seeded["label_codes"]),
            env["FACILITIES_BASE_URL"],
        )
        say(
            f"    {sheet.pages} pages in {sheet.seconds:.2f} s, {sheet.distinct}/{sheet.assets}"
            f" QR decoded, {sheet.working_urls} URLs open the scan page {sheet.problem}"
        )
        rss_after = server.rss_mb()
        log_text = server.log_path.read_text(errors="replace")
        problems = [
            line
            for line in log_text.splitlines()
            if "database is locked" in line or "Traceback" in line or " ERROR " in line
        ]
        return EngineResult(
            engine=engine,
            version=server_version(url),
            sites=seeded["sites"],
            endpoints=figures,
            writes=write,
            burst=burst,
            labels=sheet,
            scan_bytes=scan_bytes,
            rss_mb=rss,
            rss_after_issue3_mb=rss_after,
            log_problems=problems[:10],
            load=(load_before, load_after),
        )
    finally:
        if server is not None:
            server.stop()
        shutil.rmtree(tmp, ignore_errors=True)


@dataclass
class SectionResult:
    name: str
    engine: str
    markdown: str
    seconds: float
    load: tuple[float, float]
    problem: str = ""


def available_sections(names: list[str]) -> list[str]:
    """The section modules that exist (others may not have been written yet)."""
    return [name for name in names if importlib.util.find_spec(f"bench.{name}") is not None]


def run_sections(names: list[str], engines: list[str]) -> list[SectionResult]:
    """Each section module per engine, in its own process; its stdout is its markdown."""
    results = []
    # Each module sets up its own environment; only its FACILITIES_BENCH_* overrides (such
    # as its PostgreSQL database URL) pass through.
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith("FACILITIES_") or k.startswith("FACILITIES_BENCH_")
    }
    env["PYTHONPATH"] = str(ROOT)
    for name in available_sections(names):
        for engine in engines:
            say(f"== section {name} on {engine}")
            load_before = load_average()
            began = time.monotonic()
            try:
                done = subprocess.run(
                    [sys.executable, "-m", f"bench.{name}", "--engine", engine],
                    env=env,
                    cwd=ROOT,
                    capture_output=True,
                    text=True,
                    timeout=SECTION_TIMEOUT,
                )
                problem = (
                    ""
                    if done.returncode == 0
                    else f"exit {done.returncode}: {(done.stderr or done.stdout)[-1500:]}"
                )
                markdown = done.stdout.strip()
            except subprocess.TimeoutExpired:
                problem, markdown = f"did not finish within {SECTION_TIMEOUT} s", ""
            seconds = time.monotonic() - began
            results.append(
                SectionResult(
                    name, engine, markdown, seconds, (load_before, load_average()), problem
                )
            )
            say(f"   {seconds:.0f} s" + (f"; FAILED: {problem[-300:]}" if problem else ""))
    return results


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.run", description=__doc__)
    parser.add_argument("--seconds", type=float, default=5.0, help="duration of each wrk run")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--only", choices=["sqlite", "postgres"])
    parser.add_argument("--output", type=Path, default=ROOT / "docs" / "benchmarks.md")
    parser.add_argument("--sections", default=",".join(SECTIONS), help="comma-separated")
    args = parser.parse_args(argv)
    # A SIGTERM unwinds like Ctrl-C, so the `finally` blocks stop the servers.
    signal.signal(signal.SIGTERM, lambda _signum, _frame: sys.exit(143))
    try:
        wrk.wrk_path()
    except wrk.WrkMissing as error:
        print(f"bench: {error}", file=sys.stderr)
        return 2
    results: list[EngineResult] = []
    notes: list[str] = []
    if args.only in (None, "sqlite"):
        say("== SQLite")
        results.append(bench_engine("sqlite", None, args.seconds, args.runs))
    if args.only in (None, "postgres"):
        say("== PostgreSQL")
        problem = postgres_problem(PG_URL)
        if problem is None:
            results.append(bench_engine("postgres", PG_URL, args.seconds, args.runs))
        else:
            note = f"PostgreSQL at {PG_URL} is not reachable ({problem}): its half was SKIPPED."
            banner = "!" * 78
            say(f"{banner}\n {note}\n{banner}")
            notes.append(note)
    engines = [r.engine for r in results]
    if args.only is None and not engines:
        engines = ["sqlite"]
    wanted = [name for name in args.sections.split(",") if name and name != "none"]
    previous = args.output.read_text() if args.output.exists() else ""
    sections = run_sections(wanted, engines)
    text = report.render(results, notes, seconds=args.seconds, runs=args.runs)
    text += report.render_sections(sections) or report.kept_sections(previous)
    args.output.parent.mkdir(parents=True, exist_ok=True)
    args.output.write_text(text)
    say("")
    say(report.summary(results, notes))
    for section in sections:
        if section.problem:
            say(f"  section {section.name} on {section.engine} FAILED: {section.problem}")
    say(f"written: {args.output}")
    clean = report.all_clean(results) and not any(s.problem for s in sections)
    return 0 if clean else 1


if __name__ == "__main__":
    sys.exit(main())

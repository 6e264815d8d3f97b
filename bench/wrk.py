"""Run wrk (Debian's ``wrk``) against one URL and parse its report."""

from __future__ import annotations

import re
import shutil
import subprocess
from dataclasses import dataclass

CONNECTIONS = 32
THREADS = 2
_UNITS_MS = {"us": 0.001, "ms": 1.0, "s": 1000.0, "m": 60_000.0, "h": 3_600_000.0}
_LATENCY = re.compile(r"^\s*(50|75|90|99)%\s+([\d.]+)(us|ms|s|m|h)\s*$", re.MULTILINE)
_RPS = re.compile(r"^Requests/sec:\s+([\d.]+)", re.MULTILINE)
_REQUESTS = re.compile(r"^\s*(\d+) requests in ([\d.]+)(us|ms|s|m|h)", re.MULTILINE)
_SOCKET = re.compile(
    r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", re.MULTILINE
)
_NON_2XX = re.compile(r"Non-2xx or 3xx responses: (\d+)")


class WrkMissing(RuntimeError):
    pass


@dataclass(slots=True)
class WrkResult:
    rps: float
    requests: int
    p50_ms: float
    p99_ms: float
    non_2xx: int
    socket_errors: int  # connect + read + write
    timeouts: int


def wrk_path() -> str:
    path = shutil.which("wrk") or ("/usr/bin/wrk" if shutil.which("/usr/bin/wrk") else None)
    if path is None:
        raise WrkMissing("wrk is not installed (Debian/Ubuntu: sudo apt-get install wrk)")
    return path


def parse(output: str) -> WrkResult:
    latencies = {pct: float(v) * _UNITS_MS[u] for pct, v, u in _LATENCY.findall(output)}
    rps = _RPS.search(output)
    requests = _REQUESTS.search(output)
    if rps is None or requests is None or "50" not in latencies or "99" not in latencies:
        raise RuntimeError(f"cannot parse wrk output:\n{output}")
    socket = _SOCKET.search(output)
    connect, read, write, timeout = (int(x) for x in socket.groups()) if socket else (0, 0, 0, 0)
    non_2xx = _NON_2XX.search(output)
    return WrkResult(
        rps=float(rps.group(1)),
        requests=int(requests.group(1)),
        p50_ms=latencies["50"],
        p99_ms=latencies["99"],
        non_2xx=int(non_2xx.group(1)) if non_2xx else 0,
        socket_errors=connect + read + write,
        timeouts=timeout,
    )


def run(
    url: str,
    *,
    seconds: float,
    connections: int = CONNECTIONS,
    threads: int = THREADS,
    headers: dict[str, str] | None = None,
    script: str | None = None,
) -> WrkResult:
    """``script``: a wrk Lua script (path) that builds each request, e.g. writes."""
    command = [
        wrk_path(),
        f"-t{threads}",
        f"-c{connections}",
        f"-d{max(1, round(seconds))}s",
        "--timeout",
        "2s",
        "--latency",
    ]
    if script is not None:
        command += ["-s", script]
    for name, value in (headers or {}).items():
        command += ["-H", f"{name}: {value}"]
    if script is not None:  # a Lua script that builds each request (e.g. POST bodies)
        command += ["-s", script]
    command.append(url)
    done = subprocess.run(command, capture_output=True, text=True, timeout=seconds + 30)
    if done.returncode != 0:
        raise RuntimeError(f"wrk failed ({done.returncode}): {done.stderr or done.stdout}")
    return parse(done.stdout)

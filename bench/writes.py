"""Concurrent writes: N POSTs of closure days, ``concurrency`` in flight, from this process."""

from __future__ import annotations

import asyncio
import statistics
import time
from dataclasses import dataclass, field
from datetime import date, timedelta

import httpx


@dataclass(slots=True)
class WriteResult:
    requests: int
    ok: int
    failures: int
    locked: int  # responses or errors mentioning "database is locked"
    timeouts: int
    seconds: float
    p50_ms: float
    p99_ms: float
    max_ms: float
    samples: list[str] = field(default_factory=list)  # first few failure descriptions

    @property
    def rps(self) -> float:
        return self.requests / self.seconds if self.seconds else 0.0


def _percentile(values: list[float], pct: float) -> float:
    if not values:
        return 0.0
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, round(pct / 100 * len(ordered)) - 1))
    return ordered[index]


async def _run(
    base_url: str, token: str, site_ids: list[int], total: int, concurrency: int
) -> WriteResult:
    start_day = date(2031, 1, 1)
    queue: asyncio.Queue[int] = asyncio.Queue()
    for number in range(total):
        queue.put_nowait(number)
    latencies: list[float] = []
    failures: list[str] = []
    locked = timeouts = 0

    async def worker(client: httpx.AsyncClient) -> None:
        nonlocal locked, timeouts
        while True:
            try:
                number = queue.get_nowait()
            except asyncio.QueueEmpty:
                return
            site_id = site_ids[number % len(site_ids)]
            # Distinct (site, day) for every request: number // len(site_ids) days apart.
            day = start_day + timedelta(days=number // len(site_ids))
            body = {"day": day.isoformat(), "reason": f"Benchmark closure {number}"}
            began = time.perf_counter()
            try:
                response = await client.post(f"/api/v1/sites/{site_id}/closures", json=body)
            except httpx.TimeoutException as error:
                timeouts += 1
                failures.append(f"timeout: {error!r}")
                continue
            except httpx.HTTPError as error:
                failures.append(f"error: {error!r}")
                continue
            latencies.append((time.perf_counter() - began) * 1000)
            if "database is locked" in response.text:
                locked += 1
            if response.status_code != 201:
                failures.append(f"{response.status_code}: {response.text[:200]}")

    limits = httpx.Limits(max_connections=concurrency, max_keepalive_connections=concurrency)
    async with httpx.AsyncClient(
        base_url=base_url,
        headers={"Authorization": f"Bearer {token}"},
        limits=limits,
        timeout=httpx.Timeout(30.0),
    ) as client:
        began = time.perf_counter()
        await asyncio.gather(*(worker(client) for _ in range(concurrency)))
        seconds = time.perf_counter() - began
    return WriteResult(
        requests=total,
        ok=total - len(failures),
        failures=len(failures),
        locked=locked,
        timeouts=timeouts,
        seconds=seconds,
        p50_ms=statistics.median(latencies) if latencies else 0.0,
        p99_ms=_percentile(latencies, 99),
        max_ms=max(latencies, default=0.0),
        samples=failures[:5],
    )


def run(
    base_url: str, token: str, site_ids: list[int], *, total: int = 640, concurrency: int = 32
) -> WriteResult:
    return asyncio.run(_run(base_url, token, site_ids, total, concurrency))

"""Issue 3 against the running server: a burst of problem reports with photos through the
public scan page, and the A4 label sheet of 240 assets (render time; every QR decoded).

Used by ``bench.run`` (not a section module: it needs the seeded server of the main run).

* Burst: ``total`` reports posted at once, each from its own client (own cookies, own
  ``X-Forwarded-For`` address: the bench server trusts the proxy header, as production
  behind a proxy does, so the per-address limit sees 200 phones, not one), spread over
  the seeded labels (the per-label limit stays in force). Each client first loads the
  scan page (CSRF cookie and token, as a browser does); only the POSTs are timed, all
  released together. Then the database is asked how many reports and photos arrived.
* Labels: ``POST /api/v1/labels`` for the label site (WeasyPrint, 10 A4 pages), timed
  end to end; the PDF is rasterised with ``pdftoppm`` at 200 dpi and every QR decoded with
  zxing-cpp; each decoded URL must be one of the site's labels and open the scan page.
"""

from __future__ import annotations

import asyncio
import io
import re
import statistics
import subprocess
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

import httpx
from PIL import Image

CSRF = re.compile(r'name="_csrf_token" value="([^"]+)"')


@dataclass(slots=True)
class BurstResult:
    requests: int
    ok: int
    stored_reports: int
    stored_photos: int
    locked: int
    seconds: float
    p50_ms: float
    p99_ms: float
    max_ms: float
    photo_bytes: int
    samples: list[str] = field(default_factory=list)

    @property
    def failures(self) -> int:
        return self.requests - self.ok


@dataclass(slots=True)
class LabelResult:
    assets: int
    pages: int
    seconds: float
    pdf_bytes: int
    decoded: int
    distinct: int
    working_urls: int
    problem: str = ""


def _percentile(values: list[float], pct: float) -> float:
    if not values:
        return 0.0
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(pct / 100 * len(ordered)) - 1))]


def photo_jpeg(number: int) -> bytes:
    """A phone-like photo, small enough for a weak connection (~30 KB), distinct per report."""
    image = Image.new("RGB", (800, 600), (90 + number % 120, 120, 160))
    for x in range(0, 800, 8):
        for y in range(number % 8, 600, 16):
            image.putpixel((x, y), (255, (x * y) % 255, number % 255))
    out = io.BytesIO()
    image.save(out, "JPEG", quality=70)
    return out.getvalue()


async def _burst(base_url: str, codes: list[str], total: int) -> BurstResult:
    limits = httpx.Limits(max_connections=1, max_keepalive_connections=1)
    clients = [
        httpx.AsyncClient(
            base_url=base_url,
            timeout=httpx.Timeout(60.0),
            limits=limits,
            headers={"X-Forwarded-For": f"10.{n // 250}.{n % 250}.{7 + n % 200}"},
        )
        for n in range(total)
    ]
    photos = [photo_jpeg(n) for n in range(total)]
    failures: list[str] = []
    latencies: list[float] = []
    locked = 0
    try:
        tokens: list[str] = []
        for number, client in enumerate(clients):  # prepare: sequential page loads
            page = await client.get(f"/q/{codes[number % len(codes)]}")
            match = CSRF.search(page.text)
            if page.status_code != 200 or match is None:
                raise RuntimeError(f"scan page: {page.status_code} {page.text[:300]}")
            tokens.append(match.group(1))
        gate = asyncio.Event()

        async def post(number: int) -> None:
            nonlocal locked
            client = clients[number]
            await gate.wait()
            began = time.perf_counter()
            try:
                response = await client.post(
                    f"/q/{codes[number % len(codes)]}/report",
                    data={
                        "_csrf_token": tokens[number],
                        "category": "leak",
                        "urgency": "normal",
                        "description": f"Water under coffee machine, burst report {number}",
                        "reporter_name": f"Member {number}",
                    },
                    files={"photo": (f"photo-{number}.jpg", photos[number], "image/jpeg")},
                )
            except httpx.HTTPError as error:
                failures.append(f"error: {error!r}")
                return
            latencies.append((time.perf_counter() - began) * 1000)
            if "database is locked" in response.text:
                locked += 1
            if response.status_code != 303 or "/r/" not in response.headers.get("location", ""):
                failures.append(f"{response.status_code}: {response.text[:200]}")

        tasks = [asyncio.create_task(post(n)) for n in range(total)]
        await asyncio.sleep(0)  # every task is now waiting at the gate
        began = time.perf_counter()
        gate.set()
        await asyncio.gather(*tasks)
        seconds = time.perf_counter() - began
    finally:
        for client in clients:
            await client.aclose()
    return BurstResult(
        requests=total,
        ok=total - len(failures),
        stored_reports=-1,
        stored_photos=-1,
        locked=locked,
        seconds=seconds,
        p50_ms=statistics.median(latencies) if latencies else 0.0,
        p99_ms=_percentile(latencies, 99),
        max_ms=max(latencies, default=0.0),
        photo_bytes=round(statistics.mean(len(p) for p in photos)),
        samples=failures[:5],
    )


def burst(base_url: str, codes: list[str], total: int = 200) -> BurstResult:
    return asyncio.run(_burst(base_url, codes, total))


def decode_pdf(pdf: bytes) -> list[list[str]]:
    """The QR texts on each page (pdftoppm at 200 dpi, zxing-cpp)."""
    import zxingcpp

    with tempfile.TemporaryDirectory() as folder:
        source = Path(folder) / "labels.pdf"
        source.write_bytes(pdf)
        subprocess.run(
            ["pdftoppm", "-r", "200", "-png", str(source), str(Path(folder) / "page")],
            check=True,
            timeout=300,
        )
        pages = sorted(Path(folder).glob("page*.png"))
        return [[r.text for r in zxingcpp.read_barcodes(Image.open(p))] for p in pages]


def labels(
    base_url: str, token: str, site_id: int, codes: set[str], public_base: str
) -> LabelResult:
    auth = {"Authorization": f"Bearer {token}"}
    with httpx.Client(base_url=base_url, timeout=120) as client:
        began = time.perf_counter()
        response = client.post("/api/v1/labels", json={"site_id": site_id}, headers=auth)
        seconds = time.perf_counter() - began
        if response.status_code != 200:
            return LabelResult(
                len(codes), 0, seconds, 0, 0, 0, 0, f"{response.status_code} {response.text[:200]}"
            )
        pages = decode_pdf(response.content)
        texts = [text for page in pages for text in page]
        found = {t.removeprefix(f"{public_base}/q/") for t in texts if t.startswith(public_base)}
        working = 0
        for code in sorted(found & codes):
            if client.get(f"/q/{code}").status_code == 200:
                working += 1
    problem = ""
    if found != codes:
        problem = f"{len(codes - found)} labels not decoded, {len(found - codes)} unknown codes"
    return LabelResult(
        assets=len(codes),
        pages=len(pages),
        seconds=seconds,
        pdf_bytes=len(response.content),
        decoded=len(texts),
        distinct=len(found),
        working_urls=working,
        problem=problem,
    )

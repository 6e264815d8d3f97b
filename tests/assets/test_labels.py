"""Printable labels: rasterise the real PDF and decode every QR with zxing-cpp; read the text
back with pypdf; injected markup stays text.

The ten-sheet test renders labels built in memory (no database): it runs in the SQLite half
of ``make test`` only (``one_engine``); the others go through the API on both engines.
"""

from __future__ import annotations

import io
import subprocess
import tempfile
from pathlib import Path

import pypdf
import pytest
import zxingcpp
from PIL import Image

from facilities.assets import labels
from facilities.kit import qr
from tests import assets_builders as ab


def decode_pages(pdf: bytes) -> list[list[str]]:
    """Every page at 200 dpi (pdftoppm), and the QR texts found on each."""
    with tempfile.TemporaryDirectory() as folder:
        source = Path(folder) / "labels.pdf"
        source.write_bytes(pdf)
        subprocess.run(
            ["pdftoppm", "-r", "200", "-png", str(source), str(Path(folder) / "page")], check=True
        )
        pages = sorted(Path(folder).glob("page-*.png"))
        return [[r.text for r in zxingcpp.read_barcodes(Image.open(p))] for p in pages]


def pdf_text(pdf: bytes) -> str:
    reader = pypdf.PdfReader(io.BytesIO(pdf))
    return "\n".join(page.extract_text() for page in reader.pages)


@pytest.mark.slow
async def test_a4_sheet_of_a_whole_site_decodes_every_label(make_client) -> None:
    w = await ab.world()
    assets = [await ab.asset(w.site.id, f"Desk lamp {i:02d}") for i in range(26)]
    assets.append(await ab.asset(w.site.id, 'Café <img src="file:///etc/passwd"> & co'))
    client = await ab.api(make_client, w.cm)
    response = await client.post("/api/v1/labels", json={"site_id": w.site.id, "layout": "sheet"})
    assert response.status_code == 200, response.text
    assert response.headers["content-type"] == "application/pdf"
    pages = decode_pages(response.content)
    assert [len(p) for p in pages] == [24, 3]
    assert sorted(t for page in pages for t in page) == sorted(a.qr_url or "" for a in assets)
    text = pdf_text(response.content)
    for a in assets[:26]:
        assert a.name in text and (a.qr_code or "") in text
    assert '<imgsrc="file:///etc/passwd">&co' in "".join(text.split())  # text, not markup
    assert w.site.code in text


async def test_single_tape_labels_for_a_selection_in_order(make_client) -> None:
    w = await ab.world()
    room = await ab.space(w.site.id, "Server room")
    first = await ab.asset(w.site.id, "Network cabinet", space_id=room.id)
    second = await ab.asset(w.site.id, "Access point lobby")
    client = await ab.api(make_client, w.cm)
    response = await client.post(
        "/api/v1/labels", json={"asset_ids": [second.id, first.id], "layout": "single"}
    )
    assert response.status_code == 200, response.text
    reader = pypdf.PdfReader(io.BytesIO(response.content))
    width_mm = float(reader.pages[0].mediabox.width) / 72 * 25.4
    assert round(width_mm) == 62
    assert decode_pages(response.content) == [[second.qr_url], [first.qr_url]]
    assert "Serverroom" in "".join(pdf_text(response.content).split())


async def test_sheet_skip_leaves_used_cells_empty(make_client) -> None:
    w = await ab.world()
    a = await ab.asset(w.site.id, "Only one")
    client = await ab.api(make_client, w.cm)
    response = await client.post("/api/v1/labels", json={"asset_ids": [a.id], "skip": 23})
    assert decode_pages(response.content) == [[a.qr_url]]
    empty = await client.post("/api/v1/labels", json={"asset_ids": []})
    assert empty.status_code == 422


async def test_blank_batch_sheet(make_client) -> None:
    w = await ab.world()
    ops = await ab.api(make_client, w.ops)
    await ops.post("/api/v1/qr-batches", json={"name": "Blank-1", "count": 5})
    codes = (await ops.get("/api/v1/qr-batches/Blank-1")).json()
    response = await ops.get("/api/v1/qr-batches/Blank-1/labels")
    assert response.status_code == 200, response.text
    assert sorted(decode_pages(response.content)[0]) == sorted(c["url"] for c in codes)
    text = pdf_text(response.content)
    assert all(c["code"] in text for c in codes)
    cm = await ab.api(make_client, w.cm)
    assert (await cm.get("/api/v1/qr-batches/Blank-1/labels")).status_code == 403


@pytest.mark.slow
@pytest.mark.one_engine("sqlite")  # pure rendering, no database: once is enough
async def test_ten_full_sheets_every_qr_decodes() -> None:
    """The benchmark's size: 240 labels on 10 A4 pages, each one readable."""
    items = [
        labels.Label(
            url=f"http://testserver/q/{code}",
            code=code,
            title=f"Access point {i} with a rather long name that has to wrap",
            subtitle="FS-017 · Field site Ludwigshafen · Cabinet 3",
        )
        for i, code in enumerate(qr.new_code() for _ in range(240))
    ]
    pdf = await labels.render(items, "sheet")
    pages = decode_pages(pdf)
    assert [len(p) for p in pages] == [24] * 10
    assert sorted(t for page in pages for t in page) == sorted(i.url for i in items)

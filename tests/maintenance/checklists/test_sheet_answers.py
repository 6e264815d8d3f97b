"""The printed work-order sheet shows answered checklist items as answered: ticks, verdicts,
values with units and the out-of-limits flag, text, photo thumbnails and the drawn
signature, images embedded (WeasyPrint fetches nothing)."""

from __future__ import annotations

import io
from typing import Any

import pypdf

from facilities.kit.i18n import using_locale
from tests import builders
from tests import maintenance_builders as mb
from tests.maintenance.checklists import helpers as h
from tests.maintenance.checklists.test_answers import _setup


def _text(pdf: bytes) -> tuple[str, int]:
    reader = pypdf.PdfReader(io.BytesIO(pdf))
    text = " ".join(" ".join(p.extract_text() for p in reader.pages).split())
    images = sum(len(p.images) for p in reader.pages)
    return text, images


async def _answered(make_client: Any) -> tuple[Any, str]:
    w, client, ids, base = await _setup(make_client)

    async def put(key: str, body: dict[str, Any]) -> None:
        response = await client.put(f"{base}/items/{ids[key]}", json=body)
        assert response.status_code == 200, response.text

    await put("extinguisher", {"value": "fail"})
    await put("pressure", {"value": "11,5"})
    await put("lights", {"value": True})
    await put("notes", {"value": "Door sticks"})
    await put("meter", {"value": "1234.5"})
    await put("signature", {"value": "Anna Berger", "signature_png": h.signature_png()})
    photo = await client.post(
        f"{base}/items/{ids['photo']}/photo",
        files={"photo": ("p.png", mb.png(400, 300), "image/png")},
    )
    assert photo.status_code == 200
    return w, base.removeprefix("/api/v1").removesuffix("/checklist")


async def test_answered_items_print_as_answered(make_client) -> None:
    w, path = await _answered(make_client)
    browser = await builders.browser_session(make_client, w.cm)
    response = await browser.get(f"{path}/sheet.pdf")
    assert response.status_code == 200, response.text
    text, images = _text(response.content)
    for expected in (
        "Fire extinguisher sealed",
        "Fail",
        "Extinguisher pressure (bar)",
        "11.5 bar",
        "out of limits",
        "Limits: 12 … 16 bar",
        "✓ Emergency lights tested Done",
        "Door sticks",
        "1,234.5 m³",
        "Anna Berger",
    ):
        assert expected in text, (expected, text)
    assert "true" not in text.split()  # never the raw stored value
    assert images >= 2  # the photo thumbnail and the drawn signature


async def test_sheet_in_german(make_client) -> None:
    w, path = await _answered(make_client)
    cm = await builders.user(w.cm.role, locale="de")
    await builders.assign(cm, sites=[w.site.id])
    browser = await builders.browser_session(make_client, cm)
    response = await browser.get(f"{path}/sheet.pdf")
    with using_locale("de"):
        text, _images = _text(response.content)
    for expected in ("Nicht bestanden", "11,5 bar", "außerhalb der Grenzen", "Erledigt"):
        assert expected in text, (expected, text)

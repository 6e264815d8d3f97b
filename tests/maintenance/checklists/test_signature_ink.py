"""A signature item needs strokes (issue 9, item 11): a typed name with nothing drawn, a
blank or filled image, or data that is no PNG is refused with 422 on ``signature_png``."""

from __future__ import annotations

import base64
import io
from typing import Any

import pytest
from PIL import Image

from tests import builders
from tests import workorders_builders as wb
from tests.maintenance.checklists import helpers as h


def _png(image: Image.Image, fmt: str = "PNG") -> str:
    out = io.BytesIO()
    image.save(out, fmt)
    return "data:image/png;base64," + base64.b64encode(out.getvalue()).decode()


async def _signature_item(make_client: Any) -> tuple[Any, Any, str, str]:
    w = await wb.world()
    tpl = await h.template()
    order = await h.order_with_checklist(w, tpl.version_id)
    client = await builders.api(make_client, w.partner)
    path = f"/work-orders/{order.id}/checklist"
    ids = h.item_ids((await client.get(f"/api/v1{path}")).json())
    return w, client, path, f"items/{ids['signature']}"


@pytest.mark.parametrize(
    "drawing",
    [
        None,  # a name, nothing drawn
        _png(Image.new("RGBA", (600, 200), (0, 0, 0, 0))),  # the untouched pad
        _png(Image.new("RGB", (600, 200), "white")),  # a white image
        _png(Image.new("RGB", (600, 200), "black")),  # one filled area
        _png(Image.new("RGB", (600, 200), "white"), "JPEG"),  # not a PNG at all
        "data:image/png;base64," + base64.b64encode(b"\x89PNG\r\n\x1a\nnot really").decode(),
    ],
    ids=["name-only", "transparent", "white", "filled", "jpeg", "broken-png"],
)
async def test_a_signature_without_strokes_is_refused(make_client, drawing: str | None) -> None:  # type: ignore[no-untyped-def]
    _w, client, path, item = await _signature_item(make_client)
    body: dict[str, Any] = {"value": "Paul Partner"}
    if drawing is not None:
        body["signature_png"] = drawing
    response = await client.put(f"/api/v1{path}/{item}", json=body)
    assert response.status_code == 422, response.text
    assert response.json()["fields"][0]["field"] == "signature_png"
    assert "Expected" not in response.text
    after = await client.get(f"/api/v1{path}")
    assert not next(i for i in after.json()["items"] if i["key"] == "signature")["answered"]


async def test_a_drawn_signature_is_kept_and_shown_once(make_client) -> None:  # type: ignore[no-untyped-def]
    w, client, path, item = await _signature_item(make_client)
    response = await client.put(
        f"/api/v1{path}/{item}", json={"value": w.partner.name, "signature_png": h.signature_png()}
    )
    assert response.status_code == 200, response.text
    assert response.json()["has_photo"]
    page = await (await builders.browser_session(make_client, w.partner)).get(path)
    assert f"Signed by {w.partner.name}" in page.text
    assert f"· {w.partner.name}</small>" not in page.text  # not "Paul Partner · Paul Partner"


async def test_the_page_without_javascript_says_what_is_missing(make_client) -> None:  # type: ignore[no-untyped-def]
    w, _client, path, item = await _signature_item(make_client)
    client = await builders.browser_session(make_client, w.partner)
    page = await client.get(path)
    assert "<noscript>" in page.text and 'name="signature_png"' in page.text
    token = await builders.csrf(client, "/account")
    fields = {
        "kind": "signature",
        "value": "Paul Partner",
        "signature_pn": "",
        "_csrf_token": token,
    }
    response = await client.post(f"{path}/{item}", files={k: (None, v) for k, v in fields.items()})
    assert response.status_code == 422
    assert "Nothing is drawn. Sign in the box" in response.text

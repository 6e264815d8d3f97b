"""Answering a work order's checklist: typed values, limits, photos, signatures; only while
the work is accepted or in progress; required items block completion."""

from __future__ import annotations

import io
from typing import Any

import pytest
from PIL import Image

from facilities.accounts.enums import Role
from facilities.accounts.tables import AuditEvent
from facilities.maintenance.checklists import unanswered_required
from tests import builders
from tests import maintenance_builders as mb
from tests import workorders_builders as wb
from tests.maintenance.checklists import helpers as h


async def _setup(make_client: Any) -> tuple[Any, Any, dict[str, int], str]:
    w = await wb.world()
    tpl = await h.template()
    order = await h.order_with_checklist(w, tpl.version_id)
    client = await builders.api(make_client, w.partner)
    body = (await client.get(f"/api/v1/work-orders/{order.id}/checklist")).json()
    return w, client, h.item_ids(body), f"/api/v1/work-orders/{order.id}/checklist"


async def test_each_kind_is_answered_and_validated(make_client) -> None:
    w, client, ids, base = await _setup(make_client)

    async def put(key: str, body: dict[str, Any]) -> Any:
        return await client.put(f"{base}/items/{ids[key]}", json=body)

    response = await put("extinguisher", {"value": "flag"})
    assert response.status_code == 200, response.text
    answer = response.json()
    assert answer["answered"] and answer["value_text"] == "flag" and answer["needs_follow_up"]
    assert answer["answered_by_id"] == w.partner.id and answer["answered_at"]

    response = await put("pressure", {"value": "11,5"})  # a comma is fine
    assert response.json()["value_number"] == "11.5" and response.json()["out_of_limits"]
    response = await put("pressure", {"value": 14})
    assert response.json()["value_number"] == "14" and not response.json()["out_of_limits"]
    response = await put("pressure", {"value": "16"})  # limits are inclusive
    assert not response.json()["out_of_limits"]
    response = await put("pressure", {"value": 16.25})
    assert response.json()["out_of_limits"] and response.json()["needs_follow_up"]

    assert (await put("lights", {"value": True})).json()["value_text"] == "true"
    assert (await put("notes", {"value": "  Door sticks  "})).json()["value_text"] == "Door sticks"
    assert (await put("meter", {"value": "1234.5"})).json()["value_number"] == "1234.5"
    assert (await put("meter", {"value": 1200})).json()["value_number"] == "1200"  # not 1.2E+3

    response = await put("signature", {"value": "Anna Berger", "signature_png": h.signature_png()})
    assert response.status_code == 200, response.text
    signed = response.json()
    assert signed["value_text"] == "Anna Berger" and signed["has_photo"]
    image = await client.get(signed["photo_url"])
    assert image.status_code == 200 and image.headers["content-type"] == "image/png"
    assert Image.open(io.BytesIO(image.content)).size == (300, 100)
    # A typed name alone is not a signature (issue 9, item 11): tests/maintenance/checklists.
    response = await put("signature", {"value": "Anna Berger"})
    assert response.status_code == 422

    response = await client.post(
        f"{base}/items/{ids['photo']}/photo",
        files={"photo": ("p.png", mb.png(), "image/png")},
    )
    assert response.status_code == 200, response.text
    assert response.json()["has_photo"] and response.json()["answered"]
    assert (await client.get(response.json()["photo_url"])).status_code == 200

    events = await AuditEvent.select().where(AuditEvent.action == "work_order.checklist_answer")
    assert len(events) == 11 and all(e["site_id"] == w.site.id for e in events)
    assert {e["actor"] for e in events} == {w.partner.id}


BAD = [
    ("extinguisher", {"value": "maybe"}, "value"),
    ("extinguisher", {"value": True}, "value"),
    ("pressure", {"value": "twelve"}, "value"),
    ("pressure", {"value": True}, "value"),
    ("pressure", {"value": "1e20"}, "value"),
    ("pressure", {"value": "NaN"}, "value"),
    ("meter", {"value": -1}, "value"),
    ("lights", {"value": "yes"}, "value"),
    ("notes", {"value": "   "}, "value"),
    ("notes", {"value": "x" * 2001}, "value"),
    ("photo", {"value": "a photo"}, "value"),
    ("signature", {"value": ""}, "value"),
    (
        "signature",
        {"value": "Anna", "signature_png": "data:image/gif;base64,R0lG"},
        "signature_png",
    ),
    (
        "signature",
        {"value": "Anna", "signature_png": "data:image/png;base64,bm90IGEgcG5n"},
        "signature_png",
    ),
    ("notes", {"value": "ok", "signature_png": "data:image/png;base64,AAAA"}, "signature_png"),
]


@pytest.mark.parametrize(("key", "body", "field"), BAD)
async def test_bad_answers_get_422_naming_the_field(
    make_client, key: str, body: dict[str, Any], field: str
) -> None:
    _w, client, ids, base = await _setup(make_client)
    response = await client.put(f"{base}/items/{ids[key]}", json=body)
    assert response.status_code == 422, response.text
    assert response.json()["fields"][0]["field"] == field
    state = (await client.get(base)).json()
    assert not next(i for i in state["items"] if i["key"] == key)["answered"]


async def test_photo_endpoint_checks_kind_and_file(make_client) -> None:
    _w, client, ids, base = await _setup(make_client)
    wrong = await client.post(
        f"{base}/items/{ids['notes']}/photo", files={"photo": ("p.png", mb.png(), "image/png")}
    )
    assert wrong.status_code == 422 and wrong.json()["fields"][0]["field"] == "photo"
    junk = await client.post(
        f"{base}/items/{ids['photo']}/photo",
        files={"photo": ("p.png", b"not an image", "image/png")},
    )
    assert junk.status_code == 422 and junk.json()["fields"][0]["field"] == "photo"
    assert (await client.get(f"{base}/items/{ids['photo']}/photo")).status_code == 404


async def test_answers_only_while_accepted_or_in_progress(make_client) -> None:
    w = await wb.world()
    tpl = await h.template()
    order = await h.order_with_checklist(w, tpl.version_id, start=False)  # "assigned"
    client = await builders.api(make_client, w.partner)
    base = f"/api/v1/work-orders/{order.id}/checklist"
    ids = h.item_ids((await client.get(base)).json())
    assert (await client.get(base)).json()["editable"] is False
    path = f"{base}/items/{ids['extinguisher']}"
    response = await client.put(path, json={"value": "pass"})
    assert response.status_code == 409 and response.json()["fields"][0]["field"] == "status"
    await wb.step(order.id, w.partner, "accept")
    assert (await client.put(path, json={"value": "pass"})).status_code == 200
    await wb.step(order.id, w.partner, "start")
    await wb.step(order.id, w.partner, "hold", hold_reason="parts")
    assert (await client.put(path, json={"value": "fail"})).status_code == 409
    photo = await client.post(
        f"{base}/items/{ids['photo']}/photo", files={"photo": ("p.png", mb.png(), "image/png")}
    )
    assert photo.status_code == 409
    body = (await client.get(base)).json()
    assert next(i for i in body["items"] if i["key"] == "extinguisher")["value_text"] == "pass"


async def test_required_items_and_clearing(make_client) -> None:
    _w, client, ids, base = await _setup(make_client)
    order_id = int(base.split("/")[4])
    required = ["Fire extinguisher sealed", "Extinguisher pressure", "Emergency lights tested"]
    assert await unanswered_required(order_id) == required
    assert (await client.get(base)).json()["unanswered_required"] == required
    await client.put(f"{base}/items/{ids['extinguisher']}", json={"value": "pass"})
    await client.put(f"{base}/items/{ids['pressure']}", json={"value": 13})
    await client.put(f"{base}/items/{ids['lights']}", json={"value": True})
    await client.put(f"{base}/items/{ids['notes']}", json={"value": "fine"})
    assert await unanswered_required(order_id) == []
    # Unticking a box, or a null answer, clears it.
    cleared = await client.put(f"{base}/items/{ids['lights']}", json={"value": False})
    assert cleared.json()["answered"] is False and cleared.json()["answered_by_id"] is None
    await client.put(f"{base}/items/{ids['pressure']}", json={"value": None})
    assert await unanswered_required(order_id) == [
        "Extinguisher pressure",
        "Emergency lights tested",
    ]
    assert await AuditEvent.count().where(AuditEvent.action == "work_order.checklist_clear") == 2
    assert await unanswered_required(999_999) == []


async def test_staff_may_answer_viewers_may_not(make_client) -> None:
    w, _client, ids, base = await _setup(make_client)
    cm = await builders.api(make_client, w.cm)
    response = await cm.put(f"{base}/items/{ids['extinguisher']}", json={"value": "fail"})
    assert response.status_code == 200 and response.json()["answered_by_id"] == w.cm.id
    viewer = await builders.user(Role.viewer)
    await builders.assign(viewer, sites=[w.site.id])
    client = await builders.api(make_client, viewer)
    assert (await client.get(base)).status_code == 200
    response = await client.put(f"{base}/items/{ids['extinguisher']}", json={"value": "pass"})
    assert response.status_code == 403
    response = await client.post(f"{base}/items/{ids['extinguisher']}/follow-up")
    assert response.status_code == 403

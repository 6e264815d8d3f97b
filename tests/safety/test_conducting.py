"""Conducting through the API: stale writes (409 with the current answer), answers for
another template version (422), client keys (a repeat writes nothing), photos, drawn
signatures (ink checked), template versions kept by started inspections, generation in
site time and the missed state, bad template input."""

from __future__ import annotations

import base64
import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from facilities.accounts.tables import AuditEvent
from facilities.kit import clock
from facilities.safety.inspections.tables import Inspection, InspectionAnswer
from tests import assets_builders as ab
from tests import builders
from tests.safety.helpers import INSPECTIONS, answer, generate, programme, starter, world

NOW = datetime(2026, 3, 1, 7, 0, tzinfo=UTC)


@pytest.fixture(autouse=True)
def pinned_clock() -> Any:
    with clock.pinned(NOW):
        yield


async def _inspection(make_client: Any, key: str = "first_aid_kit") -> tuple[Any, int, Any]:
    w = await world()
    template = await starter(key)
    await programme(template.id, site_id=w.site.id)
    await generate(NOW)
    cm = await builders.api(make_client, w.cm)
    [row] = (await cm.get(INSPECTIONS)).json()
    return w, row["id"], cm


async def test_two_devices_lose_no_answer(make_client: Any) -> None:
    _w, inspection_id, phone = await _inspection(make_client)
    tablet = await builders.api(make_client, _w.cm)
    first = await answer(phone, inspection_id, "complete", "pass", version=0)
    assert first.status_code == 200 and first.json()["version"] == 1
    stale = await answer(tablet, inspection_id, "complete", "fail", version=0)
    assert stale.status_code == 409
    body = stale.json()
    assert body["fields"][0]["field"] == "version"
    assert body["current"]["value_text"] == "pass" and body["current"]["version"] == 1
    fresh = await answer(tablet, inspection_id, "complete", "fail", version=1)
    assert fresh.status_code == 200 and fresh.json()["version"] == 2
    # a second item is independent of the first
    assert (await answer(tablet, inspection_id, "expiry", "pass", version=0)).status_code == 200


async def test_answer_for_another_template_version_is_refused(make_client: Any) -> None:
    w, inspection_id, cm = await _inspection(make_client)
    current = (await cm.get(f"{INSPECTIONS}/{inspection_id}")).json()
    ops = await builders.api(make_client, w.ops)
    template = (await ops.get(f"/api/v1/safety/templates/{current['template_id']}")).json()
    items = [
        {k: v for k, v in i.items() if v is not None and k != "show_if_answers"}
        for i in template["items"]
    ]
    edited = await ops.patch(
        f"/api/v1/safety/templates/{template['id']}",
        json={"items": [*items, {"label": "Eye wash bottle present", "kind": "yes_no"}],
              "version": 1},
    )  # fmt: skip
    assert edited.status_code == 200, edited.text
    assert edited.json()["version"] == 2
    stale_edit = await ops.patch(
        f"/api/v1/safety/templates/{template['id']}", json={"items": items, "version": 1}
    )
    assert stale_edit.status_code == 409
    kept = (await cm.get(f"{INSPECTIONS}/{inspection_id}")).json()
    assert kept["template_version"] == 1 and len(kept["items"]) == 4  # keeps its version
    wrong = await answer(
        cm,
        inspection_id,
        "complete",
        "pass",
        template_version_id=edited.json()["version_id"],
    )
    assert wrong.status_code == 422
    assert wrong.json()["fields"][0]["field"] == "template_version_id"
    unknown = await answer(cm, inspection_id, "eye_wash_bottle_present", "yes")
    assert unknown.status_code == 422
    assert unknown.json()["fields"][0]["field"] == "item_key"


async def test_client_key_repeats_write_nothing(make_client: Any) -> None:
    _w, inspection_id, cm = await _inspection(make_client)
    key = str(uuid.uuid4())
    first = await answer(cm, inspection_id, "complete", "pass", client_key=key)
    audits = await AuditEvent.count().where(AuditEvent.action == "inspection.answer")
    repeat = await answer(cm, inspection_id, "complete", "pass", client_key=key)
    assert repeat.status_code == 200 and repeat.json() == first.json()
    assert await AuditEvent.count().where(AuditEvent.action == "inspection.answer") == audits
    row = await InspectionAnswer.select().where(InspectionAnswer.item_key == "complete").first()
    assert row["version"] == 1
    for item, value in (("expiry", "pass"), ("sign", "pass")):
        await answer(cm, inspection_id, item, value)
    submit_key = str(uuid.uuid4())
    done = await cm.post(f"{INSPECTIONS}/{inspection_id}/submit", json={"client_key": submit_key})
    assert done.status_code == 200
    replay = await cm.post(f"{INSPECTIONS}/{inspection_id}/submit", json={"client_key": submit_key})
    assert replay.status_code == 200 and replay.json() == done.json()
    reused = await answer(cm, inspection_id, "sign", "pass", client_key=submit_key)
    assert reused.status_code == 409


async def test_photo_note_and_drawn_signature(make_client: Any) -> None:
    _w, inspection_id, cm = await _inspection(make_client, "coworking_walk")
    photo = await cm.post(
        f"{INSPECTIONS}/{inspection_id}/items/cables/photo",
        files={"photo": ("p.jpg", ab.image(), "image/jpeg")},
    )
    assert photo.status_code == 200 and photo.json()["has_photo"] is True
    shown = await cm.get(f"{INSPECTIONS}/{inspection_id}/items/cables/photo")
    assert shown.status_code == 200 and shown.headers["content-type"].startswith("image/")
    bad_photo = await cm.post(
        f"{INSPECTIONS}/{inspection_id}/items/cables/photo",
        files={"photo": ("p.jpg", b"not an image", "image/jpeg")},
    )
    assert bad_photo.status_code in (413, 415, 422)
    noted = await answer(cm, inspection_id, "cables", "fail", note="Power strip daisy chain")
    assert noted.json()["note"] == "Power strip daisy chain" and noted.json()["has_photo"]
    blank = "data:image/png;base64," + base64.b64encode(ab.image("PNG", (200, 80))).decode()
    unsigned = await answer(cm, inspection_id, "signature", "Kim", signature_png=blank)
    assert unsigned.status_code == 422
    assert unsigned.json()["fields"][0]["field"] == "signature_png"
    not_png = await answer(
        cm, inspection_id, "signature", "Kim", signature_png="data:text/plain,hi"
    )
    assert not_png.status_code == 422
    signed = await answer(cm, inspection_id, "signature", "Kim", signature_png=_drawn())
    assert signed.status_code == 200 and signed.json()["has_photo"]


def _drawn() -> str:
    import io

    from PIL import Image, ImageDraw

    image = Image.new("RGBA", (300, 100), (255, 255, 255, 0))
    ImageDraw.Draw(image).line([(10, 50), (100, 20), (200, 80), (290, 30)], fill="black", width=4)
    out = io.BytesIO()
    image.save(out, "PNG")
    return "data:image/png;base64," + base64.b64encode(out.getvalue()).decode()


async def test_bad_template_input_is_named(make_client: Any) -> None:
    w = await world()
    ops = await builders.api(make_client, w.ops)
    url = "/api/v1/safety/templates"
    empty = await ops.post(url, json={"name": "Empty", "items": []})
    assert empty.status_code == 422 and empty.json()["fields"][0]["field"] == "items"
    negative = await ops.post(
        url, json={"name": "W", "items": [{"label": "A", "kind": "pass_fail_na", "weight": -1}]}
    )
    assert negative.status_code == 422
    assert negative.json()["fields"][0]["field"] == "items[0].weight"
    limits = await ops.post(
        url,
        json={"name": "L", "items": [{"label": "T", "kind": "number", "min": 5, "max": 1}]},
    )
    assert limits.status_code == 422
    assert limits.json()["fields"][0]["field"] == "items[0].min"
    assert "Expected" not in limits.text
    cm = await builders.api(make_client, w.cm)
    assert (await cm.post(url, json={"name": "x", "items": []})).status_code == 403


async def test_generation_in_site_time_and_missed(make_client: Any) -> None:
    w = await world()
    template = await starter("emergency_lighting_monthly", "de")
    assert template.name.startswith("Sicherheitsbeleuchtung")
    await programme(template.id, site_id=w.site.id, lead_days=0)
    assert await generate(NOW) == 0  # due 1 March 09:00 Berlin; lead 0: not yet
    at_nine = datetime(2026, 3, 1, 8, 0, tzinfo=UTC)  # 09:00 CET
    assert await generate(at_nine) == 1
    row = await Inspection.select().first()
    assert row["due_at"].astimezone(UTC).hour == 8 if hasattr(row["due_at"], "astimezone") else True
    assert row["occurrence_key"] == "2026-03-01T09:00:00"
    after_april = datetime(2026, 4, 1, 7, 0, tzinfo=UTC)  # 09:00 CEST
    assert await generate(after_april) == 1
    statuses = [r["status"] for r in await Inspection.select().order_by(Inspection.due_at)]
    assert statuses == ["missed", "due"]


async def test_generation_that_catches_up_inserts_the_missed_ones_as_missed(
    make_client: Any,
) -> None:
    """A first run three months late: the occurrences a later one has overtaken arrive
    missed, the latest due one and the one inside the lead time arrive due (the same rule as
    marking rows that already exist; equal to what a run every month would have left)."""
    w = await world()
    template = await starter("emergency_lighting_monthly", "de")
    await programme(template.id, site_id=w.site.id, lead_days=10)
    # 25 May 09:00 Berlin: 1 March, 1 April and 1 May are due; 1 June is within the lead
    assert await generate(datetime(2026, 5, 25, 7, 0, tzinfo=UTC)) == 4
    rows = await Inspection.select(Inspection.occurrence_key, Inspection.status).order_by(
        Inspection.due_at
    )
    assert [(r["occurrence_key"][:10], r["status"]) for r in rows] == [
        ("2026-03-01", "missed"),
        ("2026-04-01", "missed"),
        ("2026-05-01", "due"),
        ("2026-06-01", "due"),
    ]


async def test_programme_bad_input(make_client: Any) -> None:
    w = await world()
    template = await starter()
    ops = await builders.api(make_client, w.ops)
    url = "/api/v1/safety/programmes"
    base = {
        "name": "P",
        "template_id": template.id,
        "scope": "site",
        "site_id": w.site.id,
        "rrule": "FREQ=MONTHLY",
        "dtstart_local": "2026-03-01T09:00:00",
    }
    assert (await ops.post(url, json=base)).status_code == 201
    bad_rule = await ops.post(url, json={**base, "rrule": "FREQ=SOMETIMES"})
    assert bad_rule.status_code == 422 and bad_rule.json()["fields"][0]["field"] == "rrule"
    no_site = await ops.post(url, json={**base, "site_id": None})
    assert no_site.status_code == 422 and no_site.json()["fields"][0]["field"] == "site_id"
    foreign_region = await builders.region()
    foreign_site = await builders.site(foreign_region.id)
    foreign = await ops.post(url, json={**base, "site_id": foreign_site.id})
    assert foreign.status_code == 422 and foreign.json()["fields"][0]["field"] == "site_id"
    start = await ops.post(url, json={**base, "scope": "region", "region_id": w.region_id})
    assert start.status_code == 201
    assert await generate(NOW + timedelta(days=1)) == 3  # one site + the region's two sites

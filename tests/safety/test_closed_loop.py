"""The closed loop through the API: a programme generates an inspection; the community
manager answers it item by item, fails a critical item and submits; the finding opens a P1
corrective work order, the asset is locked out; the partner completes the order; a one-item
re-check appears, passes, the finding closes and the lock-out lifts."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from facilities.assets.tables import Asset
from facilities.kit import clock
from facilities.maintenance.tables import WorkOrder
from tests import builders
from tests import workorders_builders as wb
from tests.safety.helpers import INSPECTIONS, answer, generate, programme, starter, world

NOW = datetime(2026, 3, 1, 7, 0, tzinfo=UTC)


@pytest.fixture(autouse=True)
def pinned_clock() -> Any:
    with clock.pinned(NOW):
        yield


async def test_failed_critical_item_closes_the_loop(make_client: Any) -> None:
    w = await world()
    template = await starter()
    await programme(
        template.id, scope="category", category_id=w.category_id, assignee_role="community_manager"
    )
    # the first day of March and April 2026 (lead 7 days): March only
    assert await generate(NOW) == 2  # one per extinguisher, at both sites
    assert await generate(NOW) == 0  # idempotent
    cm = await builders.api(make_client, w.cm)
    listed = (await cm.get(INSPECTIONS)).json()
    assert [i["asset_name"] for i in listed] == ["Extinguisher F-01"]  # scoped to the CM's site
    inspection_id = listed[0]["id"]
    started = (await cm.post(f"{INSPECTIONS}/{inspection_id}/start")).json()
    assert started["status"] == "in_progress"
    assert started["items"][0]["key"] == "in_place"

    assert (await answer(cm, inspection_id, "in_place", "pass")).status_code == 200
    early = await cm.post(f"{INSPECTIONS}/{inspection_id}/submit", json={})
    assert early.status_code == 422
    assert "Pressure gauge in the green zone" in early.json()["message"]
    missing = {f["field"] for f in early.json()["fields"]}
    assert {"items.pressure", "items.seal", "items.damage", "items.service_due"} <= missing
    for key, value in (("seal", "pass"), ("damage", "na"), ("service_due", "yes")):
        assert (await answer(cm, inspection_id, key, value)).status_code == 200
    failed = await answer(cm, inspection_id, "pressure", "fail")
    assert failed.json()["fails"] is True

    submitted = await cm.post(f"{INSPECTIONS}/{inspection_id}/submit", json={})
    assert submitted.status_code == 200, submitted.text
    body = submitted.json()
    # possible: in_place 1 + pressure 2 + seal 1 + service_due 1 = 5; earned 5 - 2
    assert float(body["inspection"]["score"]) == 60.0
    [finding] = body["findings"]
    assert finding["critical"] and finding["locked_out"] and finding["status"] == "open"
    order = await WorkOrder.select().where(WorkOrder.id == finding["work_order_id"]).first()
    assert order["priority"] == "p1" and order["origin"] == "inspection"
    assert order["asset"] == w.asset_id
    locked = await Asset.select(Asset.locked_out).where(Asset.id == w.asset_id).first()
    assert locked["locked_out"] is True
    again = await cm.post(f"{INSPECTIONS}/{inspection_id}/submit", json={})
    assert again.status_code == 409
    assert await WorkOrder.count() == 1  # nothing doubled

    await wb.step(order["id"], w.cm, "assign", partner_organisation_id=w.partner_org_id)
    await wb.step(order["id"], w.partner, "accept")
    await wb.step(order["id"], w.partner, "start")
    await wb.step(order["id"], w.partner, "complete", note="Refilled and pressure tested")
    finding = (await cm.get(f"/api/v1/safety/findings/{finding['id']}")).json()
    recheck_id = finding["recheck_inspection_id"]
    assert recheck_id is not None and finding["status"] == "open"
    recheck = (await cm.get(f"{INSPECTIONS}/{recheck_id}")).json()
    assert [i["key"] for i in recheck["items"]] == ["pressure"]
    assert recheck["assignee_role"] == "community_manager"
    other_item = await answer(cm, recheck_id, "seal", "pass")
    assert other_item.status_code == 422  # a re-check asks its one item only
    assert (await answer(cm, recheck_id, "pressure", "pass")).status_code == 200
    done = await cm.post(f"{INSPECTIONS}/{recheck_id}/submit", json={})
    assert done.status_code == 200, done.text
    closed = (await cm.get(f"/api/v1/safety/findings/{finding['id']}")).json()
    assert closed["status"] == "closed"
    unlocked = await Asset.select(Asset.locked_out).where(Asset.id == w.asset_id).first()
    assert unlocked["locked_out"] is False


async def test_failed_recheck_keeps_the_finding_open_with_new_work(make_client: Any) -> None:
    w = await world()
    template = await starter("first_aid_kit")
    await programme(template.id, site_id=w.site.id)
    await generate(NOW)
    cm = await builders.api(make_client, w.cm)
    [inspection] = (await cm.get(INSPECTIONS)).json()
    for key, value in (("complete", "fail"), ("expiry", "pass"), ("sign", "pass")):
        await answer(cm, inspection["id"], key, value)
    body = (await cm.post(f"{INSPECTIONS}/{inspection['id']}/submit", json={})).json()
    [finding] = body["findings"]
    assert not finding["critical"] and not finding["locked_out"]
    order = await WorkOrder.select().where(WorkOrder.id == finding["work_order_id"]).first()
    assert order["priority"] == "p2" and order["asset"] is None
    await wb.step(order["id"], w.cm, "assign", partner_organisation_id=w.partner_org_id)
    await wb.step(order["id"], w.partner, "accept")
    await wb.step(order["id"], w.partner, "start")
    await wb.step(order["id"], w.partner, "complete", note="Restocked")
    recheck_id = (await cm.get(f"/api/v1/safety/findings/{finding['id']}")).json()[
        "recheck_inspection_id"
    ]
    await answer(cm, recheck_id, "complete", "fail")
    assert (await cm.post(f"{INSPECTIONS}/{recheck_id}/submit", json={})).status_code == 200
    after = (await cm.get(f"/api/v1/safety/findings/{finding['id']}")).json()
    assert after["status"] == "open" and after["work_order_id"] != order["id"]
    assert after["recheck_inspection_id"] is None


async def test_open_finding_is_not_doubled_and_recurrences_are_counted(make_client: Any) -> None:
    w = await world()
    template = await starter("first_aid_kit")
    await programme(template.id, site_id=w.site.id, rrule="FREQ=WEEKLY")
    with clock.pinned(NOW + timedelta(days=8)):
        assert await generate(clock.now()) >= 2
    cm = await builders.api(make_client, w.cm)
    listed = (await cm.get(INSPECTIONS)).json()
    ids = [i["id"] for i in listed][:2]
    for inspection_id in ids:
        for key, value in (("complete", "fail"), ("expiry", "pass"), ("sign", "pass")):
            await answer(cm, inspection_id, key, value)
        assert (await cm.post(f"{INSPECTIONS}/{inspection_id}/submit", json={})).status_code == 200
    findings = (await cm.get("/api/v1/safety/findings")).json()
    assert len(findings) == 2
    assert len({f["work_order_id"] for f in findings}) == 1  # one corrective order while open
    assert sorted(f["recurrences"] for f in findings) == [1, 2]

"""Incidents and near misses through the API: reporting, who sees what (confidential ones:
ops managers, admins and the reporter only), the accident-insurer flag and its deadline in
site time, investigation with a stale version, corrective work orders through the one write
path, photos through the upload checks, and bad input in words."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest

from facilities import db
from facilities.accounts.enums import Role
from facilities.kit import clock
from tests import builders
from tests.permission_matrix.world import png
from tests.safety.helpers import field_of, incident_body, person, place

NOW = datetime(2026, 6, 15, 10, 0, tzinfo=UTC)  # a Monday; 12:00 in Berlin
URL = "/api/v1/safety/incidents"


@pytest.fixture(autouse=True)
def pinned_clock() -> Any:
    with clock.pinned(NOW):
        yield


async def test_anyone_signed_in_reports_and_ops_investigates(make_client) -> None:
    here = await place()
    _cm, cm = await person(make_client, Role.community_manager, here)
    _ops, ops = await person(make_client, Role.ops_manager, here)
    created = await cm.post(URL, json=incident_body(here.site.id))
    assert created.status_code == 201, created.text
    incident = created.json()
    assert incident["status"] == "reported" and incident["reportable"] is False
    assert (await ops.get(f"{URL}/{incident['id']}")).status_code == 200
    # Community managers report but do not investigate.
    patch = {"version": incident["version"], "status": "investigating"}
    assert (await cm.patch(f"{URL}/{incident['id']}", json=patch)).status_code == 403
    changed = await ops.patch(f"{URL}/{incident['id']}", json=patch)
    assert changed.status_code == 200, changed.text
    assert changed.json()["status"] == "investigating"
    # The same version again is stale: 409, nothing changed.
    again = await ops.patch(f"{URL}/{incident['id']}", json={**patch, "status": "reported"})
    assert again.status_code == 409
    assert (await ops.get(f"{URL}/{incident['id']}")).json()["status"] == "investigating"


async def test_closing_needs_a_root_cause(make_client) -> None:
    here = await place()
    _ops, ops = await person(make_client, Role.ops_manager, here)
    incident = (await ops.post(URL, json=incident_body(here.site.id))).json()
    closing = {"version": incident["version"], "status": "closed"}
    refused = await ops.patch(f"{URL}/{incident['id']}", json=closing)
    assert refused.status_code == 422 and field_of(refused) == "root_cause"
    closed = await ops.patch(
        f"{URL}/{incident['id']}", json={**closing, "root_cause": "Leaking dishwasher hose"}
    )
    assert closed.status_code == 200 and closed.json()["closed_at"] is not None


async def test_more_than_three_days_off_is_reportable_with_a_deadline_in_site_time(
    make_client,
) -> None:
    here = await place()
    _ops, ops = await person(make_client, Role.ops_manager, here)
    three = incident_body(here.site.id, injury=True, injury_kind="sprain", days_off=3)
    assert (await ops.post(URL, json=three)).json()["reportable"] is False
    four = incident_body(here.site.id, injury=True, injury_kind="fracture", days_off=4)
    created = (await ops.post(URL, json=four)).json()
    assert created["reportable"] is True
    # Reported Monday 12:00 Berlin → by Thursday 23:59 Berlin (21:59 UTC in summer).
    assert created["insurer_deadline"].startswith("2026-06-18T21:59")
    page = await builders.browser_session(make_client, _ops)
    shown = await page.get(f"/safety/incidents/{created['id']}")
    assert "Reportable to the accident insurer" in shown.text
    assert "23:59" in shown.text
    # Learned later: days off entered in the investigation sets the flag then.
    later = (
        await ops.post(URL, json=incident_body(here.site.id, injury=True, injury_kind="cut"))
    ).json()
    assert later["reportable"] is False
    updated = await ops.patch(
        f"{URL}/{later['id']}", json={"version": later["version"], "days_off": 5}
    )
    assert updated.json()["reportable"] is True and updated.json()["insurer_deadline"]


async def test_confidential_incidents_only_for_ops_admins_and_the_reporter(make_client) -> None:
    here = await place()
    reporter_user, reporter = await person(make_client, Role.community_manager, here)
    _other, other_cm = await person(make_client, Role.community_manager, here)
    _viewer, viewer = await person(make_client, Role.viewer, here)
    _ops, ops = await person(make_client, Role.ops_manager, here)
    secret = (await reporter.post(URL, json=incident_body(here.site.id, confidential=True))).json()
    url = f"{URL}/{secret['id']}"
    assert (await reporter.get(url)).status_code == 200
    assert (await ops.get(url)).status_code == 200
    assert (await other_cm.get(url)).status_code == 404
    assert (await viewer.get(url)).status_code == 404
    assert secret["id"] not in [i["id"] for i in (await other_cm.get(URL)).json()["items"]]
    assert secret["id"] in [i["id"] for i in (await ops.get(URL)).json()["items"]]
    # An open one is seen by the site's people, and by nobody of another site.
    elsewhere = await place()
    _far, far = await person(make_client, Role.community_manager, elsewhere)
    public = (await reporter.post(URL, json=incident_body(here.site.id))).json()
    assert (await other_cm.get(f"{URL}/{public['id']}")).status_code == 200
    assert (await far.get(f"{URL}/{public['id']}")).status_code == 404
    assert reporter_user.id == secret["reported_by_id"]


async def test_partners_see_only_their_own_reports(make_client) -> None:
    here = await place()
    _ops, ops = await person(make_client, Role.ops_manager, here)
    incident = (await ops.post(URL, json=incident_body(here.site.id))).json()
    org = await builders.partner_org()
    partner = await builders.user(Role.partner, partner_id=org.id)
    api = await builders.api(make_client, partner)
    assert (await api.get(f"{URL}/{incident['id']}")).status_code == 404
    assert (await api.get(URL)).json()["items"] == []


async def test_corrective_action_is_a_work_order_through_the_one_write_path(
    make_client,
) -> None:
    here = await place()
    _ops, ops = await person(make_client, Role.ops_manager, here)
    incident = (await ops.post(URL, json=incident_body(here.site.id))).json()
    body = {"title": "Replace the dishwasher hose", "priority": "p2"}
    done = await ops.post(f"{URL}/{incident['id']}/actions", json=body)
    assert done.status_code == 201, done.text
    updated = done.json()
    assert updated["status"] == "actions_open" and len(updated["work_order_ids"]) == 1
    order_id = updated["work_order_ids"][0]
    order = (await ops.get(f"/api/v1/work-orders/{order_id}")).json()
    assert order["origin"] == "safety" and order["site_id"] == here.site.id
    # The write path's own traces: its create event and its audit row.
    events = await db.raw("SELECT action FROM work_order_event WHERE work_order = {}", order_id)
    assert [e["action"] for e in events] == ["create"]
    audit = await db.raw(
        "SELECT action FROM audit_event WHERE object_type = 'work_order' AND object_id = {}",
        str(order_id),
    )
    assert [a["action"] for a in audit] == ["work_order.create"]


async def test_bad_input_is_answered_in_words(make_client) -> None:
    here = await place()
    other = await place()
    _cm, cm = await person(make_client, Role.community_manager, here)
    cases = [
        (incident_body(other.site.id), "site_id"),
        (incident_body(here.site.id, kind="near_miss", injury=True, injury_kind="cut"), "injury"),
        (incident_body(here.site.id, injury=True), "injury_kind"),
        (incident_body(here.site.id, occurred_at="2026-06-16T10:00:00Z"), "occurred_at"),
        (incident_body(here.site.id, occurred_at="2026-06-15T10:00:00"), "occurred_at"),
        (incident_body(here.site.id, severity="apocalyptic"), "severity"),
        (incident_body(here.site.id, title=""), "title"),
    ]
    for body, field in cases:
        response = await cm.post(URL, json=body)
        assert response.status_code == 422, (body, response.text)
        assert field_of(response) == field, response.text
        assert "Expected" not in response.text
    assert (await cm.get(URL)).json()["items"] == []


async def test_photos_pass_the_upload_checks(make_client) -> None:
    here = await place()
    _cm, cm = await person(make_client, Role.community_manager, here)
    incident = (await cm.post(URL, json=incident_body(here.site.id))).json()
    url = f"{URL}/{incident['id']}/photos"
    added = await cm.post(url, files={"photo": ("a.png", png(), "image/png")})
    assert added.status_code == 201, added.text
    photo_id = added.json()["photo_ids"][0]
    shown = await cm.get(f"{url}/{photo_id}")
    assert shown.status_code == 200 and shown.headers["content-type"].startswith("image/")
    fake = await cm.post(url, files={"photo": ("a.png", b"not an image", "image/png")})
    assert fake.status_code == 422 and field_of(fake) == "photo"

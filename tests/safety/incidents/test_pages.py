"""Incident pages: report one on a phone-sized form (no JavaScript needed), errors keep the
values, investigate and add a corrective work order; German words."""

from __future__ import annotations

from facilities.accounts.enums import Role
from facilities.safety.incidents.tables import Incident
from tests import builders
from tests.permission_matrix.world import png
from tests.safety.helpers import place


async def test_report_on_the_page_with_a_photo_then_investigate(make_client) -> None:
    here = await place()
    cm = await builders.user(Role.community_manager)
    await builders.assign(cm, sites=[here.site.id])
    session = await builders.browser_session(make_client, cm)
    form = await session.get("/safety/incidents/new")
    assert form.status_code == 200 and 'type="datetime-local"' in form.text
    token = await builders.csrf(session, "/safety/incidents/new")
    data = {
        "_csrf_token": token,
        "kind": "incident",
        "site_id": str(here.site.id),
        "occurred_at": "2026-01-05T09:15",
        "title": "Cut finger on the paper guillotine",
        "severity": "low",
        "injury": "on",
        "injury_kind": "cut",
        "days_off": "0",
    }
    sent = await session.post(
        "/safety/incidents", data=data, files={"photo": ("a.png", png(), "image/png")}
    )
    assert sent.status_code == 303, sent.text
    row = await Incident.select().first()
    assert row["injury"] and row["injury_kind"] == "cut"
    # 09:15 Berlin in winter is 08:15 UTC.
    assert row["occurred_at"].hour == 8
    detail = await session.get(sent.headers["location"])
    assert "Cut finger" in detail.text and "Investigate" not in detail.text
    ops = await builders.user(Role.ops_manager)
    await builders.assign(ops, regions=[here.region.id])
    ops_session = await builders.browser_session(make_client, ops)
    shown = await ops_session.get(f"/safety/incidents/{row['id']}")
    assert "Investigate" in shown.text
    token = await builders.csrf(ops_session, f"/safety/incidents/{row['id']}")
    action = await ops_session.post(
        f"/safety/incidents/{row['id']}/actions",
        data={"_csrf_token": token, "title": "Guard for the guillotine", "priority": "p3"},
        files={"x": ("", b"")},
    )
    assert action.status_code == 303, action.text
    after = await ops_session.get(f"/safety/incidents/{row['id']}")
    assert "Work order #" in after.text


async def test_form_errors_keep_values_in_german(make_client) -> None:
    here = await place()
    cm = await builders.user(Role.community_manager, locale="de")
    await builders.assign(cm, sites=[here.site.id])
    session = await builders.browser_session(make_client, cm)
    token = await builders.csrf(session, "/safety/incidents/new")
    data = {
        "_csrf_token": token,
        "kind": "near_miss",
        "site_id": str(here.site.id),
        "occurred_at": "2026-01-05T09:15",
        "title": "Nasser Boden",
        "severity": "low",
        "injury": "on",
        "injury_kind": "cut",
    }
    sent = await session.post("/safety/incidents", data=data, files={"photo": ("", b"")})
    assert sent.status_code == 422
    assert "Nasser Boden" in sent.text
    assert "Beinaheunfall" in sent.text
    assert await Incident.count() == 0


async def test_insurer_notification_entered_in_site_time(make_client) -> None:
    here = await place()
    ops = await builders.user(Role.ops_manager)
    await builders.assign(ops, regions=[here.region.id])
    api = await builders.api(make_client, ops)
    body = {
        "kind": "incident",
        "site_id": here.site.id,
        "occurred_at": "2026-01-05T08:00:00Z",
        "title": "Fall from a ladder",
        "severity": "high",
        "injury": True,
        "injury_kind": "fracture",
        "days_off": 10,
    }
    created = (await api.post("/api/v1/safety/incidents", json=body)).json()
    assert created["reportable"]
    session = await builders.browser_session(make_client, ops)
    token = await builders.csrf(session, f"/safety/incidents/{created['id']}")
    sent = await session.post(
        f"/safety/incidents/{created['id']}/investigate",
        data={
            "_csrf_token": token,
            "version": str(created["version"]),
            "status": "investigating",
            "severity": "high",
            "injury": "on",
            "injury_kind": "fracture",
            "days_off": "10",
            "insurer_notified_at": "2026-01-06T09:30",
            "root_cause": "",
            "findings": "",
        },
        files={"x": ("", b"")},
    )
    assert sent.status_code == 303, sent.text
    row = (await api.get(f"/api/v1/safety/incidents/{created['id']}")).json()
    assert row["insurer_notified_at"].startswith("2026-01-06T08:30")  # 09:30 Berlin, winter


async def test_add_photos_to_a_reported_incident_on_its_page(make_client) -> None:
    here = await place()
    cm = await builders.user(Role.community_manager)
    await builders.assign(cm, sites=[here.site.id])
    api = await builders.api(make_client, cm)
    body = {
        "kind": "near_miss",
        "site_id": here.site.id,
        "occurred_at": "2026-01-05T08:00:00Z",
        "title": "Wobbly railing",
        "severity": "medium",
    }
    created = (await api.post("/api/v1/safety/incidents", json=body)).json()
    session = await builders.browser_session(make_client, cm)
    url = f"/safety/incidents/{created['id']}"
    token = await builders.csrf(session, url)
    empty = await session.post(
        f"{url}/photos", data={"_csrf_token": token}, files={"photo": ("", b"")}
    )
    assert empty.status_code == 422 and 'id="e-photo"' in empty.text
    sent = await session.post(
        f"{url}/photos", data={"_csrf_token": token}, files={"photo": ("a.png", png(), "image/png")}
    )
    assert sent.status_code == 303, sent.text
    assert (
        len((await api.get(f"/api/v1/safety/incidents/{created['id']}")).json()["photo_ids"]) == 1
    )

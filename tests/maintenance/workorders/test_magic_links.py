"""Magic links: a one-off contractor without an account accepts, updates and completes ONE
work order through ``/m/{token}``; expired, revoked, reassigned and foreign links refused."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import httpx

from facilities.accounts.enums import Role
from facilities.accounts.tables import AuditEvent
from facilities.kit import clock
from facilities.maintenance.tables import (
    WorkOrder,
    WorkOrderComment,
    WorkOrderEvent,
    WorkOrderMagicLink,
    WorkOrderPhoto,
)
from facilities.maintenance.workorders import magic
from tests import builders
from tests import maintenance_builders as mb
from tests import workorders_builders as wb


async def _issue(make_client: Any, user: Any, order_id: int, email: str) -> httpx.Response:
    client = await builders.api(make_client, user)
    return await client.post(f"/api/v1/work-orders/{order_id}/magic-links", json={"email": email})


def _path(url: str) -> str:
    return url.removeprefix("http://testserver")


async def _post(client: httpx.AsyncClient, path: str, data: dict[str, Any], page: str) -> Any:
    return await builders.post_form(client, path, data, form_page=page)


async def _version(order_id: int) -> str:
    row = await WorkOrder.select(WorkOrder.version).where(WorkOrder.id == order_id).first()
    return str(row["version"])


async def test_contractor_accepts_starts_and_completes_without_an_account(make_client) -> None:
    w = await wb.world()
    order = await wb.work_order(
        w.site.id,
        title="Replace pump",
        partner_organisation_id=w.partner_org_id,
        asset_id=w.asset_id,
        description="Pump in the basement leaks",
    )
    issued = await _issue(make_client, w.cm, order.id, "Bob@OneOff.example")
    assert issued.status_code == 201, issued.text
    body = issued.json()
    assert body["link"]["email"] == "bob@oneoff.example" and body["link"]["active"]
    link = _path(body["url"])
    assert link.startswith("/m/")
    stored = await WorkOrderMagicLink.select().first()
    assert link.removeprefix("/m/") not in str(stored)  # only the hash is stored

    contractor = make_client()  # no account, no session
    html = (await contractor.get(link)).text
    assert "Replace pump" in html and "Pump in the basement leaks" in html
    assert "Key safe left of the door" in html and "Coffee machine Jura X8" in html
    assert 'value="accept"' in html and 'value="decline"' not in html

    accepted = await _post(
        contractor, f"{link}/transition", {"action": "accept", "version": "1"}, link
    )
    assert accepted.status_code == 303 and accepted.headers["location"] == link
    started = await _post(
        contractor,
        f"{link}/transition",
        {"action": "start", "version": await _version(order.id)},
        link,
    )
    assert started.status_code == 303
    held = await _post(
        contractor,
        f"{link}/transition",
        {
            "action": "hold",
            "hold_reason": "parts",
            "note": "Seal on order",
            "version": await _version(order.id),
        },
        link,
    )
    assert held.status_code == 303
    resumed = await _post(
        contractor,
        f"{link}/transition",
        {"action": "resume", "version": await _version(order.id)},
        link,
    )
    assert resumed.status_code == 303
    commented = await _post(contractor, f"{link}/comments", {"body": "Seal replaced too."}, link)
    assert commented.status_code == 303
    token = await builders.csrf(contractor, link)
    photo = await contractor.post(
        f"{link}/photos",
        data={"_csrf_token": token, "stage": "after"},
        files={"photo": ("after.png", mb.png(), "image/png")},
    )
    assert photo.status_code == 303, photo.text
    no_note = await _post(
        contractor,
        f"{link}/transition",
        {"action": "complete", "version": await _version(order.id)},
        link,
    )
    assert no_note.status_code == 422 and "Please give a reason or note." in no_note.text
    declined = await _post(
        contractor,
        f"{link}/transition",
        {"action": "decline", "note": "no", "version": await _version(order.id)},
        link,
    )
    assert declined.status_code == 422  # not through a link
    done = await _post(
        contractor,
        f"{link}/transition",
        {
            "action": "complete",
            "note": "Pump replaced, tested.",
            "version": await _version(order.id),
        },
        link,
    )
    assert done.status_code == 303

    row = (
        await WorkOrder.select(WorkOrder.status, WorkOrder.completion_note)
        .where(WorkOrder.id == order.id)
        .first()
    )
    assert row == {"status": "completed", "completion_note": "Pump replaced, tested."}
    closed = await contractor.get(link)
    assert closed.status_code == 410 and "This work order is closed" in closed.text

    events = (
        await WorkOrderEvent.select()
        .where((WorkOrderEvent.work_order == order.id) & (WorkOrderEvent.action != "create"))
        .order_by(WorkOrderEvent.id)
    )
    assert [e["action"] for e in events] == ["accept", "start", "hold", "resume", "complete"]
    for event in events:
        assert event["actor"] is None
        assert event["actor_label"].endswith("<bob@oneoff.example> (link)")
    audits = await AuditEvent.select().where(
        AuditEvent.actor_label.like("%<bob@oneoff.example> (link)")
    )
    assert {
        "work_order.accept",
        "work_order.complete",
        "work_order.comment",
        "work_order.photo",
    } <= {a["action"] for a in audits}
    comment = await WorkOrderComment.select().first()
    assert comment["author"] is None and comment["body"] == "Seal replaced too."
    photos = await WorkOrderPhoto.select().where(WorkOrderPhoto.work_order == order.id)
    assert len(photos) == 1 and photos[0]["uploaded_by"] is None
    used = await WorkOrderMagicLink.select(WorkOrderMagicLink.last_used_at).first()
    assert used["last_used_at"] is not None

    # Staff see the contractor's work on the order page.
    staff = await builders.browser_session(make_client, w.cm)
    page = (await staff.get(f"/work-orders/{order.id}")).text
    assert "Seal replaced too." in page and "Pump replaced, tested." in page


async def test_expired_link_answers_410_with_whom_to_ask(make_client) -> None:
    w = await wb.world()
    order = await wb.work_order(w.site.id, partner_organisation_id=w.partner_org_id)
    start = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
    with clock.pinned(start):
        issued = await _issue(make_client, w.cm, order.id, "eve@oneoff.example")
        link = _path(issued.json()["url"])
        contractor = make_client()
        assert (await contractor.get(link)).status_code == 200
        token = await builders.csrf(contractor, link)
        clock.advance(timedelta(days=14, seconds=1))
        page = await contractor.get(link)
        assert page.status_code == 410
        assert "This link has expired" in page.text and w.cm.name in page.text
        late = await contractor.post(
            f"{link}/transition", data={"action": "accept", "version": "1", "_csrf_token": token}
        )
        assert late.status_code == 410
        listed = await (await builders.api(make_client, w.cm)).get(
            f"/api/v1/work-orders/{order.id}/magic-links"
        )
        assert listed.json()[0]["active"] is False
    row = await WorkOrder.select(WorkOrder.status).where(WorkOrder.id == order.id).first()
    assert row["status"] == "assigned"


async def test_revoked_and_unknown_links(make_client) -> None:
    w = await wb.world()
    order = await wb.work_order(w.site.id, partner_organisation_id=w.partner_org_id)
    staff = await builders.api(make_client, w.cm)
    issued = await staff.post(
        f"/api/v1/work-orders/{order.id}/magic-links", json={"email": "sam@oneoff.example"}
    )
    link = _path(issued.json()["url"])
    link_id = issued.json()["link"]["id"]
    contractor = make_client()
    token = await builders.csrf(contractor, link)
    revoked = await staff.post(f"/api/v1/work-orders/{order.id}/magic-links/{link_id}/revoke")
    assert revoked.status_code == 200 and revoked.json()["revoked_at"] is not None
    again = await staff.post(f"/api/v1/work-orders/{order.id}/magic-links/{link_id}/revoke")
    assert again.status_code == 200  # idempotent
    page = await contractor.get(link)
    assert page.status_code == 410 and "This link was withdrawn" in page.text
    post = await contractor.post(
        f"{link}/transition", data={"action": "accept", "version": "1", "_csrf_token": token}
    )
    assert post.status_code == 410
    unknown = await contractor.get("/m/not-a-real-token")
    assert unknown.status_code == 404 and "Unknown link" in unknown.text
    audit = await AuditEvent.select(AuditEvent.action).where(
        AuditEvent.action.like("work_order.magic_link%")
    )
    assert sorted(a["action"] for a in audit) == [
        "work_order.magic_link",
        "work_order.magic_link_revoke",
    ]


async def test_link_for_one_order_never_touches_another(make_client) -> None:
    w = await wb.world()
    order_a = await wb.work_order(
        w.site.id, title="Order A", partner_organisation_id=w.partner_org_id
    )
    order_b = await wb.work_order(
        w.site.id, title="Order B", partner_organisation_id=w.partner_org_id
    )
    partner = await builders.browser_session(make_client, w.partner)
    path_b = f"/work-orders/{order_b.id}"
    token = await builders.csrf(partner, path_b)
    await partner.post(
        f"{path_b}/photos",
        data={"_csrf_token": token, "stage": "before"},
        files={"photo": ("b.png", mb.png(color="green"), "image/png")},
    )
    photo_b = await WorkOrderPhoto.select(WorkOrderPhoto.id).first()
    issued = await _issue(make_client, w.cm, order_a.id, "ann@oneoff.example")
    link = _path(issued.json()["url"])
    contractor = make_client()
    html = (await contractor.get(link)).text
    assert "Order A" in html and "Order B" not in html
    assert (await contractor.get(f"{link}/photos/{photo_b['id']}")).status_code == 404
    # Whatever id a form carries, the link acts on its own order only.
    await _post(
        contractor,
        f"{link}/transition",
        {"action": "accept", "version": "1", "work_order_id": str(order_b.id)},
        link,
    )
    rows = {r["id"]: r["status"] for r in await WorkOrder.select(WorkOrder.id, WorkOrder.status)}
    assert rows == {order_a.id: "accepted", order_b.id: "assigned"}


async def test_link_refused_after_reassignment_or_decline(make_client) -> None:
    w = await wb.world()
    order = await wb.work_order(w.site.id, partner_organisation_id=w.partner_org_id)
    link = await magic.issue_link(
        work_order_id=order.id, email="joe@oneoff.example", issued_by=None
    )
    contractor = make_client()
    assert (await contractor.get(link)).status_code == 200
    await wb.step(order.id, w.cm, "assign", partner_organisation_id=w.stranger_org_id)
    moved = await contractor.get(link)
    assert moved.status_code == 410 and "no longer assigned to you" in moved.text
    # The new partner's own link works; a decline ends it too.
    link2 = await magic.issue_link(
        work_order_id=order.id, email="kai@other.example", issued_by=None
    )
    assert (await contractor.get(link2)).status_code == 200
    await wb.step(order.id, w.stranger, "decline", note="No capacity")
    assert (await contractor.get(link2)).status_code == 410
    # The system issued them: the page names the site's team.
    assert w.site.name in (await contractor.get(link2)).text


async def test_issue_rules_and_scoping(make_client) -> None:
    w = await wb.world()
    order = await wb.work_order(w.site.id, partner_organisation_id=w.partner_org_id)
    unassigned = await wb.work_order(w.site.id)
    bad_email = await _issue(make_client, w.cm, order.id, "not-an-address")
    assert bad_email.status_code == 422 and bad_email.json()["fields"][0]["field"] == "email"
    no_partner = await _issue(make_client, w.cm, unassigned.id, "x@oneoff.example")
    assert no_partner.status_code == 409
    assert (await _issue(make_client, w.cm, order.id, "a@oneoff.example")).status_code == 201

    # The order's own partner may see and issue its links; another partner gets 404.
    own = await builders.api(make_client, w.partner)
    assert len((await own.get(f"/api/v1/work-orders/{order.id}/magic-links")).json()) == 1
    stranger = await builders.api(make_client, w.stranger)
    listed = await stranger.get(f"/api/v1/work-orders/{order.id}/magic-links")
    assert listed.status_code == 404
    link_id = (await own.get(f"/api/v1/work-orders/{order.id}/magic-links")).json()[0]["id"]
    revoke = await stranger.post(f"/api/v1/work-orders/{order.id}/magic-links/{link_id}/revoke")
    assert revoke.status_code == 404
    issue = await stranger.post(
        f"/api/v1/work-orders/{order.id}/magic-links", json={"email": "evil@x.example"}
    )
    assert issue.status_code == 404
    # A community manager of another site: 404 as well.
    other_cm = await builders.user(Role.community_manager)
    await builders.assign(other_cm, sites=[w.other_site.id])
    foreign = await builders.api(make_client, other_cm)
    assert (await foreign.get(f"/api/v1/work-orders/{order.id}/magic-links")).status_code == 404
    # A link id of another order under this order's URL: 404.
    other = await wb.work_order(w.site.id, partner_organisation_id=w.partner_org_id)
    staff = await builders.api(make_client, w.cm)
    made = await staff.post(
        f"/api/v1/work-orders/{other.id}/magic-links", json={"email": "b@oneoff.example"}
    )
    wrong = await staff.post(
        f"/api/v1/work-orders/{order.id}/magic-links/{made.json()['link']['id']}/revoke"
    )
    assert wrong.status_code == 404
    # Closed orders get no new links.
    await wb.step(order.id, w.cm, "cancel", note="Duplicate")
    closed = await _issue(make_client, w.cm, order.id, "c@oneoff.example")
    assert closed.status_code == 409


async def test_staff_issue_and_revoke_on_the_pages(make_client) -> None:
    w = await wb.world()
    order = await wb.work_order(w.site.id, partner_organisation_id=w.partner_org_id)
    staff = await builders.browser_session(make_client, w.cm)
    detail = (await staff.get(f"/work-orders/{order.id}")).text
    assert f"/work-orders/{order.id}/magic-links" in detail
    path = f"/work-orders/{order.id}/magic-links"
    made = await _post(staff, path, {"email": "lee@oneoff.example"}, path)
    assert made.status_code == 201 and "http://testserver/m/" in made.text
    link_id = (await WorkOrderMagicLink.select(WorkOrderMagicLink.id).first())["id"]
    revoked = await _post(staff, f"{path}/{link_id}/revoke", {}, path)
    assert revoked.status_code == 303
    listing = (await staff.get(path)).text
    assert "Revoked" in listing and "lee@oneoff.example" in listing
    bad = await _post(staff, path, {"email": "nope"}, path)
    assert bad.status_code == 422


async def test_completing_through_a_link_brings_the_asset_back(make_client) -> None:
    from facilities.assets.tables import Asset

    w = await wb.world()
    order = await wb.work_order(
        w.site.id, partner_organisation_id=w.partner_org_id, asset_id=w.asset_id, asset_down=True
    )
    status = await Asset.select(Asset.status).where(Asset.id == w.asset_id).first()
    assert status["status"] == "down"
    link = await magic.issue_link(work_order_id=order.id, email="al@oneoff.example", issued_by=None)
    contractor = make_client()
    for action, extra in (("start", {}), ("complete", {"note": "Fixed."})):
        done = await _post(
            contractor,
            f"{link}/transition",
            {"action": action, "version": await _version(order.id), **extra},
            link,
        )
        assert done.status_code == 303, done.text
    status = await Asset.select(Asset.status).where(Asset.id == w.asset_id).first()
    assert status["status"] == "operational"


async def test_posts_through_a_link_are_rate_limited(make_client) -> None:
    from facilities.maintenance import limits
    from facilities.maintenance.workorders.controllers.magic_pages import POSTS_PER_CLIENT

    w = await wb.world()
    order = await wb.work_order(w.site.id, partner_organisation_id=w.partner_org_id)
    link = await magic.issue_link(work_order_id=order.id, email="rl@oneoff.example", issued_by=None)
    contractor = make_client()  # its address is 10.1.2.3 (tests/conftest.py)
    for _ in range(POSTS_PER_CLIENT.limit):
        await limits.limiter.hit((POSTS_PER_CLIENT, "10.1.2.3"))
    refused = await _post(contractor, f"{link}/comments", {"body": "Hello"}, link)
    assert refused.status_code == 429 and "Retry-After" in refused.headers
    assert "Too many requests" in refused.text
    assert await WorkOrderComment.count() == 0

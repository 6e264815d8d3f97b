"""Outbox and preferences pages and API: permissions, scoping, retry."""

from __future__ import annotations

from datetime import timedelta

from facilities.accounts.enums import Role
from facilities.kit import clock
from facilities.notifications.delivery import deliver_due
from facilities.notifications.settings import get_outbox_settings
from facilities.sites.tables import Site
from tests import builders
from tests import workorders_builders as wb
from tests.notifications.helpers import outbox_rows
from tests.smtp import Smtp


async def _failed_message(monkeypatch) -> int:
    monkeypatch.setattr(get_outbox_settings(), "outbox_max_attempts", 1)
    w = await wb.world()
    await wb.work_order(w.site.id, partner_organisation_id=w.partner_org_id)
    await deliver_due()
    (row,) = await outbox_rows(kind="email")
    assert row["status"] == "failed"
    return int(row["id"])


async def _region_of(message_id: int) -> int:
    (row,) = await outbox_rows(id=message_id)
    return (await Site.select(Site.region).where(Site.id == row["site_id"]).first())["region"]


async def test_cm_and_partner_cannot_see_outbox_or_webhooks(
    make_client, smtp_down: Smtp, pinned: None
) -> None:
    for role in (Role.community_manager, Role.partner, Role.viewer):
        user = await builders.user(role)
        api = await builders.api(make_client, user)
        for path in ("/api/v1/outbox", "/api/v1/webhooks", "/api/v1/outbox/1"):
            assert (await api.get(path)).status_code == 403, (role, path)
        browser = await builders.browser_session(make_client, user)
        for path in ("/admin/outbox", "/admin/webhooks"):
            assert (await browser.get(path)).status_code == 403, (role, path)


async def test_retry_is_admin_only_and_resets_attempts(
    make_client, smtp_down: Smtp, pinned: None, monkeypatch
) -> None:
    message_id = await _failed_message(monkeypatch)
    ops = await builders.user(Role.ops_manager)
    ops_api = await builders.api(make_client, ops)
    assert (await ops_api.get("/api/v1/outbox")).json()["total"] == 0  # not their region
    await builders.assign(ops, regions=[await _region_of(message_id)])
    listed = (await ops_api.get("/api/v1/outbox?status=failed")).json()
    assert listed["total"] == 1 and listed["items"][0]["id"] == message_id
    assert (await ops_api.post(f"/api/v1/outbox/{message_id}/retry")).status_code == 403
    admin = await builders.user(Role.admin)
    admin_api = await builders.api(make_client, admin)
    retried = await admin_api.post(f"/api/v1/outbox/{message_id}/retry")
    assert retried.status_code == 200, retried.text
    assert retried.json()["status"] == "pending" and retried.json()["attempts"] == 0
    # Delivered once the server is back.
    smtp_down.start()
    clock.advance(timedelta(seconds=1))
    assert (await deliver_due()).sent == 1
    again = await admin_api.post(f"/api/v1/outbox/{message_id}/retry")
    assert again.status_code == 409
    assert (await admin_api.post("/api/v1/outbox/999999/retry")).status_code == 404


async def test_outbox_page_lists_failed_first_with_retry_for_admins(
    make_client, smtp_down: Smtp, pinned: None, monkeypatch
) -> None:
    message_id = await _failed_message(monkeypatch)
    admin = await builders.user(Role.admin)
    page = await (await builders.browser_session(make_client, admin)).get("/admin/outbox")
    assert page.status_code == 200
    assert f"/admin/outbox/{message_id}/retry" in page.text, page.text[-3000:]
    ops = await builders.user(Role.ops_manager)
    browser = await builders.browser_session(make_client, ops)
    # The ops manager has no region: the message of a site elsewhere is not theirs.
    assert f"/admin/outbox/{message_id}" not in (await browser.get("/admin/outbox")).text
    assert (await browser.get(f"/admin/outbox/{message_id}")).status_code == 404
    admin_browser = await builders.browser_session(make_client, admin)
    response = await builders.post_form(
        admin_browser, f"/admin/outbox/{message_id}/retry", {}, form_page="/admin/outbox"
    )
    assert response.status_code == 303


async def test_ops_manager_sees_messages_of_their_region(
    make_client, smtp_down: Smtp, pinned: None, monkeypatch
) -> None:
    message_id = await _failed_message(monkeypatch)
    region = await _region_of(message_id)
    ops = await builders.user(Role.ops_manager)
    await builders.assign(ops, regions=[region])
    api = await builders.api(make_client, ops)
    detail = await api.get(f"/api/v1/outbox/{message_id}")
    assert detail.status_code == 200 and "body_text" in detail.json()


async def test_preferences_api_and_page(make_client) -> None:
    cm = await builders.user(Role.community_manager)
    api = await builders.api(make_client, cm)
    prefs = {
        p["event"]: p["mode"]
        for p in (await api.get("/api/v1/me/notification-preferences")).json()["preferences"]
    }
    assert prefs["work_assigned"] == "immediate" and prefs["work_commented"] == "digest"
    assert "digest" not in prefs
    changed = await api.put(
        "/api/v1/me/notification-preferences", json={"preferences": {"work_commented": "off"}}
    )
    assert changed.status_code == 200
    assert {p["event"]: p["mode"] for p in changed.json()["preferences"]}["work_commented"] == "off"
    bad = await api.put(
        "/api/v1/me/notification-preferences", json={"preferences": {"work_commented": "loud"}}
    )
    assert bad.status_code == 422
    browser = await builders.browser_session(make_client, cm)
    page = await browser.get("/account/notifications")
    assert page.status_code == 200
    saved = await builders.post_form(
        browser,
        "/account/notifications",
        {"work_assigned": "digest"},
        form_page="/account/notifications",
    )
    assert saved.status_code == 303
    prefs = {
        p["event"]: p["mode"]
        for p in (await api.get("/api/v1/me/notification-preferences")).json()["preferences"]
    }
    assert prefs["work_assigned"] == "digest" and prefs["work_commented"] == "off"

"""Webhooks: signed deliveries to a real local receiver, retries, URL rules, the log."""

from __future__ import annotations

from datetime import timedelta

import pytest

from facilities.accounts.enums import Role
from facilities.kit import clock
from facilities.notifications import webhooks
from facilities.notifications.delivery import deliver_due
from facilities.settings import Environment, get_settings
from tests import builders
from tests import workorders_builders as wb
from tests.notifications.conftest import Receiver
from tests.notifications.helpers import outbox_rows


async def _endpoint(make_client, url: str, events: list[str]) -> tuple[dict, object]:
    admin = await builders.user(Role.admin)
    api = await builders.api(make_client, admin)
    response = await api.post(
        "/api/v1/webhooks", json={"name": "Chat", "url": url, "events": events}
    )
    assert response.status_code == 201, response.text
    return response.json(), api


async def test_delivery_is_signed_and_verifiable(
    make_client, receiver: Receiver, pinned: None
) -> None:
    created, api = await _endpoint(make_client, receiver.url, ["work_assigned"])
    secret = created["secret"]
    assert secret.startswith("whsec_")
    listed = (await api.get(f"/api/v1/webhooks/{created['id']}")).json()
    assert "secret" not in listed  # shown once only
    w = await wb.world()
    order = await wb.work_order(w.site.id, partner_organisation_id=w.partner_org_id)
    result = await deliver_due()
    assert result.sent >= 1
    (request,) = receiver.requests
    headers = {k.lower(): v for k, v in request["headers"].items()}
    assert headers["x-facilities-event"] == "work_assigned"
    assert headers["x-facilities-timestamp"] == str(int(clock.now().timestamp()))
    assert webhooks.verify(
        secret,
        headers["x-facilities-timestamp"],
        request["body"],
        headers["x-facilities-signature"],
    )
    assert not webhooks.verify(
        "whsec_wrong",
        headers["x-facilities-timestamp"],
        request["body"],
        headers["x-facilities-signature"],
    )
    body = receiver.bodies()[0]
    assert body["event"] == "work_assigned"
    assert body["data"]["work_order_id"] == order.id and "magic_link" not in body["data"]
    log = (await api.get(f"/api/v1/webhooks/{created['id']}/deliveries")).json()
    assert [entry["status_code"] for entry in log] == [200]


async def test_failed_delivery_is_retried_with_backoff(
    make_client, receiver: Receiver, pinned: None
) -> None:
    created, api = await _endpoint(make_client, receiver.url, ["work_assigned"])
    receiver.statuses.extend([500, 503])
    w = await wb.world()
    await wb.work_order(w.site.id, partner_organisation_id=w.partner_org_id)
    await deliver_due()
    (row,) = await outbox_rows(kind="webhook")
    assert row["status"] == "pending" and row["last_error"] == "HTTP 500"
    clock.advance(timedelta(minutes=1, seconds=1))
    await deliver_due()
    clock.advance(timedelta(minutes=2, seconds=1))
    await deliver_due()
    (row,) = await outbox_rows(kind="webhook")
    assert row["status"] == "sent" and row["attempts"] == 3
    assert len(receiver.requests) == 3
    assert len({r["body"] for r in receiver.requests}) == 1  # the same payload each time
    log = (await api.get(f"/api/v1/webhooks/{created['id']}/deliveries")).json()
    assert sorted(entry["status_code"] for entry in log) == [200, 500, 503]
    page = await (await builders.browser_session(make_client, await builders.user(Role.admin))).get(
        f"/admin/webhooks/{created['id']}"
    )
    assert page.status_code == 200 and "503" in page.text


@pytest.mark.parametrize(
    "url", ["ftp://example.com/hook", "javascript:alert(1)", "example.com/hook", "http://"]
)
async def test_url_must_be_http(make_client, url: str) -> None:
    admin = await builders.user(Role.admin)
    api = await builders.api(make_client, admin)
    response = await api.post(
        "/api/v1/webhooks", json={"name": "x", "url": url, "events": ["digest"]}
    )
    assert response.status_code == 422
    assert response.json()["fields"][0]["field"] == "url"


@pytest.mark.parametrize(
    "url",
    [
        "http://127.0.0.1:8080/hook",
        "http://localhost/hook",
        "http://10.1.2.3/hook",
        "http://192.168.0.10/hook",
        "http://169.254.169.254/latest/meta-data",
        "http://[::1]/hook",
        "http://0.0.0.0/hook",
    ],
)
async def test_private_targets_are_refused_in_production(
    make_client, monkeypatch, url: str
) -> None:
    admin = await builders.user(Role.admin)
    api = await builders.api(make_client, admin)
    monkeypatch.setattr(get_settings(), "env", Environment.production)
    response = await api.post(
        "/api/v1/webhooks", json={"name": "x", "url": url, "events": ["work_assigned"]}
    )
    assert response.status_code == 422, response.text
    assert response.json()["fields"][0]["field"] == "url"


async def test_loopback_allowed_in_test_mode_but_rechecked_at_delivery(
    make_client, receiver: Receiver, monkeypatch, pinned: None
) -> None:
    await _endpoint(make_client, receiver.url, ["work_assigned"])  # allowed: test mode
    w = await wb.world()
    await wb.work_order(w.site.id, partner_organisation_id=w.partner_org_id)
    monkeypatch.setattr(get_settings(), "env", Environment.production)  # e.g. DNS rebinding
    await deliver_due()
    (row,) = await outbox_rows(kind="webhook")
    assert row["status"] == "pending" and "loopback" in row["last_error"]
    assert receiver.requests == []


async def test_webhook_pages_create_shows_secret_once_and_bad_url_names_field(make_client) -> None:
    admin = await builders.user(Role.admin)
    client = await builders.browser_session(make_client, admin)
    bad = await builders.post_form(
        client,
        "/admin/webhooks",
        {"name": "x", "url": "ftp://x", "events": "work_assigned"},
        form_page="/admin/webhooks",
    )
    assert bad.status_code == 422 and "http" in bad.text
    good = await builders.post_form(
        client,
        "/admin/webhooks",
        {
            "name": "Chat",
            "url": "https://chat.example.com/hook",
            "events": ["work_assigned", "sla_breached"],
        },
        form_page="/admin/webhooks",
    )
    assert good.status_code == 201 and "whsec_" in good.text
    again = await client.get("/admin/webhooks")
    assert "whsec_" not in again.text and "chat.example.com" in again.text

"""The integration endpoints page: list, create (secret shown once), rotate, delivery log."""

from __future__ import annotations

import re
from typing import Any

from facilities.accounts.enums import Role
from tests import builders


async def test_create_shows_the_secret_once_rotate_and_log(make_client: Any) -> None:
    region = await builders.region()
    site = await builders.site(region.id, code="CW-1")
    ops = await builders.user(Role.ops_manager)
    await builders.assign(ops, regions=[region.id])
    client = await builders.browser_session(make_client, ops)
    token = await builders.csrf(client, "/integrations")
    made = await client.post(
        "/integrations/ticket-endpoints",
        data={"_csrf_token": token, "name": "Nexudus help desk", "site_ids": str(site.id)},
    )
    assert made.status_code == 200, made.text
    secret = re.search(r'<code class="secret"[^>]*>([^<]+)</code>', made.text)
    assert secret and len(secret.group(1)) >= 32
    listed = await client.get("/integrations")
    assert "Nexudus help desk" in listed.text and secret.group(1) not in listed.text
    endpoint_id = int(re.search(r"/integrations/ticket-endpoints/(\d+)", listed.text).group(1))  # type: ignore[union-attr]
    # a ticket comes in; the delivery log shows it
    ticket = {"ticket_id": "T-77", "site_code": "CW-1", "description": "Wi-Fi is down"}
    sent = await make_client(authorization=f"Bearer {secret.group(1)}").post(
        f"/api/v1/tickets/{endpoint_id}", json=ticket
    )
    assert sent.status_code == 200, sent.text
    log = await client.get(f"/integrations/ticket-endpoints/{endpoint_id}")
    assert "T-77" in log.text and "New problem report" in log.text
    rotated = await client.post(
        f"/integrations/ticket-endpoints/{endpoint_id}/rotate", data={"_csrf_token": token}
    )
    fresh = re.search(r'<code class="secret"[^>]*>([^<]+)</code>', rotated.text)
    assert fresh and fresh.group(1) != secret.group(1)
    # no site ticked: the form names the field, nothing is made
    refused = await client.post(
        "/integrations/ticket-endpoints", data={"_csrf_token": token, "name": "Empty"}
    )
    assert refused.status_code == 422 and 'class="field has-error"' in refused.text

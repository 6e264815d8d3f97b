"""Sessions, API tokens, password reset by e-mail (real SMTP server), users, audit."""

from __future__ import annotations

import asyncio
import re
import socket
from collections.abc import AsyncIterator
from datetime import timedelta
from email import message_from_bytes
from email.message import Message

import pytest
from aiosmtpd.controller import Controller

from facilities.accounts import cache
from facilities.accounts.enums import Role
from facilities.accounts.tables import ApiToken, AuditEvent, User, UserSession
from facilities.kit import clock
from facilities.kit.security import token_hash
from facilities.settings import get_settings
from tests import builders


class Inbox:
    def __init__(self) -> None:
        self.messages: list[Message] = []
        self.received = asyncio.Event()

    async def handle_DATA(self, server, session, envelope):
        self.messages.append(message_from_bytes(envelope.content))
        return "250 OK"


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture
async def smtp(monkeypatch) -> AsyncIterator[Inbox]:
    inbox = Inbox()
    port = _free_port()
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    settings = get_settings()
    monkeypatch.setattr(settings, "smtp_host", "127.0.0.1")
    monkeypatch.setattr(settings, "smtp_port", port)
    try:
        yield inbox
    finally:
        controller.stop()


async def test_session_survives_a_restart_and_is_shared_by_replicas(make_client, app) -> None:
    from facilities.app import create_app

    user = await builders.user(Role.viewer)
    client = await builders.browser_session(make_client, user)
    cookie = client.cookies.get("facilities_session")
    # Only the hash is stored.
    assert not await UserSession.exists().where(UserSession.token_hash == cookie)
    assert await UserSession.exists().where(UserSession.token_hash == token_hash(cookie))
    import httpx

    cache.clear()  # a fresh process has no cache
    other_replica = create_app()
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=other_replica), base_url="http://testserver"
    ) as second:
        second.cookies.set("facilities_session", cookie)
        response = await second.get("/api/v1/me")
    assert response.status_code == 200
    assert response.json()["email"] == user.email


async def test_session_cookie_flags(make_client) -> None:
    user = await builders.user(Role.viewer)
    client = make_client()
    token = await builders.csrf(client)
    response = await client.post(
        "/login", data={"email": user.email, "password": builders.PASSWORD, "_csrf_token": token}
    )
    header = next(
        h for h in response.headers.get_list("set-cookie") if h.startswith("facilities_session=")
    )
    assert "HttpOnly" in header
    assert "SameSite=lax" in header or "SameSite=Lax" in header
    assert "Path=/" in header


async def test_login_redirect_target_must_be_local(make_client) -> None:
    user = await builders.user(Role.viewer)
    client = make_client()
    token = await builders.csrf(client)
    response = await client.post(
        "/login",
        data={
            "email": user.email,
            "password": builders.PASSWORD,
            "_csrf_token": token,
            "next": "https://evil.example/",
        },
    )
    assert response.status_code == 303
    assert response.headers["location"] == "/"


async def test_logout_ends_the_session(make_client) -> None:
    user = await builders.user(Role.viewer)
    client = await builders.browser_session(make_client, user)
    token = await builders.csrf(client, "/account")
    response = await client.post("/logout", data={"_csrf_token": token})
    assert response.status_code == 303
    assert await UserSession.count().where(UserSession.user == user.id) == 0
    response = await client.get("/account")
    assert response.status_code == 302


async def test_api_token_lifecycle(make_client) -> None:
    user = await builders.user(Role.viewer)
    secret = await builders.token(user)
    assert not await ApiToken.exists().where(ApiToken.token_hash == secret)
    api = make_client(authorization=f"Bearer {secret}")
    assert (await api.get("/api/v1/me")).status_code == 200
    listed = (await api.get("/api/v1/tokens")).json()
    assert [t["prefix"] for t in listed] == [secret[:10]]
    # Another user's token id is 404 to me.
    stranger = await builders.user(Role.viewer)
    stranger_secret = await builders.token(stranger)
    stranger_id = (
        await make_client(authorization=f"Bearer {stranger_secret}").get("/api/v1/tokens")
    ).json()[0]["id"]
    assert (await api.delete(f"/api/v1/tokens/{stranger_id}")).status_code == 404
    # Revoking mine locks me out at once.
    assert (await api.delete(f"/api/v1/tokens/{listed[0]['id']}")).status_code == 204
    response = await api.get("/api/v1/me")
    assert response.status_code == 401
    assert "revoked" in response.json()["message"]


async def test_expired_api_token_is_refused(make_client) -> None:
    user = await builders.user(Role.viewer)
    secret = await builders.token(user)
    await ApiToken.update({ApiToken.expires_at: clock.now() - timedelta(minutes=1)}).where(
        ApiToken.user == user.id
    )
    assert (
        await make_client(authorization=f"Bearer {secret}").get("/api/v1/me")
    ).status_code == 401


async def test_token_has_the_same_scope_as_its_user(make_client) -> None:
    own, other = await builders.region(), await builders.region()
    mine, foreign = await builders.site(own.id), await builders.site(other.id)
    ops = await builders.user(Role.ops_manager)
    await builders.assign(ops, regions=[own.id])
    api = await builders.api(make_client, ops)
    codes = [s["code"] for s in (await api.get("/api/v1/sites")).json()["items"]]
    assert codes == [mine.code]
    assert foreign.code not in codes


async def test_deactivated_user_loses_access(make_client) -> None:
    admin = await builders.user(Role.admin)
    user = await builders.user(Role.viewer)
    api_user = await builders.api(make_client, user)
    assert (await api_user.get("/api/v1/me")).status_code == 200
    api_admin = await builders.api(make_client, admin)
    response = await api_admin.patch(f"/api/v1/users/{user.id}", json={"active": False})
    assert response.status_code == 200
    assert (await api_user.get("/api/v1/me")).status_code == 401


async def test_partner_user_needs_a_partner_organisation(make_client) -> None:
    api = await builders.api(make_client, await builders.user(Role.admin))
    response = await api.post(
        "/api/v1/users", json={"email": "p@example.com", "name": "P", "role": "partner"}
    )
    assert response.status_code == 422
    assert response.json()["fields"][0]["field"] == "partner_organisation_id"


async def test_duplicate_email_is_a_conflict(make_client) -> None:
    api = await builders.api(make_client, await builders.user(Role.admin))
    await builders.user(Role.viewer, email="same@example.com")
    response = await api.post(
        "/api/v1/users", json={"email": "SAME@example.com", "name": "S", "role": "viewer"}
    )
    assert response.status_code == 409
    assert response.json()["fields"][0]["field"] == "email"


async def test_password_reset_by_email(make_client, smtp: Inbox) -> None:
    user = await builders.user(Role.viewer, locale="de")
    client = make_client()
    token = await builders.csrf(client, "/password-reset")
    response = await client.post(
        "/password-reset", data={"email": user.email, "_csrf_token": token}
    )
    assert response.status_code == 200
    assert "If an account exists" in response.text
    assert len(smtp.messages) == 1
    message = smtp.messages[0]
    assert message["To"] == user.email
    body = message.get_payload(decode=True).decode()
    link = re.search(r"http://testserver(/password-reset/\S+)", body)
    assert link, body
    # An unknown address gets the same answer and no mail.
    token = await builders.csrf(client, "/password-reset")
    response = await client.post(
        "/password-reset", data={"email": "ghost@example.com", "_csrf_token": token}
    )
    assert "If an account exists" in response.text
    assert len(smtp.messages) == 1
    # Use the link: mismatch first, then a good password.
    token = await builders.csrf(client, link.group(1))
    response = await client.post(
        link.group(1),
        data={"password": "new password 123", "password_repeat": "other", "_csrf_token": token},
    )
    assert response.status_code == 422
    response = await client.post(
        link.group(1),
        data={
            "password": "new password 123",
            "password_repeat": "new password 123",
            "_csrf_token": token,
        },
    )
    assert response.status_code == 303
    signed_in = await builders.browser_session(make_client, user, password="new password 123")
    assert (await signed_in.get("/api/v1/me")).status_code == 200
    # The link works once.
    response = await client.post(
        link.group(1),
        data={
            "password": "third password 1",
            "password_repeat": "third password 1",
            "_csrf_token": token,
        },
    )
    assert response.status_code == 400
    assert "invalid or has expired" in response.text


async def test_password_reset_works_when_smtp_is_down(make_client, monkeypatch) -> None:
    """The visitor gets the same answer; the failure is logged without secrets."""
    monkeypatch.setattr(get_settings(), "smtp_port", _free_port())
    user = await builders.user(Role.viewer)
    client = make_client()
    token = await builders.csrf(client, "/password-reset")
    response = await client.post(
        "/password-reset", data={"email": user.email, "_csrf_token": token}
    )
    assert response.status_code == 200
    assert "If an account exists" in response.text


async def test_every_write_is_audited_with_before_and_after(make_client) -> None:
    region = await builders.region()
    site = await builders.site(region.id, name="Before name")
    admin = await builders.user(Role.admin)
    api = await builders.api(make_client, admin)
    response = await api.patch(f"/api/v1/sites/{site.id}", json={"name": "After name", "desks": 12})
    assert response.status_code == 200
    event = (
        await AuditEvent.select()
        .where(AuditEvent.action == "site.update")
        .output(load_json=True)
        .first()
    )
    assert event["actor"] == admin.id
    assert event["site_id"] == site.id
    assert event["before"] == {"name": "Before name", "desks": None}
    assert event["after"] == {"name": "After name", "desks": 12}


async def test_audit_is_scoped_for_ops_managers(make_client) -> None:
    own, other = await builders.region(), await builders.region()
    mine, foreign = await builders.site(own.id), await builders.site(other.id)
    ops = await builders.user(Role.ops_manager)
    await builders.assign(ops, regions=[own.id])
    api = await builders.api(make_client, ops)
    events = (await api.get("/api/v1/audit", params={"object_type": "site"})).json()["items"]
    site_ids = {e["site_id"] for e in events}
    assert mine.id in site_ids
    assert foreign.id not in site_ids
    cm = await builders.user(Role.community_manager)
    assert (await (await builders.api(make_client, cm)).get("/api/v1/audit")).status_code == 403


async def test_audit_never_stores_passwords(make_client) -> None:
    admin = await builders.user(Role.admin)
    user = await builders.user(Role.viewer)
    api = await builders.api(make_client, admin)
    assert (
        await api.patch(f"/api/v1/users/{user.id}", json={"password": "brand new secret"})
    ).status_code == 200
    rows = await AuditEvent.select(AuditEvent.before, AuditEvent.after).run()
    dump = repr(rows)
    assert "brand new secret" not in dump
    assert "argon2" not in dump
    stored = await User.select(User.password_hash).where(User.id == user.id).first()
    assert stored["password_hash"].startswith("$argon2")

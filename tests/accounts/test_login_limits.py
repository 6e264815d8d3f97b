"""The failed-sign-in limit (issue 9, item 3): per account and client address, with a much
higher ceiling per address; the refusal says how long to wait; only keyed hashes stored."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from facilities import db
from facilities.accounts import actions
from facilities.accounts.enums import Role
from facilities.kit import clock
from facilities.kit.errors import RateLimited
from facilities.settings import get_settings
from tests import builders

T0 = datetime(2027, 3, 1, 9, 0, tzinfo=UTC)
OFFICE = "10.1.2.3"  # the address of the test clients (tests/conftest.py)


async def _login(client, email: str, password: str, **headers: str):  # type: ignore[no-untyped-def]
    token = await builders.csrf(client)
    return await client.post(
        "/login",
        data={"email": email, "password": password, "_csrf_token": token, "next": "/"},
        headers=headers,
    )


async def test_wrong_passwords_for_one_account_do_not_lock_out_the_office(make_client) -> None:  # type: ignore[no-untyped-def]
    alice = await builders.user(Role.community_manager)
    bob = await builders.user(Role.community_manager)
    client = make_client()
    with clock.pinned(T0):
        for _ in range(get_settings().login_attempts):
            failed = await _login(client, alice.email, "wrong password!")
            assert failed.status_code == 401
        refused = await _login(client, alice.email, builders.PASSWORD)
        # Bob, at the next desk in the same coworking space, still signs in.
        bob_in = await _login(make_client(), bob.email, builders.PASSWORD)
    assert bob_in.status_code == 303
    assert refused.status_code == 429
    assert refused.headers["Retry-After"] == str(15 * 60)
    assert "wait 15 minutes" in refused.text
    # Alice from another address is not locked out either.
    with clock.pinned(T0):
        elsewhere = await actions.sign_in(
            email=alice.email, password=builders.PASSWORD, client="192.0.2.7"
        )
    assert elsewhere.user_id == alice.id
    # Ten minutes later: five minutes to go, in the reader's language.
    with clock.pinned(T0 + timedelta(minutes=10)):
        german = await _login(
            make_client(), alice.email, builders.PASSWORD, **{"accept-language": "de"}
        )
    assert german.status_code == 429
    assert german.headers["Retry-After"] == str(5 * 60)
    assert "5 Minuten" in german.text
    with clock.pinned(T0 + timedelta(minutes=15, seconds=1)):
        assert (await _login(make_client(), alice.email, builders.PASSWORD)).status_code == 303


async def test_a_much_higher_ceiling_per_address_stops_password_spraying(
    make_client, monkeypatch: pytest.MonkeyPatch
) -> None:  # type: ignore[no-untyped-def]
    assert get_settings().login_address_attempts == 100  # the documented default
    monkeypatch.setattr(get_settings(), "login_address_attempts", 12)
    victim = await builders.user(Role.viewer)
    with clock.pinned(T0):
        for n in range(12):  # a few tries at many accounts: under each account's limit
            with pytest.raises(Exception) as failed:
                await actions.sign_in(email=f"user{n % 4}@example.com", password="x", client=OFFICE)
            assert not isinstance(failed.value, RateLimited)
        with pytest.raises(RateLimited) as refused:
            await actions.sign_in(email=victim.email, password=builders.PASSWORD, client=OFFICE)
        assert refused.value.retry_after == 15 * 60
        # Another address is not affected.
        assert await actions.sign_in(
            email=victim.email, password=builders.PASSWORD, client="192.0.2.7"
        )
    # Only keyed hashes are stored, never an address or an e-mail.
    keys = [r["key"] for r in await db.raw("SELECT key FROM login_attempt")]
    assert keys and not any(OFFICE in k or "@" in k for k in keys)

"""Password hashing: production parameters stay strong; tests use cheap ones on purpose."""

from __future__ import annotations

import pytest

from facilities.kit import security
from facilities.settings import Environment, get_settings


def test_production_hashes_use_rfc_9106_low_memory_parameters(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(get_settings(), "env", Environment.production)
    hasher = security._hasher.__wrapped__()  # the uncached factory, as production builds it
    encoded = hasher.hash("correct horse battery staple")
    assert encoded.startswith("$argon2id$v=19$m=65536,t=3,p=4$")
    assert security.PRODUCTION_PARAMETERS.memory_cost >= 64 * 1024
    assert security.PRODUCTION_PARAMETERS.time_cost >= 3


def test_development_uses_production_parameters(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(get_settings(), "env", Environment.development)
    assert security._hasher.__wrapped__().memory_cost == 65536


def test_cheap_test_hash_still_verifies_and_rejects() -> None:
    encoded = security.hash_password("s3cret-password")
    assert security.verify_password(encoded, "s3cret-password")
    assert not security.verify_password(encoded, "wrong")
    assert not security.verify_password(None, "s3cret-password")
    assert not security.verify_password("not-a-hash", "s3cret-password")


def test_a_production_hash_verifies_under_test_parameters(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(get_settings(), "env", Environment.production)
    strong = security._hasher.__wrapped__()
    encoded = strong.hash("pw-0123456789")
    assert security.verify_password(encoded, "pw-0123456789")  # parameters come from the hash

"""Tokens and password hashing (argon2). Only hashes of tokens are ever stored."""

from __future__ import annotations

import hashlib
import hmac
import secrets
from functools import cache

from argon2 import PasswordHasher, profiles
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError

from facilities.settings import Environment, get_settings

# Production: argon2-cffi's default, RFC 9106's low-memory profile (3 passes, 64 MiB,
# 4 lanes; ~50 ms on a server core). Tests only: the cheapest valid parameters, because
# builders hash a password for every user they make (0.8 s each on a loaded 2-core machine).
# Hashes record their parameters, so a test hash never verifies in production without a rehash.
PRODUCTION_PARAMETERS = profiles.RFC_9106_LOW_MEMORY
_TEST_PARAMETERS = profiles.CHEAPEST


@cache
def _hasher() -> PasswordHasher:
    test = get_settings().env is Environment.test
    return PasswordHasher.from_parameters(_TEST_PARAMETERS if test else PRODUCTION_PARAMETERS)


@cache
def _dummy_hash() -> str:
    """A real hash to verify against when the user does not exist (constant-ish timing)."""
    return _hasher().hash("facilities-dummy-password")


def hash_password(password: str) -> str:
    return _hasher().hash(password)


def verify_password(password_hash: str | None, password: str) -> bool:
    try:
        verified = _hasher().verify(password_hash or _dummy_hash(), password)
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return False
    return verified and password_hash is not None


def needs_rehash(password_hash: str) -> bool:
    return _hasher().check_needs_rehash(password_hash)


def new_token(nbytes: int = 32) -> str:
    return secrets.token_urlsafe(nbytes)


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def keyed_hash(secret: str, value: str) -> str:
    """An HMAC of a value we must compare but must not store (e.g. an IP address)."""
    return hmac.new(secret.encode(), value.encode(), hashlib.sha256).hexdigest()[:32]


def sign(secret: str, payload: str) -> str:
    mac = hmac.new(secret.encode(), payload.encode(), hashlib.sha256).hexdigest()[:32]
    return f"{payload}.{mac}"


def unsign(secret: str, signed: str) -> str | None:
    payload, _, mac = signed.rpartition(".")
    if not payload:
        return None
    expected = hmac.new(secret.encode(), payload.encode(), hashlib.sha256).hexdigest()[:32]
    return payload if hmac.compare_digest(mac, expected) else None

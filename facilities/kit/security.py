"""Tokens and password hashing (argon2). Only hashes of tokens are ever stored."""

from __future__ import annotations

import hashlib
import hmac
import secrets

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError

_hasher = PasswordHasher()
# A real hash to verify against when the user does not exist (constant-ish timing).
_DUMMY_HASH = _hasher.hash("facilities-dummy-password")


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def verify_password(password_hash: str | None, password: str) -> bool:
    try:
        return _hasher.verify(password_hash or _DUMMY_HASH, password) and password_hash is not None
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return False


def needs_rehash(password_hash: str) -> bool:
    return _hasher.check_needs_rehash(password_hash)


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

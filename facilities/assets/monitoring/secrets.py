"""A source's secret, derived instead of stored.

``secret = "dsk_" + base64url(HMAC-SHA256(app secret key, "device-source:<id>:<generation>"))``

The database holds only its SHA-256 (to find the source of a bearer token) and the last
four characters (a hint on the page). The server can recompute the secret to check an
HMAC signature, so a leaked database reveals no secret; rotating bumps ``generation``, which
invalidates the old secret at once. Comparisons are constant-time.
"""

from __future__ import annotations

import base64
import functools
import hashlib
import hmac

from facilities.kit.security import token_hash
from facilities.settings import get_settings

PREFIX = "dsk_"


def derive(source_id: int, generation: int) -> str:
    return _derive(get_settings().resolved_secret_key(), source_id, generation)


@functools.lru_cache(maxsize=4096)
def _derive(key: str, source_id: int, generation: int) -> str:
    """Cached per (app key, source, generation): ingestion checks it on every delivery; a
    rotation bumps ``generation``, so a cached secret of the old one is never asked for."""
    mac = hmac.new(key.encode(), f"device-source:{source_id}:{generation}".encode(), hashlib.sha256)
    return PREFIX + base64.urlsafe_b64encode(mac.digest()).decode().rstrip("=")


def digest(secret: str) -> str:
    return token_hash(secret)


def matches(source_id: int, generation: int, offered: str) -> bool:
    return hmac.compare_digest(derive(source_id, generation), offered)


def signature(secret: str, timestamp: str, body: bytes) -> str:
    """``sha256=<hex>`` of HMAC-SHA256(secret, ``<timestamp>.<body>``)."""
    mac = hmac.new(secret.encode(), timestamp.encode() + b"." + body, hashlib.sha256)
    return "sha256=" + mac.hexdigest()


def signature_matches(secret: str, timestamp: str, body: bytes, offered: str) -> bool:
    return hmac.compare_digest(signature(secret, timestamp, body), offered.strip())

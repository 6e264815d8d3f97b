"""A short-lived, per-process cache of resolved principals keyed by credential hash.

Saves the session/token lookup on hot paths. Entries live ``principal_cache_seconds``
(default 5 s), so a change made on another replica applies within that time; changes made
in this process clear the cache at once.
"""

from __future__ import annotations

import time

from facilities.accounts.principal import Principal

_MAX_ENTRIES = 10_000
_entries: dict[str, tuple[float, Principal]] = {}


def token_key(hashed: str) -> str:
    return "t:" + hashed


def session_key(hashed: str) -> str:
    return "s:" + hashed


def get(key: str) -> Principal | None:
    entry = _entries.get(key)
    if entry is None:
        return None
    if entry[0] < time.monotonic():
        _entries.pop(key, None)
        return None
    return entry[1]


def put(key: str, principal: Principal, ttl: float) -> None:
    if ttl <= 0:
        return
    if len(_entries) >= _MAX_ENTRIES:
        _entries.clear()
    _entries[key] = (time.monotonic() + ttl, principal)


def forget(key: str) -> None:
    _entries.pop(key, None)


def clear() -> None:
    _entries.clear()

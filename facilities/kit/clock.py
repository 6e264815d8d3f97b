"""The one source of "now". Tests pin it with ``pinned``."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

_pinned: datetime | None = None


def now() -> datetime:
    """The current time, timezone-aware, in UTC."""
    return _pinned if _pinned is not None else datetime.now(UTC)


@contextlib.contextmanager
def pinned(moment: datetime) -> Iterator[None]:
    """Freeze ``now()`` at ``moment`` (must be timezone-aware) inside the block."""
    global _pinned
    if moment.tzinfo is None:
        raise ValueError("pinned() needs a timezone-aware datetime")
    previous, _pinned = _pinned, moment.astimezone(UTC)
    try:
        yield
    finally:
        _pinned = previous


def advance(delta: timedelta) -> None:
    """Move a pinned clock forward (tests only)."""
    global _pinned
    if _pinned is None:
        raise RuntimeError("advance() needs a pinned clock")
    _pinned = _pinned + delta

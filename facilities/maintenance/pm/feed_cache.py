"""What makes iCal feeds cheap to poll: a version stamp of everything a feed shows, the
rendered feed cached per feed and stamp, and a content tag (``ETag``) for ``304``.

Calendar clients poll a feed every few minutes. Building one means reading planned occurrences and
rendering thousands of events, so a poll first asks the database for a **stamp**: one
round trip of aggregates that indexes answer without reading the big tables (the newest
``updated_at`` and the highest id of work orders, schedules and assets — indexes
``work_order_updated``, ``pm_schedule_updated``, ``asset_updated`` —, and of sites; the
highest occurrence and meter-reading ids; the schedules' count and the sum of their versions
over the index ``pm_schedule_version``; counts of the small tables: schedules' sites, sites,
closure days) plus the feed's window (it moves by the hour). At 20,000 schedules that is
~1.5 ms on SQLite, where reading the schedules and assets themselves took ~13 ms. Nothing
in a feed can change without changing the stamp: an edit bumps an ``updated_at`` or a
schedule's version, a new row a maximum id, a removal a count (work orders, occurrences and
readings are never deleted, only cancelled). Entries that other
domains add to the agenda (safety's inspections) come with their provider's own version
query (``agenda.register_provider(..., version=...)``), part of the key beside the stamp.
Same stamp and versions → the cached answer, without touching the agenda.

A changed stamp rebuilds the agenda; the **ETag** is a hash of the events themselves (not of
the rendered bytes, whose DTSTAMP is "now"), so a change elsewhere in the network leaves a
feed's tag alone and its clients keep getting ``304 Not Modified``. ``Last-Modified`` is when
this process first saw the current content.

The cache is per process and per feed (by its token's hash), bounded by ``MAX_BYTES`` (least
recently used feeds leave first); several processes each keep their own and agree on the tags.
"""

from __future__ import annotations

import hashlib
from collections import OrderedDict
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from facilities.maintenance.pm import agenda
from facilities.maintenance.pm.versions import stamp

__all__ = ["MAX_BYTES", "Rendered", "clear", "get", "previous", "put", "stamp", "tag"]

MAX_BYTES = 32 * 1024 * 1024


def tag(name: str, items: list[agenda.Item]) -> str:
    """A strong ETag from the events a feed holds (same events → same tag)."""
    digest = hashlib.sha256(name.encode())
    for item in items:
        digest.update(repr(item).encode())
    return '"' + digest.hexdigest()[:32] + '"'


@dataclass(frozen=True, slots=True)
class Rendered:
    key: tuple[Any, ...]  # the feed's scope, window and stamp it was built for
    etag: str
    last_modified: datetime
    body: bytes
    events: int
    truncated: bool


_cache: OrderedDict[str, Rendered] = OrderedDict()
_size = 0


def get(feed: str, key: tuple[Any, ...]) -> Rendered | None:
    found = _cache.get(feed)
    if found is None or found.key != key:
        return None
    _cache.move_to_end(feed)
    return found


def previous(feed: str) -> Rendered | None:
    """The last answer built for a feed, whatever its key (to keep its tag and date)."""
    return _cache.get(feed)


def put(feed: str, rendered: Rendered) -> None:
    global _size
    old = _cache.pop(feed, None)
    if old is not None:
        _size -= len(old.body)
    _cache[feed] = rendered
    _size += len(rendered.body)
    while _size > MAX_BYTES and len(_cache) > 1:
        _, dropped = _cache.popitem(last=False)
        _size -= len(dropped.body)


def clear() -> None:
    global _size
    _cache.clear()
    _size = 0

"""iCal feeds (RFC 5545, ``icalendar``) behind a secret, revocable token URL."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from functools import lru_cache
from zoneinfo import ZoneInfo

from icalendar import Timezone
from icalendar.timezone.tzid import tzid_from_tzinfo

from facilities.accounts import queries as account_queries
from facilities.kit import clock
from facilities.kit.errors import NotFound
from facilities.kit.i18n import _
from facilities.maintenance.pm import agenda, agenda_scope, feed_cache
from facilities.maintenance.pm.actions import token_hash
from facilities.maintenance.tables import CalendarFeed

# The window a feed shows (documented in docs/architecture.md, "Calendar feeds"): from the
# start of the current hour to 90 days ahead (so a feed keeps its content, and its cache, for
# the hour). Nothing of the past: calendar apps keep the events they have already seen.
PAST = timedelta(0)
HORIZON = timedelta(days=90)
# At most this many events per feed. A feed with more keeps the earliest ones and ends with
# one note event (at the time of the last one kept) saying how many were left out and that a
# feed per site or per partner shows them all.
MAX_EVENTS = 2_000


def window(now: datetime) -> tuple[datetime, datetime]:
    hour = now.astimezone(UTC).replace(minute=0, second=0, microsecond=0)
    return hour - PAST, hour + HORIZON


def limited(
    entries: list[agenda.Item], limit: int = MAX_EVENTS, total: int | None = None
) -> tuple[list[agenda.Item], bool]:
    """The first ``limit`` events (in time order), the last place taken by a note when
    some were left out; and whether that happened. ``total``: how many events there are in
    all when ``entries`` holds only the first ones (``agenda.first_items``)."""
    total = len(entries) if total is None else total
    if total <= limit:
        return entries, False
    kept = entries[: limit - 1]
    left_out = total - len(kept)
    last = kept[-1]
    note = agenda.Item(
        uid="feed-limit",
        title=_(
            "%(count)s more events are not in this feed (at most %(limit)s)."
            " Subscribe to a feed per site or per partner to see them."
        )
        % {"count": left_out, "limit": limit},
        start=last.start,
        minutes=agenda.DEFAULT_MINUTES,
        site_id=last.site_id,
        site_name=last.site_name,
        space_id=None,
        asset_id=None,
        work_order_id=None,
        status="planned",
    )
    return [*kept, note], True


async def feed(token: str) -> feed_cache.Rendered:
    """The feed's answer (cached while nothing in it changed); 404 for an unknown or revoked
    token, or when its creator is gone or deactivated. It shows at most what the creator
    may see now (the scope is evaluated at every fetch and is part of the cache key)."""
    hashed = token_hash(token)
    row = await CalendarFeed.select().where(CalendarFeed.token_hash == hashed).first()
    if row is None or row["revoked_at"] is not None:
        raise NotFound()
    creator = await account_queries.principal_for_link(row["created_by"])
    if creator is None:
        raise NotFound()
    scope = await agenda_scope.for_feed(
        creator, kind=row["kind"], site_id=row["site"], partner_id=row["partner_organisation"]
    )
    start, end = window(clock.now())
    key = (scope, start, await feed_cache.stamp(), await agenda.provided_version())
    cached = feed_cache.get(hashed, key)
    if cached is not None:
        return cached
    first, total = await agenda.first_items(start=start, end=end, scope=scope, limit=MAX_EVENTS)
    entries, truncated = limited(first, total=total)
    name = "Facilities"
    etag = feed_cache.tag(name, entries)
    before = feed_cache.previous(hashed)
    if before is not None and before.etag == etag:  # something else changed: same answer
        rendered = feed_cache.Rendered(
            key, etag, before.last_modified, before.body, before.events, before.truncated
        )
    else:
        body = render(entries, name=name)
        moment = clock.now().astimezone(UTC).replace(microsecond=0)
        rendered = feed_cache.Rendered(key, etag, moment, body, len(entries), truncated)
    feed_cache.put(hashed, rendered)
    return rendered


async def feed_for_token(token: str) -> bytes:
    """The feed's iCal text (see ``feed``)."""
    return (await feed(token)).body


def render(entries: list[agenda.Item], *, name: str) -> bytes:
    """One VEVENT per entry, its times on the wall clock of the entry's site (``TZID``),
    with a ``VTIMEZONE`` for every zone used (icalendar builds them from the tz database),
    so a calendar app shows the site's time whatever zone it runs in.

    The events are written directly as RFC 5545 text (escaped TEXT values, lines folded at
    75 octets, CRLF): icalendar's object model took ~90 % of an uncached feed's time (about
    1 ms per event). The output is what icalendar writes for the same events (the tests
    parse it back with ``icalendar``); only the zones' VTIMEZONEs come from icalendar,
    cached per zone and range of years."""
    stamp = clock.now()
    dtstamp = stamp.astimezone(UTC).strftime("%Y%m%dT%H%M%SZ")
    lines = [
        "BEGIN:VCALENDAR",
        "VERSION:2.0",
        "PRODID:-//Facilities//PM calendar//EN",
        _line("X-WR-CALNAME:", _text(name)),
    ]
    events: list[str] = []
    zones: list[str] = []
    for item in entries:
        zone = item.time_zone
        if zone not in zones:
            zones.append(zone)
        events += [
            "BEGIN:VEVENT",
            _line("SUMMARY:", _text(f"{item.title} ({item.site_name})")),
            "DTSTART" + _when(item.start, zone),
            "DTEND" + _when(item.end, zone),
            "DTSTAMP:" + dtstamp,
            _line("UID:", _text(f"{item.uid}@facilities")),
            _line("DESCRIPTION:", _text(item.status)),
            "STATUS:" + ("TENTATIVE" if item.status == "planned" else "CONFIRMED"),
            "END:VEVENT",
        ]
    # The zones' rules only for the years the feed can show (a compact VTIMEZONE).
    today = stamp.date()
    first, last = today.replace(month=1, day=1), (today + 2 * HORIZON).replace(day=1)
    for zone in sorted(zones):
        block = _vtimezone(zone, first, last)
        if block:
            lines.append(block)
    lines += events
    lines.append("END:VCALENDAR")
    return ("\r\n".join(lines) + "\r\n").encode()


# ---- the lean RFC 5545 writer ----------------------------------------------------------
_ESCAPES = str.maketrans({"\\": "\\\\", ";": "\\;", ",": "\\,", "\n": "\\n", "\r": ""})
# Control characters are not allowed in TEXT (RFC 5545 3.3.11), except HTAB.
_CONTROLS = dict.fromkeys([*range(0, 9), *range(11, 13), *range(14, 32), 127])


def _text(value: str) -> str:
    """A TEXT value, escaped (RFC 5545 3.3.11)."""
    return value.translate(_ESCAPES).translate(_CONTROLS)


def _line(name: str, value: str) -> str:
    """``name`` + ``value`` folded at 75 octets (RFC 5545 3.1), never inside a character."""
    line = name + value
    data = line.encode()
    if len(data) <= 75:
        return line
    parts = []
    start, limit = 0, 75
    while start < len(data):
        end = min(start + limit, len(data))
        while end < len(data) and (data[end] & 0xC0) == 0x80:  # a continuation byte
            end -= 1
        parts.append(data[start:end].decode())
        start, limit = end, 74  # a continuation line starts with one space
    return "\r\n ".join(parts)


@lru_cache(maxsize=256)
def _is_utc(zone: str) -> bool:
    return tzid_from_tzinfo(ZoneInfo(zone)) == "UTC"


@lru_cache(maxsize=256)
def _zone(zone: str) -> ZoneInfo:
    return ZoneInfo(zone)


def _when(moment: datetime, zone: str) -> str:
    """``;TZID=Europe/Berlin:20270105T090000`` (the site's wall clock), or ``:…Z`` in UTC."""
    if _is_utc(zone):
        return moment.astimezone(UTC).strftime(":%Y%m%dT%H%M%SZ")
    tzid = f'"{zone}"' if any(c in zone for c in ":;,") else zone
    return f";TZID={tzid}" + moment.astimezone(_zone(zone)).strftime(":%Y%m%dT%H%M%S")


@lru_cache(maxsize=256)
def _vtimezone(zone: str, first: date, last: date) -> str:
    """The zone's VTIMEZONE for ``[first, last]`` (icalendar, from the tz database), without
    its final line break; "" for UTC and for a zone icalendar does not know."""
    if _is_utc(zone):
        return ""
    try:
        block = Timezone.from_tzid(zone, first_date=first, last_date=last)
    except ValueError:
        return ""
    return bytes(block.to_ical()).decode().rstrip("\r\n")

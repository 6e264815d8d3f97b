"""iCal feeds (RFC 5545, ``icalendar``) behind a secret, revocable token URL."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from icalendar import Calendar, Event

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


def limited(entries: list[agenda.Item], limit: int = MAX_EVENTS) -> tuple[list[agenda.Item], bool]:
    """The first ``limit`` events (in time order), the last place taken by a note when
    some were left out; and whether that happened."""
    if len(entries) <= limit:
        return entries, False
    kept = entries[: limit - 1]
    left_out = len(entries) - len(kept)
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
    entries, truncated = limited(await agenda.items(start=start, end=end, scope=scope))
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
    so a calendar app shows the site's time whatever zone it runs in."""
    cal = Calendar()
    cal.add("prodid", "-//Facilities//PM calendar//EN")
    cal.add("version", "2.0")
    cal.add("x-wr-calname", name)
    stamp = clock.now()
    for item in entries:
        event = Event()
        event.add("uid", f"{item.uid}@facilities")
        event.add("dtstamp", stamp)
        zone = ZoneInfo(item.time_zone)
        event.add("dtstart", item.start.astimezone(zone))
        event.add("dtend", item.end.astimezone(zone))
        event.add("summary", f"{item.title} ({item.site_name})")
        event.add("status", "TENTATIVE" if item.status == "planned" else "CONFIRMED")
        event.add("description", item.status)
        cal.add_component(event)
    # The zones' rules only for the years the feed can show (a compact VTIMEZONE).
    today = stamp.date()
    cal.add_missing_timezones(
        first_date=today.replace(month=1, day=1), last_date=(today + 2 * HORIZON).replace(day=1)
    )
    return bytes(cal.to_ical())

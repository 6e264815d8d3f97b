"""iCal feeds (RFC 5545, ``icalendar``) behind a secret, revocable token URL."""

from __future__ import annotations

from datetime import timedelta
from zoneinfo import ZoneInfo

from icalendar import Calendar, Event

from facilities.accounts import queries as account_queries
from facilities.kit import clock
from facilities.kit.errors import NotFound
from facilities.maintenance.pm import agenda, agenda_scope
from facilities.maintenance.pm.actions import token_hash
from facilities.maintenance.tables import CalendarFeed

HORIZON = timedelta(days=90)


async def feed_for_token(token: str) -> bytes:
    """The feed's iCal text; 404 for an unknown or revoked token, or when its creator is
    gone or deactivated. It shows at most what the creator may see now."""
    row = await CalendarFeed.select().where(CalendarFeed.token_hash == token_hash(token)).first()
    if row is None or row["revoked_at"] is not None:
        raise NotFound()
    creator = await account_queries.principal_for_link(row["created_by"])
    if creator is None:
        raise NotFound()
    scope = await agenda_scope.for_feed(
        creator, kind=row["kind"], site_id=row["site"], partner_id=row["partner_organisation"]
    )
    now = clock.now()
    entries = await agenda.items(start=now, end=now + HORIZON, scope=scope)
    return render(entries, name="Facilities")


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

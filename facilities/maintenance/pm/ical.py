"""iCal feeds (RFC 5545, ``icalendar``) behind a secret, revocable token URL."""

from __future__ import annotations

from datetime import timedelta

from icalendar import Calendar, Event

from facilities.accounts.enums import Role
from facilities.accounts.principal import Principal
from facilities.accounts.tables import User
from facilities.kit import clock
from facilities.kit.errors import NotFound
from facilities.maintenance.pm import agenda
from facilities.maintenance.pm.actions import token_hash
from facilities.maintenance.tables import CalendarFeed
from facilities.sites import scope

HORIZON = timedelta(days=90)


async def feed_for_token(token: str) -> bytes:
    """The feed's iCal text; 404 for an unknown or revoked token."""
    row = await CalendarFeed.select().where(CalendarFeed.token_hash == token_hash(token)).first()
    if row is None or row["revoked_at"] is not None:
        raise NotFound()
    now = clock.now()
    site_ids: set[int] | None
    partner_id = None
    if row["kind"] == "site":
        site_ids = {row["site"]}
    elif row["kind"] == "partner":
        partner_id = row["partner_organisation"]
        site_ids = None
    else:
        user = await User.select().where(User.id == row["user"]).first()
        if user is None or not user["active"]:
            raise NotFound()
        principal = Principal(
            user_id=user["id"],
            email=user["email"],
            name=user["name"],
            role=Role(user["role"]),
            locale=user["locale"],
            partner_organisation_id=user["partner_organisation"],
            via="token",
            credential_id=0,
        )
        if principal.partner_organisation_id is not None:
            partner_id = principal.partner_organisation_id
            site_ids = None
        else:
            site_ids = await scope.visible_site_ids(principal)
    entries = await agenda.items(
        start=now, end=now + HORIZON, site_ids=site_ids, partner_id=partner_id
    )
    return render(entries, name="Facilities")


def render(entries: list[agenda.Item], *, name: str) -> bytes:
    cal = Calendar()
    cal.add("prodid", "-//Facilities//PM calendar//EN")
    cal.add("version", "2.0")
    cal.add("x-wr-calname", name)
    stamp = clock.now()
    for item in entries:
        event = Event()
        event.add("uid", f"{item.uid}@facilities")
        event.add("dtstamp", stamp)
        event.add("dtstart", item.start)
        event.add("dtend", item.end)
        event.add("summary", f"{item.title} ({item.site_name})")
        event.add("status", "TENTATIVE" if item.status == "planned" else "CONFIRMED")
        event.add("description", item.status)
        cal.add_component(event)
    return bytes(cal.to_ical())

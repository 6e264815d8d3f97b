"""The feeds' lean RFC 5545 writer (``ical.render``): what it writes parses back with
``icalendar`` to the same events, with escaped text, folded lines and the sites' zones."""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from icalendar import Calendar

from facilities.kit import clock
from facilities.maintenance.pm import agenda, ical

TITLES = [
    "Boiler, check; flue\\vent",
    "Two lines\nsecond line",
    "Wärmepumpe prüfen " + "ü" * 60,  # folded inside a run of two-byte characters
    "Tab\tand bell\x07 removed",
    "x" * 200,
]
ZONES = ["Europe/Berlin", "UTC", "America/New_York", "Asia/Kolkata", "Europe/Berlin"]


def _items() -> list[agenda.Item]:
    return [
        agenda.Item(
            uid=f"pm-{n}-7-2027010{n + 1}",
            title=title,
            start=datetime(2027, 1, n + 1, 8, 30, tzinfo=UTC),
            minutes=45,
            site_id=n,
            site_name=f"Site {n}, Mannheim",
            space_id=None,
            asset_id=7,
            work_order_id=None if n % 2 else n,
            status="planned" if n % 2 else "open",
            time_zone=zone,
        )
        for n, (title, zone) in enumerate(zip(TITLES, ZONES, strict=True))
    ]


def test_the_written_feed_parses_back_to_the_same_events() -> None:
    items = _items()
    with clock.pinned(datetime(2026, 12, 20, 9, 15, tzinfo=UTC)):
        body = ical.render(items, name="Ops region Nord")
    assert body.endswith(b"\r\n") and b"\n" not in body.replace(b"\r\n", b"")
    assert all(len(line) <= 75 for line in body.split(b"\r\n"))
    body.decode()  # folding never splits a character
    calendar = Calendar.from_ical(body)
    assert str(calendar["x-wr-calname"]) == "Ops region Nord"
    events = list(calendar.walk("VEVENT"))
    assert len(events) == len(items)
    for event, item in zip(events, items, strict=True):
        expected_title = item.title.replace("\x07", "")
        assert str(event["summary"]) == f"{expected_title} ({item.site_name})"
        assert str(event["uid"]) == f"{item.uid}@facilities"
        start, end = event.decoded("dtstart"), event.decoded("dtend")
        assert start == item.start and end == item.end
        assert start.utcoffset() == item.start.astimezone(ZoneInfo(item.time_zone)).utcoffset()
        if item.time_zone == "UTC":
            assert "TZID" not in event["dtstart"].params
        else:
            assert event["dtstart"].params["TZID"] == item.time_zone
        assert event.decoded("dtstamp") == datetime(2026, 12, 20, 9, 15, tzinfo=UTC)
        assert str(event["status"]) == ("TENTATIVE" if item.status == "planned" else "CONFIRMED")
        assert str(event["description"]) == item.status
    # One VTIMEZONE per zone used other than UTC, before the events.
    zones = [str(tz["tzid"]) for tz in calendar.walk("VTIMEZONE")]
    assert sorted(zones) == ["America/New_York", "Asia/Kolkata", "Europe/Berlin"]
    assert body.index(b"BEGIN:VTIMEZONE") < body.index(b"BEGIN:VEVENT")
    assert calendar.get_missing_tzids() == set()


def test_an_empty_feed_is_a_valid_calendar() -> None:
    calendar = Calendar.from_ical(ical.render([], name="Empty"))
    assert list(calendar.walk("VEVENT")) == [] and str(calendar["version"]) == "2.0"

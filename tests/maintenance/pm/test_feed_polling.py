"""Feeds that calendar clients can poll: a bounded window, a cached answer with ETag and
Last-Modified, 304 when unchanged, a rebuild when something in the feed changes, and a
stated limit on events."""

from __future__ import annotations

from datetime import timedelta

from icalendar import Calendar

from facilities import db
from facilities.kit import clock
from facilities.maintenance.pm import agenda, feed_cache, ical
from facilities.maintenance.pm.agenda_scope import AgendaScope
from facilities.maintenance.pm.generation import generate_due
from tests import assets_builders, builders
from tests.maintenance.pm import helpers
from tests.maintenance.pm.helpers import utc


async def _feed(make_client):  # type: ignore[no-untyped-def]
    world = await assets_builders.world()
    with clock.pinned(utc(2026, 12, 1)):
        asset = await assets_builders.asset(world.site.id)
        schedule = await helpers.schedule(
            asset_id=asset.id,
            rrule="FREQ=WEEKLY;BYDAY=TU",
            dtstart_local="2027-01-05T09:00:00",
            skip_closed_days=False,
        )
    client = await builders.api(make_client, world.cm)
    created = await client.post(
        "/api/v1/calendar-feeds", json={"kind": "site", "site_id": world.site.id}
    )
    assert created.status_code == 201, created.text
    return world, schedule, created.json()["url"].removeprefix("http://testserver")


def _count(body: bytes) -> int:
    return len(list(Calendar.from_ical(body).walk("VEVENT")))


async def test_unchanged_feed_answers_304_and_a_change_rebuilds_it(make_client) -> None:  # type: ignore[no-untyped-def]
    world, _schedule, path = await _feed(make_client)
    anonymous = make_client()
    with clock.pinned(utc(2027, 1, 2, 10, 5)):
        first = await anonymous.get(path)
        assert first.status_code == 200
        etag, modified = first.headers["etag"], first.headers["last-modified"]
        assert etag.startswith('"') and modified.endswith("GMT")
        assert _count(first.content) == 13
        again = await anonymous.get(path, headers={"If-None-Match": etag})
        assert again.status_code == 304 and again.content == b""
        assert again.headers["etag"] == etag
        since = await anonymous.get(path, headers={"If-Modified-Since": modified})
        assert since.status_code == 304
        stale = await anonymous.get(path, headers={"If-None-Match": '"something-else"'})
        assert stale.status_code == 200 and stale.content == first.content  # from the cache
    # Something in the feed changes: one of its occurrences becomes a work order.
    await generate_due(utc(2027, 1, 5, 8))
    with clock.pinned(utc(2027, 1, 2, 10, 20)):
        changed = await anonymous.get(path, headers={"If-None-Match": etag})
    assert changed.status_code == 200
    assert changed.headers["etag"] != etag
    statuses = [str(e.get("status")) for e in Calendar.from_ical(changed.content).walk("VEVENT")]
    assert statuses.count("CONFIRMED") == 1
    # A change elsewhere (another site's schedule) rebuilds but keeps the tag: still 304.
    foreign = await assets_builders.asset(world.other_site.id)
    await helpers.schedule(
        asset_id=foreign.id, rrule="FREQ=DAILY", dtstart_local="2027-01-05T09:00:00"
    )
    with clock.pinned(utc(2027, 1, 2, 10, 30)):
        elsewhere = await anonymous.get(path, headers={"If-None-Match": changed.headers["etag"]})
    assert elsewhere.status_code == 304


async def test_the_window_is_the_next_90_days_from_the_hour(make_client) -> None:  # type: ignore[no-untyped-def]
    _, schedule, path = await _feed(make_client)
    await generate_due(utc(2027, 1, 5, 8))  # 5 January is a work order now
    await db.raw("UPDATE work_order SET status = 'in_progress' WHERE schedule = {}", schedule.id)
    anonymous = make_client()
    with clock.pinned(utc(2027, 1, 11, 12, 40)):  # window: 11 January 12:00 … 11 April 12:00
        response = await anonymous.get(path)
    starts = sorted(
        e.decoded("dtstart") for e in Calendar.from_ical(response.content).walk("VEVENT")
    )
    assert starts[0].date().isoformat() == "2027-01-12"  # last week's order is not shown
    assert starts[-1].date().isoformat() == "2027-04-06"
    assert len(starts) == 13
    start, end = ical.window(utc(2027, 1, 11, 12, 40))
    assert (start, end) == (utc(2027, 1, 11, 12), utc(2027, 4, 11, 12))


def test_a_feed_stops_at_its_limit_with_a_note() -> None:
    first = utc(2027, 1, 1)
    entries = [
        agenda.Item(
            uid=f"pm-{n}",
            title="Check",
            start=first + timedelta(hours=n),
            minutes=30,
            site_id=1,
            site_name="Depot",
            space_id=None,
            asset_id=None,
            work_order_id=None,
            status="planned",
        )
        for n in range(12)
    ]
    kept, truncated = ical.limited(entries, limit=5)
    assert truncated and len(kept) == 5
    assert kept[:4] == entries[:4]
    assert kept[-1].uid == "feed-limit" and "8 more events" in kept[-1].title
    assert kept[-1].start == entries[3].start
    assert ical.limited(entries, limit=12) == (entries, False)
    assert ical.MAX_EVENTS == 2_000


def test_the_cache_is_bounded() -> None:
    feed_cache.clear()
    body = b"x" * (feed_cache.MAX_BYTES // 2 + 1)
    moment = utc(2027, 1, 1)
    for name in ("a", "b", "c"):
        feed_cache.put(name, feed_cache.Rendered((name,), '"t"', moment, body, 1, False))
    assert feed_cache.previous("a") is None and feed_cache.get("c", ("c",)) is not None
    assert feed_cache.get("c", ("other",)) is None
    feed_cache.clear()


async def test_the_first_events_are_those_of_the_whole_agenda() -> None:
    """``agenda.first_items`` (what a feed builds: the first events only, the rest counted)
    gives the first events of ``agenda.items`` in the same order, ties on the same start
    included, and the full count."""
    world = await assets_builders.world()
    with clock.pinned(utc(2026, 12, 1)):
        for n in range(3):  # three schedules at the same hour: ties on every start
            asset = await assets_builders.asset(world.site.id)
            await helpers.schedule(
                asset_id=asset.id,
                rrule="FREQ=DAILY" if n else "FREQ=WEEKLY;BYDAY=TU",
                dtstart_local="2027-01-05T09:00:00",
                skip_closed_days=False,
            )
    scope = AgendaScope(None)
    start, end = utc(2027, 1, 4), utc(2027, 2, 4)
    with clock.pinned(utc(2027, 1, 2, 10)):
        everything = await agenda.items(start=start, end=end, scope=scope)
        assert len(everything) == 2 * 30 + 5  # 5 January … 3 February; five Tuesdays
        for limit in (1, 2, 3, 4, 7, 60, 200):
            first, total = await agenda.first_items(start=start, end=end, scope=scope, limit=limit)
            assert first == everything[:limit] and total == len(everything)

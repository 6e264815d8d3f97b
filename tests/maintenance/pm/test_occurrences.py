"""One occurrence computation: the agenda (calendar page, iCal feeds) shows exactly what PM
generation creates (issue 9, item 9: a schedule limited to 4 occurrences showed 30 events).
"""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, timedelta
from typing import Any

from icalendar import Calendar

from facilities import db
from facilities.kit import clock
from facilities.maintenance.pm import agenda
from facilities.maintenance.pm.agenda_scope import AgendaScope
from facilities.maintenance.pm.generation import generate_due
from facilities.sites import actions as site_actions
from facilities.sites.schemas import ClosureCreate
from tests import assets_builders, builders
from tests.maintenance.pm import helpers
from tests.maintenance.pm.helpers import utc


async def _feed_starts(make_client: Any, user: Any, site_id: int) -> list[datetime]:
    client = await builders.api(make_client, user)
    created = await client.post("/api/v1/calendar-feeds", json={"kind": "site", "site_id": site_id})
    assert created.status_code == 201, created.text
    response = await make_client().get(created.json()["url"].removeprefix("http://testserver"))
    assert response.status_code == 200, response.text
    return sorted(
        e.decoded("dtstart").astimezone(UTC)
        for e in Calendar.from_ical(response.content).walk("VEVENT")
    )


async def test_max_count_limits_the_feed_the_calendar_page_and_the_agenda(make_client) -> None:  # type: ignore[no-untyped-def]
    world = await assets_builders.world()
    with clock.pinned(utc(2026, 12, 1)):
        asset = await assets_builders.asset(world.site.id)
        await helpers.schedule(
            name="Four times only",
            asset_id=asset.id,
            rrule="FREQ=DAILY",
            dtstart_local="2027-01-05T09:00:00",
            skip_closed_days=False,
            max_count=4,
        )
    with clock.pinned(utc(2027, 1, 2)):
        # Nothing generated yet: four computed occurrences, not 90.
        assert await _feed_starts(make_client, world.cm, world.site.id) == [
            utc(2027, 1, d, 8)
            for d in (5, 6, 7, 8)  # 09:00 in Berlin
        ]
        page = await (await builders.browser_session(make_client, world.admin)).get(
            "/calendar?month=2027-01"
        )
        assert page.status_code == 200, page.text
        assert page.text.count("Four times only") == 4
    # Two became work orders; the agenda counts them and computes only the remaining two.
    await generate_due(utc(2027, 1, 6, 9))
    with clock.pinned(utc(2027, 1, 6, 10)):
        items = await agenda.items(
            start=utc(2027, 1, 1),
            end=utc(2027, 4, 1),
            scope=AgendaScope(frozenset({world.site.id})),
        )
        assert [(i.start, i.status) for i in items] == [
            (utc(2027, 1, 5, 8), "open"),
            (utc(2027, 1, 6, 8), "open"),
            (utc(2027, 1, 7, 8), "planned"),
            (utc(2027, 1, 8, 8), "planned"),
        ]
        assert await _feed_starts(make_client, world.cm, world.site.id) == [
            utc(2027, 1, 7, 8),
            utc(2027, 1, 8, 8),
        ]  # the feed starts now
    await generate_due(utc(2027, 3, 1))
    assert len(await helpers.work_orders()) == 4


# ---- generation and the agenda agree ----------------------------------------------------

T0 = utc(2027, 3, 1)  # the window spans Easter 2027 (Good Friday 26 March, Monday 29 March)
WINDOW = timedelta(days=60)


def _shapes(asset: int, category: int, region: int, t0: datetime) -> list[dict[str, Any]]:
    """Schedule shapes: each a ScheduleCreate payload (names are unique)."""
    day = t0.date()
    return [
        {"name": "weekly max 6", "asset_id": asset, "rrule": "FREQ=WEEKLY;BYDAY=MO",
         "dtstart_local": "2027-02-01T09:00:00", "max_count": 6},
        {"name": "daily until", "asset_id": asset, "rrule": "FREQ=DAILY",
         "dtstart_local": "2027-02-20T07:00:00", "end_date": (day + timedelta(days=17)).isoformat()},
        {"name": "fridays moved", "asset_id": asset, "rrule": "FREQ=WEEKLY;BYDAY=FR",
         "dtstart_local": "2027-02-05T16:00:00", "lead_days": 3},
        {"name": "fridays kept", "asset_id": asset, "rrule": "FREQ=WEEKLY;BYDAY=FR",
         "dtstart_local": "2027-02-05T16:30:00", "skip_closed_days": False},
        {"name": "april season", "asset_id": asset, "rrule": "FREQ=DAILY;INTERVAL=3",
         "dtstart_local": "2027-01-01T10:00:00", "active_months": [4]},
        {"name": "latest only", "asset_id": asset, "rrule": "FREQ=WEEKLY;BYDAY=TU",
         "dtstart_local": "2027-02-02T08:00:00", "catch_up": "latest_only", "max_count": 7},
        {"name": "monthly by day", "asset_id": asset, "rrule": "FREQ=MONTHLY;BYDAY=1TH",
         "dtstart_local": "2027-01-07T12:00:00", "lead_days": 10},
        {"name": "floating", "asset_id": asset, "mode": "floating", "floating_every": 10,
         "dtstart_local": "2027-03-03T11:00:00"},
        {"name": "programme", "category_id": category, "region_id": region,
         "rrule": "FREQ=WEEKLY;BYDAY=WE", "dtstart_local": "2027-02-03T14:00:00", "max_count": 8},
        {"name": "ended", "asset_id": asset, "rrule": "FREQ=DAILY",
         "dtstart_local": "2027-02-01T06:00:00", "end_date": "2027-02-20"},
    ]  # fmt: skip


def _key(item: agenda.Item) -> tuple[str, int | None, datetime]:
    return (item.title, item.asset_id, item.start)


async def test_generation_creates_exactly_what_the_agenda_shows() -> None:
    """Property over the shapes above: at every checkpoint, the agenda's view of the rest of
    the window (work orders so far + computed occurrences) is what generation, run daily
    through the window, ends up creating there."""
    region = await builders.region()
    berlin = {"time_zone": "Europe/Berlin", "holiday_country": "DE"}
    site = await builders.site(region.id, **berlin)
    other = await builders.site(region.id, **berlin, holiday_subdivision="BW")
    category = await assets_builders.category()
    system = await builders.system()
    # A closure on a Monday and on a Wednesday: the programme's and the Monday schedule's
    # occurrences move to the next open day at one site only.
    for day in (date(2027, 3, 8), date(2027, 3, 17)):
        await site_actions.add_closure(actor=system, site_id=site.id, data=ClosureCreate(day=day))
    with clock.pinned(T0 - timedelta(days=40)):
        asset = await assets_builders.asset(site.id)
        for site_id in (site.id, other.id):
            await assets_builders.asset(site_id, category_id=category.id)
        for shape in _shapes(asset.id, category.id, region.id, T0):
            await helpers.schedule(**shape)
    with clock.pinned(T0 - timedelta(days=12)):
        late = await assets_builders.asset(other.id, category_id=category.id)  # joins later
    # History before the window: the scheduler ran, was down, ran again.
    await generate_due(T0 - timedelta(days=20))
    await generate_due(T0 - timedelta(days=1))

    end = T0 + WINDOW
    predictions: dict[datetime, set[tuple[str, int | None, datetime]]] = {}
    moment = T0
    while moment <= end:
        if moment in (T0, T0 + timedelta(days=19), T0 + timedelta(days=38)):
            with clock.pinned(moment):
                shown = await agenda.items(start=moment, end=end, scope=AgendaScope(None))
            predictions[moment] = {_key(i) for i in shown}
        await generate_due(moment)
        moment += timedelta(days=1)

    created = [
        (o["due_at"], o["asset"], o) for o in await helpers.work_orders() if o["due_at"] >= T0
    ]
    assert created  # generation did create work in the window
    names = {r["id"]: r["title"] for r in await _titles()}
    for checkpoint, predicted in predictions.items():
        truth = {
            (names[o["id"]], asset_id, due)
            for due, asset_id, o in created
            if checkpoint <= due < end
        }
        assert predicted == truth, (
            f"at {checkpoint:%d %b}: shown but not created {sorted(predicted - truth)};"
            f" created but not shown {sorted(truth - predicted)}"
        )
    by_name: dict[str, int] = {}
    for title in names.values():
        by_name[title] = by_name.get(title, 0) + 1
    # The shapes did what they say (so the agreement above is not an empty one).
    assert by_name["weekly max 6"] == 6
    assert by_name["programme"] <= 8 * 3
    assert "ended" not in {names[o["id"]] for _d, _a, o in created}
    assert any(a == late.id for _d, a, _o in created)
    assert not [k for k in predictions[T0] if k[0] == "april season" and k[2].month != 4]
    moved = [k for k in predictions[T0] if k[0] == "fridays moved"]
    assert utc(2027, 3, 26, 15) not in {k[2] for k in moved}  # Good Friday: moved
    assert utc(2027, 3, 27, 15) in {k[2] for k in moved}


async def _titles() -> list[dict[str, Any]]:
    return [dict(r) for r in await db.raw("SELECT id, title FROM work_order")]


def test_shape_names_are_unique() -> None:
    names = [s["name"] for s in _shapes(1, 1, 1, T0)]
    assert len(names) == len(set(names))
    assert all(re.fullmatch(r"[a-z0-9 ]+", n) for n in names)

"""The calendar: work orders, PM occurrences and service visits by day, clashes, summaries."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

from facilities.accounts.enums import Role
from facilities.kit import clock
from facilities.maintenance.workorders import actions as order_actions
from facilities.maintenance.workorders.schemas import WorkOrderCreate
from facilities.reporting import calendar as calendar_page
from facilities.reporting.calendar import Entry, date_range, day_summary, mark_clashes
from tests import assets_builders, builders, maintenance_builders
from tests.maintenance.pm import helpers

BERLIN = ZoneInfo("Europe/Berlin")


def _entry(uid: str, kind: str, start: datetime, minutes: int = 60, **values: object) -> Entry:
    return Entry(
        uid=uid,
        kind=kind,
        title=uid,
        href=None,
        start=start,
        end=start + timedelta(minutes=minutes),
        local_start=start.astimezone(BERLIN),
        site_id=int(values.pop("site_id", 1)),  # type: ignore[call-overload]
        site_name="S",
        **values,  # type: ignore[arg-type]
    )


def test_month_week_and_day_ranges() -> None:
    today = date(2027, 3, 10)
    month = date_range("month", date(2027, 2, 14), today)
    assert (month.start, month.end) == (date(2027, 2, 1), date(2027, 3, 1))  # Feb 2027: Mon..Sun
    assert (month.previous, month.next) == (date(2027, 1, 1), date(2027, 3, 1))
    march = date_range("month", None, today)
    assert march.start == date(2027, 3, 1) and march.end == date(2027, 4, 5)
    week = date_range("week", date(2027, 3, 10), today)
    assert (week.start, week.end, week.previous) == (
        date(2027, 3, 8),
        date(2027, 3, 15),
        date(2027, 3, 1),
    )
    day = date_range("day", None, today)
    assert (day.start, day.end, day.next) == (today, date(2027, 3, 11), date(2027, 3, 11))


def test_clashes_same_asset_same_day_and_same_partner_at_once() -> None:
    nine = datetime(2027, 3, 10, 8, 0, tzinfo=UTC)
    entries = [
        _entry("a", "work", nine, asset_id=7),
        _entry("b", "pm", nine + timedelta(hours=6), asset_id=7),  # same asset, same day
        _entry("c", "work", nine, asset_id=8, partner_id=3),
        _entry("d", "work", nine + timedelta(minutes=30), asset_id=9, partner_id=3),  # overlaps c
        _entry("e", "work", nine + timedelta(hours=3), asset_id=10, partner_id=3),  # after both
        _entry("f", "visit", nine, partner_id=3),  # rounds with several crews: no clash
        _entry("g", "pm", nine + timedelta(days=1), asset_id=7),  # next day
    ]
    mark_clashes(entries)
    flagged = {e.uid: e.flags for e in entries}
    assert flagged["a"] == flagged["b"] == ["Same asset twice this day"]
    assert flagged["c"] == flagged["d"] == ["Same partner at two jobs at once"]
    assert flagged["e"] == flagged["f"] == flagged["g"] == []


def test_a_busy_day_is_summarised_per_kind_with_its_sites() -> None:
    start = datetime(2027, 3, 10, 8, 0, tzinfo=UTC)
    entries = [_entry(f"p{n}", "pm", start, site_id=n % 3) for n in range(37)]
    entries += [_entry("w", "work", start)]
    summary = day_summary(entries)
    assert [(s.kind, s.count, s.sites) for s in summary] == [("work", 1, 1), ("pm", 37, 3)]


async def test_calendar_shows_work_due_and_summarises_busy_days_in_german(make_client) -> None:
    region = await builders.region()
    site = await builders.site(region.id, name="Quadrate", time_zone="Europe/Berlin")
    foreign = await builders.site(region.id, name="Elsewhere", time_zone="Europe/Berlin")
    cm = await builders.user(Role.community_manager, locale="de")
    await builders.assign(cm, sites=[site.id])
    asset = await maintenance_builders.asset(site.id, "Boiler")
    system = await builders.system()
    due = datetime(2027, 3, 10, 9, 0, tzinfo=BERLIN)
    with clock.pinned(datetime(2027, 3, 1, tzinfo=UTC)):
        for title, when in (
            ("Fix the boiler", due),
            ("Bleed the boiler", due + timedelta(hours=4)),
        ):
            await order_actions.create_work_order(
                actor=system,
                data=WorkOrderCreate(title=title, site_id=site.id, asset_id=asset, due_at=when),
            )
        for n in range(8):  # a busy day: summarised in the month grid
            await order_actions.create_work_order(
                actor=system,
                data=WorkOrderCreate(
                    title=f"Busy {n}", site_id=site.id, due_at=due + timedelta(days=7, minutes=n)
                ),
            )
        await order_actions.create_work_order(
            actor=system,
            data=WorkOrderCreate(title="Not my site", site_id=foreign.id, due_at=due),
        )
        client = await builders.browser_session(make_client, cm)
        month = await client.get("/calendar?month=2027-03")
        busy_day = await client.get("/calendar?view=day&day=2027-03-17")
        bad_site = await client.get(f"/calendar?site_id={foreign.id}")
    html = month.text
    assert month.status_code == 200, html
    assert (
        "März 2027" in html
        and "Mi., 10. März" in html
        and "Mittwoch, 10. März 2027" in html
        and ">Mo<" in html.replace(".", "")
    )
    assert "Fix the boiler" in html and "Not my site" not in html
    assert html.count('title="Dieselbe Anlage zweimal an diesem Tag"') == 2  # both boiler jobs
    assert "8 Arbeitsaufträge an 1 Standort" in html and "Busy 3" not in html
    assert html.count('aria-current="date"') == 1  # today, 1 March
    assert busy_day.status_code == 200 and "Busy 3" in busy_day.text
    assert bad_site.status_code == 404


async def test_planned_visits_carry_their_schedules_partner() -> None:
    """Computed PM occurrences show their schedule's partner, and the partner filter keeps
    exactly that partner's (the partner comes with the agenda's item, no second read)."""
    world = await assets_builders.world()
    cool = await builders.partner_org("Cool GmbH")
    with clock.pinned(datetime(2027, 1, 4, 7, tzinfo=UTC)):
        for partner in (cool.id, None):
            asset = await assets_builders.asset(world.site.id)
            await helpers.schedule(
                asset_id=asset.id,
                rrule="FREQ=WEEKLY;BYDAY=WE",
                dtstart_local="2027-01-06T09:00:00",
                skip_closed_days=False,
                partner_organisation_id=partner,
            )
        ops = await builders.system()
        week = await calendar_page.calendar(
            ops, view="week", anchor=date(2027, 1, 6), site_id=None, partner_id=None
        )
        entries = [e for d in week["days"] for e in d.entries if e.kind == "pm"]
        assert sorted(str(e.partner_name) for e in entries) == ["Cool GmbH", "None"]
        mine = await calendar_page.calendar(
            ops, view="week", anchor=date(2027, 1, 6), site_id=None, partner_id=cool.id
        )
        shown = [e for d in mine["days"] for e in d.entries]
        assert [(e.kind, e.partner_name) for e in shown] == [("pm", "Cool GmbH")]


def test_shown_days_are_read_in_runs_of_consecutive_days() -> None:
    days = {date(2027, 3, d) for d in (1, 2, 3, 5, 9, 10)}
    assert calendar_page.day_runs(days) == [
        (date(2027, 3, 1), date(2027, 3, 4)),
        (date(2027, 3, 5), date(2027, 3, 6)),
        (date(2027, 3, 9), date(2027, 3, 11)),
    ]
    summary = calendar_page.counted_summary({"pm": {1: 30, 2: 7}, "work": {1: 1}})
    assert [(s.kind, s.count, s.sites) for s in summary] == [("work", 1, 1), ("pm", 37, 2)]


async def test_busy_days_of_planned_visits_are_counted_not_built() -> None:
    """Eight weekly schedules on Wednesdays: each Wednesday is summarised from the agenda's
    counts (no entry built), by site and kind; the partner filter counts only that
    partner's; a quiet day keeps its entries one by one, with their clashes."""
    world = await assets_builders.world()
    cool = await builders.partner_org("Cool GmbH")
    with clock.pinned(datetime(2027, 1, 4, 7, tzinfo=UTC)):
        for n in range(8):
            asset = await assets_builders.asset(world.site.id)
            await helpers.schedule(
                asset_id=asset.id,
                rrule="FREQ=WEEKLY;BYDAY=WE",
                dtstart_local="2027-01-06T09:00:00",
                skip_closed_days=False,
                partner_organisation_id=cool.id if n < 2 else None,
            )
        asset = await assets_builders.asset(world.site.id)
        await helpers.schedule(  # a quiet Thursday: the same asset twice
            asset_id=asset.id,
            rrule="FREQ=WEEKLY;BYDAY=TH",
            dtstart_local="2027-01-07T09:00:00",
            skip_closed_days=False,
        )
        system = await builders.system()
        await order_actions.create_work_order(
            actor=system,
            data=WorkOrderCreate(
                title="Fix it",
                site_id=world.site.id,
                asset_id=asset.id,
                due_at=datetime(2027, 1, 7, 14, tzinfo=UTC),
            ),
        )
        week = await calendar_page.calendar(
            system, view="week", anchor=date(2027, 1, 6), site_id=None, partner_id=None
        )
        wednesday, thursday = week["days"][2], week["days"][3]
        assert wednesday.entries == [] and wednesday.total == 8
        assert [(s.kind, s.count, s.sites) for s in wednesday.summary] == [("pm", 8, 1)]
        assert [e.title for e in thursday.entries] == ["Descale", "Fix it"]
        assert all(e.flags for e in thursday.entries) and week["clash_count"] == 2
        assert week["entry_count"] == 10
        mine = await calendar_page.calendar(
            system, view="week", anchor=date(2027, 1, 6), site_id=None, partner_id=cool.id
        )
        assert [len(d.entries) for d in mine["days"]] == [0, 0, 2, 0, 0, 0, 0]
        assert mine["entry_count"] == 2 and mine["clash_count"] == 2  # one partner at once
        day = await calendar_page.calendar(
            system, view="day", anchor=date(2027, 1, 6), site_id=None, partner_id=None
        )
        assert len(day["days"][0].entries) == 8 and day["days"][0].summary == []

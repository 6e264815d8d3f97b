"""PM compliance, iCal feeds (secret, revocable) and the calendar page with clashes."""

from __future__ import annotations

from datetime import UTC

from icalendar import Calendar

from facilities import db
from facilities.accounts.enums import Role
from facilities.kit import clock
from facilities.maintenance.pm import compliance_summary
from facilities.maintenance.pm.compliance import outcome, tally
from facilities.maintenance.pm.generation import generate_due
from tests import assets_builders, builders
from tests.maintenance.pm import helpers
from tests.maintenance.pm.helpers import utc


def test_outcome_rules() -> None:
    due = utc(2027, 1, 10)
    now = utc(2027, 2, 1)
    assert outcome(due, utc(2027, 1, 10), 0, now) == "on_time"
    assert outcome(due, utc(2027, 1, 12), 2, now) == "on_time"  # within the grace days
    assert outcome(due, utc(2027, 1, 12, 0, 1), 2, now) == "late"
    assert outcome(due, None, 2, now) == "missed"  # open and overdue
    assert outcome(due, None, 30, now) == "open"  # open, deadline still ahead
    result = tally(
        [(due, utc(2027, 1, 10), 0), (due, utc(2027, 1, 20), 0), (due, None, 0), (due, None, 60)],
        now,
    )
    assert (result.due, result.on_time, result.late, result.missed, result.open) == (3, 1, 1, 1, 1)
    assert result.percent == 33.33


async def test_compliance_per_site_schedule_and_partner(make_client) -> None:  # type: ignore[no-untyped-def]
    world = await assets_builders.world()
    partner = await builders.partner_org("Cool GmbH")
    with clock.pinned(utc(2026, 12, 1)):
        asset = await assets_builders.asset(world.site.id)
        foreign = await assets_builders.asset(world.other_site.id)
        schedule = await helpers.schedule(
            asset_id=asset.id,
            rrule="FREQ=MONTHLY;BYMONTHDAY=10",
            dtstart_local="2027-01-10T08:00:00",
            grace_days=3,
            partner_organisation_id=partner.id,
            skip_closed_days=False,
        )
        await helpers.schedule(
            asset_id=foreign.id,
            rrule="FREQ=MONTHLY;BYMONTHDAY=10",
            dtstart_local="2027-01-10T08:00:00",
        )
    await generate_due(utc(2027, 4, 30))
    orders = await helpers.work_orders(schedule.id)
    completions = [utc(2027, 1, 12), utc(2027, 2, 20), None, None]  # on time, late, missed, open
    for order, done in zip(orders, completions, strict=True):
        if done is not None:
            await db.raw(
                "UPDATE work_order SET status = 'completed', completed_at = {} WHERE id = {}",
                done,
                order["id"],
            )
            # the raw UPDATE bypasses the lifecycle, whose hook keeps the totals
            await compliance_summary.refresh_orders([order["id"]])
    client = await builders.api(make_client, world.cm)
    with clock.pinned(utc(2027, 4, 12)):
        by_site = await client.get(
            "/api/v1/pm/compliance", params={"start": "2027-01-01", "end": "2027-05-01"}
        )
        by_partner = await client.get(
            "/api/v1/pm/compliance",
            params={"start": "2027-01-01", "end": "2027-05-01", "group_by": "partner"},
        )
        page = await (await builders.browser_session(make_client, world.cm)).get(
            "/pm/compliance?start=2027-01-01&end=2027-05-01&group_by=schedule"
        )
    assert by_site.status_code == 200, by_site.text
    body = by_site.json()
    # Only the caller's site counts; the April order is open and not yet overdue.
    assert [r["key"] for r in body["rows"]] == [world.site.id]
    assert {k: body["total"][k] for k in ("due", "on_time", "late", "missed")} == {
        "due": 3,
        "on_time": 1,
        "late": 1,
        "missed": 1,
    }
    assert body["total"]["open_not_yet_overdue"] == 1
    assert body["total"]["percent"] == 33.33
    assert by_partner.json()["rows"][0]["label"] == "Cool GmbH"
    assert page.status_code == 200 and "33.3" in page.text and "Descale" in page.text
    assert 'data-label="On time">1<' in page.text  # a phone stacks the cells: named
    bad = await client.get("/api/v1/pm/compliance", params={"group_by": "colour"})
    assert bad.status_code == 422 and bad.json()["fields"][0]["field"] == "group_by"


async def test_ical_feed_lists_computed_occurrences_and_can_be_revoked(make_client) -> None:  # type: ignore[no-untyped-def]
    world = await assets_builders.world()
    with clock.pinned(utc(2026, 12, 1)):
        asset = await assets_builders.asset(world.site.id)
        foreign = await assets_builders.asset(world.other_site.id)
        await helpers.schedule(
            asset_id=asset.id,
            rrule="FREQ=WEEKLY;BYDAY=TU",
            dtstart_local="2027-01-05T09:00:00",
            skip_closed_days=False,
        )
        await helpers.schedule(
            name="Elsewhere",
            asset_id=foreign.id,
            rrule="FREQ=WEEKLY;BYDAY=TU",
            dtstart_local="2027-01-05T09:00:00",
        )
    await generate_due(utc(2027, 1, 1))  # the first Tuesday becomes a work order (created)
    await generate_due(utc(2027, 1, 5, 8))
    client = await builders.api(make_client, world.cm)
    created = await client.post(
        "/api/v1/calendar-feeds", json={"kind": "site", "site_id": world.site.id}
    )
    assert created.status_code == 201, created.text
    url = created.json()["url"]
    path = url.removeprefix("http://testserver")
    anonymous = make_client()
    with clock.pinned(utc(2027, 1, 2)):
        response = await anonymous.get(path)
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith("text/calendar")
    events = [c for c in Calendar.from_ical(response.content).walk("VEVENT")]
    starts = sorted(e.decoded("dtstart").astimezone(UTC) for e in events)
    # 90 days of Tuesdays from 2 January 2027: 5 January … 30 March = 13 events.
    assert len(starts) == 13
    assert starts[0] == utc(2027, 1, 5, 8) and starts[-1] == utc(2027, 3, 30, 7)
    assert all("Elsewhere" not in str(e.get("summary")) for e in events)
    statuses = sorted(str(e.get("status")) for e in events)
    assert statuses.count("CONFIRMED") == 1  # the created work order; the rest are computed
    # Another site's feed cannot be created by this manager.
    foreign_feed = await client.post(
        "/api/v1/calendar-feeds", json={"kind": "site", "site_id": world.other_site.id}
    )
    assert foreign_feed.status_code == 422
    revoked = await client.post(f"/api/v1/calendar-feeds/{created.json()['id']}/revoke")
    assert revoked.status_code == 200 and revoked.json()["revoked_at"]
    assert (await anonymous.get(path)).status_code == 404
    assert (await anonymous.get("/calendar/not-a-token.ics")).status_code == 404


async def test_partner_feed_shows_only_its_work(make_client) -> None:  # type: ignore[no-untyped-def]
    world = await assets_builders.world()
    partner = await builders.partner_org()
    partner_user = await builders.user(Role.partner, partner_id=partner.id)
    with clock.pinned(utc(2026, 12, 1)):
        asset = await assets_builders.asset(world.site.id)
        await helpers.schedule(
            name="Ours",
            asset_id=asset.id,
            rrule="FREQ=MONTHLY;BYMONTHDAY=5",
            dtstart_local="2027-01-05T09:00:00",
            partner_organisation_id=partner.id,
        )
        await helpers.schedule(
            name="Theirs",
            asset_id=asset.id,
            rrule="FREQ=MONTHLY;BYMONTHDAY=5",
            dtstart_local="2027-01-05T09:00:00",
        )
    client = await builders.api(make_client, partner_user)
    created = await client.post("/api/v1/calendar-feeds", json={"kind": "partner"})
    assert created.status_code == 201, created.text
    with clock.pinned(utc(2027, 1, 1)):
        response = await make_client().get(created.json()["url"].removeprefix("http://testserver"))
    summaries = {
        str(e.get("summary")).split(" (")[0]
        for e in Calendar.from_ical(response.content).walk("VEVENT")
    }
    assert summaries == {"Ours"}
    site_feed = await client.post(
        "/api/v1/calendar-feeds", json={"kind": "site", "site_id": world.site.id}
    )
    assert site_feed.status_code == 422 and site_feed.json()["fields"][0]["field"] == "kind"


async def test_calendar_page_flags_clashes_and_closed_hours(make_client) -> None:  # type: ignore[no-untyped-def]
    region = await builders.region()
    hours = {d: [["08:00", "18:00"]] for d in ("mon", "tue", "wed", "thu", "fri")}
    site = await builders.site(region.id, time_zone="Europe/Berlin", opening_hours=hours)
    space = await assets_builders.space(site.id, "Kitchen")
    with clock.pinned(utc(2026, 12, 1)):
        a = await assets_builders.asset(site.id, space_id=space.id, name="Coffee machine")
        b = await assets_builders.asset(site.id, space_id=space.id, name="Dishwasher")
        for asset, start in ((a, "2027-01-12T09:00:00"), (b, "2027-01-12T09:30:00")):
            await helpers.schedule(
                name=f"Service {asset.name}",
                asset_id=asset.id,
                rrule="FREQ=MONTHLY;BYMONTHDAY=12",
                dtstart_local=start,
                estimated_minutes=60,
            )
        await helpers.schedule(
            name="Night job",
            asset_id=a.id,
            rrule="FREQ=MONTHLY;BYMONTHDAY=20",
            dtstart_local="2027-01-20T22:00:00",
        )
        await helpers.schedule(
            name="Quiet job",
            asset_id=a.id,
            rrule="FREQ=MONTHLY;BYMONTHDAY=21",
            dtstart_local="2027-01-21T10:00:00",
        )
    admin = await builders.user()
    with clock.pinned(utc(2027, 1, 1)):
        client = await builders.browser_session(make_client, admin)
        response = await client.get("/calendar?month=2027-01")
        week = await client.get("/calendar?view=week&week=2027-01-11")
    assert response.status_code == 200, response.text
    html = response.text
    assert html.count('title="Same space at the same time"') == 2
    assert html.count('title="Outside opening hours"') == 1
    assert "Quiet job" in html
    assert 'id="clashes"' in html
    assert week.status_code == 200 and "Service Coffee machine" in week.text
    assert "Night job" not in week.text


async def test_an_empty_period_says_so_in_words(make_client) -> None:  # type: ignore[no-untyped-def]
    region = await builders.region()
    site = await builders.site(region.id)
    cm = await builders.user(Role.community_manager, locale="de")
    await builders.assign(cm, sites=[site.id])
    page = await (await builders.browser_session(make_client, cm)).get(
        "/pm/compliance?start=2027-01-01&end=2027-05-01"
    )
    assert page.status_code == 200
    assert "In diesem Zeitraum war keine Wartung fällig." in page.text
    assert 'class="total"' not in page.text

"""Schedule pages: list, detail, edit (future occurrences only), foreign-site form errors,
and the calendar feed form."""

from __future__ import annotations

import re

from facilities.kit import clock
from tests import assets_builders, builders
from tests.maintenance.pm import helpers
from tests.maintenance.pm.helpers import utc


async def test_list_detail_and_edit_pages(make_client) -> None:  # type: ignore[no-untyped-def]
    world = await assets_builders.world()
    with clock.pinned(utc(2027, 1, 1)):
        asset = await assets_builders.asset(world.site.id)
        schedule = await helpers.schedule(
            asset_id=asset.id, rrule="FREQ=WEEKLY;BYDAY=MO", dtstart_local="2027-01-04T07:30:00"
        )
        client = await builders.browser_session(make_client, world.cm)
        listing = await client.get("/schedules")
        detail = await client.get(f"/schedules/{schedule.id}")
        edit = await client.get(f"/schedules/{schedule.id}/edit")
        blank = await client.get("/schedules/new")
        assert blank.status_code == 200 and 'name="frequency"' in blank.text
        assert f'id="s{world.other_site.id}"' not in blank.text  # only the own sites
        assert f'id="s{world.site.id}"' in blank.text
        assert listing.status_code == 200 and "Descale" in listing.text
        assert detail.status_code == 200
        assert re.findall(r"<li>(Monday, \d+ January 2027, 07:30)</li>", detail.text)[:2] == [
            "Monday, 4 January 2027, 07:30",
            "Monday, 11 January 2027, 07:30",
        ]
        # Words, not codes: the rule is said in English, the raw rule is not shown.
        assert "every Monday at 07:30" in detail.text and "FREQ=" not in detail.text
        assert "every Monday at 07:30" in listing.text and "FREQ=" not in listing.text
        assert edit.status_code == 200 and 'name="version" value="1"' in edit.text
        # The editor is filled from the stored rule: Monday ticked, the raw field empty.
        assert 'name="weekdays" value="MO" checked' in edit.text
        assert 'name="rrule" type="text" value=""' in edit.text
        form = {
            "version": "1",
            "name": "Descale weekly",
            "mode": "fixed",
            "dtstart_local": "2027-01-04T07:30",
            "frequency": "weekly",
            "interval": "2",
            "weekdays": "TU",
            "skip_closed_days": "on",
            "priority": "p1",
            "catch_up": "all",
            "lead_days": "0",
            "grace_days": "1",
            "action": "save",
        }
        saved = await builders.post_form(
            client,
            f"/schedules/{schedule.id}/edit",
            form,
            form_page=f"/schedules/{schedule.id}/edit",
        )
        assert saved.status_code in (302, 303), saved.text
    updated = await helpers.get_schedule(schedule.id)
    assert (updated.name, updated.rrule, updated.priority, updated.version) == (
        "Descale weekly",
        "FREQ=WEEKLY;INTERVAL=2;BYDAY=TU",
        "p1",
        2,
    )
    other = await builders.browser_session(make_client, world.cm_other)
    assert (await other.get(f"/schedules/{schedule.id}")).status_code == 404


async def test_form_refuses_a_foreign_site_and_feb_30(make_client) -> None:  # type: ignore[no-untyped-def]
    world = await assets_builders.world()
    category = await assets_builders.category()
    client = await builders.browser_session(make_client, world.cm)
    base = {
        "name": "Filters",
        "target": "category",
        "category_id": str(category.id),
        "mode": "fixed",
        "dtstart_local": "2027-01-01T08:00",
        "frequency": "monthly",
        "priority": "p3",
        "catch_up": "all",
        "action": "save",
    }
    foreign = await builders.post_form(
        client,
        "/schedules/new",
        {**base, "site_ids": str(world.other_site.id)},
        form_page="/schedules/new",
    )
    assert foreign.status_code == 422
    assert f"You may not schedule work at site {world.other_site.id}" in foreign.text
    feb30 = await builders.post_form(
        client,
        "/schedules/new",
        {**base, "site_ids": str(world.site.id), "rrule": "FREQ=YEARLY;BYMONTH=2;BYMONTHDAY=30"},
        form_page="/schedules/new",
    )
    assert feb30.status_code == 422 and 'id="e-rrule"' in feb30.text
    assert await helpers.count("pm_schedule") == 0


async def test_calendar_feed_form_creates_and_revokes(make_client) -> None:  # type: ignore[no-untyped-def]
    world = await assets_builders.world()
    client = await builders.browser_session(make_client, world.cm)
    created = await builders.post_form(
        client,
        "/calendar/feeds",
        {"kind": "site", "site_id": str(world.site.id)},
        form_page="/calendar",
    )
    assert created.status_code in (302, 303)
    shown = await client.get("/calendar")
    url = re.search(r"http://testserver(/calendar/[\w-]+\.ics)", shown.text)
    assert url, shown.text
    assert (await make_client().get(url.group(1))).status_code == 200
    feed_id = re.search(r"/calendar/feeds/(\d+)/revoke", shown.text)
    assert feed_id
    revoked = await builders.post_form(
        client, f"/calendar/feeds/{feed_id.group(1)}/revoke", {}, form_page="/calendar"
    )
    assert revoked.status_code in (302, 303)
    assert (await make_client().get(url.group(1))).status_code == 404

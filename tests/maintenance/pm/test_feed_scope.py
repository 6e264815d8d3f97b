"""Calendar feeds never show more than their creator may see (issue 9, items 1 and 2).

A feed is a secret link: each fetch re-reads its creator (scope, role, active) and narrows
that scope by the feed's kind; a deactivated creator's feeds publish nothing; admins list
and revoke every user's feeds.
"""

from __future__ import annotations

from typing import Any

import httpx
from icalendar import Calendar

from facilities.accounts.enums import Role
from facilities.kit import clock
from tests import assets_builders, builders, workorders_builders
from tests.maintenance.pm import helpers
from tests.maintenance.pm.helpers import utc


async def _summaries(make_client: Any, url: str) -> set[str] | int:
    with clock.pinned(utc(2027, 1, 1)):
        response = await make_client().get(url.removeprefix("http://testserver"))
    if response.status_code != 200:
        return int(response.status_code)
    return {
        str(e.get("summary")).split(" (")[0]
        for e in Calendar.from_ical(response.content).walk("VEVENT")
    }


async def _feed(client: httpx.AsyncClient, **body: Any) -> dict[str, Any]:
    created = await client.post("/api/v1/calendar-feeds", json=body)
    assert created.status_code == 201, created.text
    return dict(created.json())


async def _partner_work_in_two_regions() -> tuple[Any, int]:
    """A partner with a work order and a schedule at a site of each region."""
    world = await assets_builders.world()
    partner = await builders.partner_org()
    with clock.pinned(utc(2026, 12, 1)):
        for site, name in ((world.site, "Here"), (world.other_site, "Elsewhere")):
            asset = await assets_builders.asset(site.id)
            await helpers.schedule(
                name=f"{name} PM",
                asset_id=asset.id,
                rrule="FREQ=MONTHLY;BYMONTHDAY=5",
                dtstart_local="2027-01-05T09:00:00",
                partner_organisation_id=partner.id,
            )
            await workorders_builders.work_order(
                site.id,
                title=f"{name} order",
                partner_organisation_id=partner.id,
                due_at=utc(2027, 1, 10, 9),
            )
    return world, partner.id


async def test_partner_feed_of_a_manager_shows_only_the_managers_sites(make_client) -> None:  # type: ignore[no-untyped-def]
    world, partner_id = await _partner_work_in_two_regions()
    for staff in (world.cm, world.ops):
        client = await builders.api(make_client, staff)
        feed = await _feed(client, kind="partner", partner_organisation_id=partner_id)
        assert await _summaries(make_client, feed["url"]) == {"Here PM", "Here order"}
    admin = await builders.api(make_client, world.admin)
    feed = await _feed(admin, kind="partner", partner_organisation_id=partner_id)
    assert await _summaries(make_client, feed["url"]) == {
        "Here PM",
        "Here order",
        "Elsewhere PM",
        "Elsewhere order",
    }


async def test_feed_scope_is_re_evaluated_at_each_fetch(make_client) -> None:  # type: ignore[no-untyped-def]
    world, partner_id = await _partner_work_in_two_regions()
    client = await builders.api(make_client, world.cm)
    partner_feed = await _feed(client, kind="partner", partner_organisation_id=partner_id)
    user_feed = await _feed(client, kind="user")
    site_feed = await _feed(client, kind="site", site_id=world.site.id)
    assert await _summaries(make_client, user_feed["url"]) == {"Here PM", "Here order"}
    await builders.assign(world.cm, sites=[world.site.id, world.other_site.id])
    everything = {"Here PM", "Here order", "Elsewhere PM", "Elsewhere order"}
    assert await _summaries(make_client, partner_feed["url"]) == everything
    assert await _summaries(make_client, user_feed["url"]) == everything
    await builders.assign(world.cm, sites=[world.other_site.id])
    assert await _summaries(make_client, partner_feed["url"]) == {
        "Elsewhere PM",
        "Elsewhere order",
    }
    # The site the feed was made for is no longer the manager's: the feed is empty.
    assert await _summaries(make_client, site_feed["url"]) == set()


async def test_partner_users_feed_shows_only_its_own_work(make_client) -> None:  # type: ignore[no-untyped-def]
    world, partner_id = await _partner_work_in_two_regions()
    other = await builders.partner_org()
    with clock.pinned(utc(2026, 12, 1)):
        await workorders_builders.work_order(
            world.site.id,
            title="Competitor order",
            partner_organisation_id=other.id,
            due_at=utc(2027, 1, 10, 9),
        )
    partner_user = await builders.user(Role.partner, partner_id=partner_id)
    client = await builders.api(make_client, partner_user)
    # Naming another organisation does not widen the feed: the partner's own work only.
    feed = await _feed(client, kind="partner", partner_organisation_id=other.id)
    mine = {"Here PM", "Here order", "Elsewhere PM", "Elsewhere order"}
    assert await _summaries(make_client, feed["url"]) == mine
    user_feed = await _feed(client, kind="user")
    assert await _summaries(make_client, user_feed["url"]) == mine


async def test_feeds_die_with_their_creator_and_admins_list_and_revoke_them(make_client) -> None:  # type: ignore[no-untyped-def]
    world, partner_id = await _partner_work_in_two_regions()
    cm = await builders.api(make_client, world.cm)
    feeds = [
        await _feed(cm, kind="site", site_id=world.site.id),
        await _feed(cm, kind="partner", partner_organisation_id=partner_id),
        await _feed(cm, kind="user"),
    ]
    for feed in feeds:
        assert isinstance(await _summaries(make_client, feed["url"]), set)

    admin = await builders.api(make_client, world.admin)
    listed = await admin.get("/api/v1/calendar-feeds", params={"created_by": world.cm.id})
    assert listed.status_code == 200
    assert [f["id"] for f in listed.json()] == [f["id"] for f in feeds]
    assert all(f["live"] and f["created_by_id"] == world.cm.id for f in listed.json())
    # Another manager neither sees nor revokes them.
    other = await builders.api(make_client, world.cm_other)
    assert (await other.get("/api/v1/calendar-feeds")).json() == []
    refused = await other.post(f"/api/v1/calendar-feeds/{feeds[0]['id']}/revoke")
    assert refused.status_code == 404

    deactivated = await admin.patch(f"/api/v1/users/{world.cm.id}", json={"active": False})
    assert deactivated.status_code == 200, deactivated.text
    for feed in feeds:
        assert await _summaries(make_client, feed["url"]) == 404
    listed = (await admin.get("/api/v1/calendar-feeds")).json()
    assert {f["id"]: f["live"] for f in listed} == {f["id"]: False for f in feeds}

    revoked = await admin.post(f"/api/v1/calendar-feeds/{feeds[1]['id']}/revoke")
    assert revoked.status_code == 200 and revoked.json()["revoked_at"]
    page = await (await builders.browser_session(make_client, world.admin)).get("/calendar")
    assert f'action="/calendar/feeds/{feeds[0]["id"]}/revoke"' in page.text
    assert f'action="/calendar/feeds/{feeds[1]["id"]}/revoke"' not in page.text
    assert world.cm.name in page.text

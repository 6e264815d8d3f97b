"""The home page per role: what needs the reader now, in their scope, bounded."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from facilities.accounts.enums import Role
from facilities.kit import clock
from facilities.maintenance.workorders import actions as order_actions
from facilities.maintenance.workorders.schemas import Priority, WorkOrderCreate
from facilities.reporting import home
from tests import builders, maintenance_builders

NOW = datetime(2027, 3, 10, 9, 0, tzinfo=UTC)


async def _order(site_id: int, title: str, **values: Any) -> int:
    created = await order_actions.create_work_order(
        actor=await builders.system(),
        data=WorkOrderCreate(title=title, site_id=site_id, **values),
    )
    return created.id


async def test_a_partner_home_lists_its_assigned_work_by_due_date(make_client) -> None:  # type: ignore[no-untyped-def]
    region = await builders.region()
    site = await builders.site(region.id, time_zone="Europe/Berlin")
    ours, theirs = await builders.partner_org("Ours GmbH"), await builders.partner_org("Theirs")
    partner = await builders.user(Role.partner, partner_id=ours.id)
    with clock.pinned(NOW):
        await _order(
            site.id, "Later job", partner_organisation_id=ours.id, due_at=NOW + timedelta(days=3)
        )
        await _order(
            site.id, "Sooner job", partner_organisation_id=ours.id, due_at=NOW + timedelta(hours=5)
        )
        await _order(site.id, "Someone else's job", partner_organisation_id=theirs.id)
        client = await builders.browser_session(make_client, partner)
        response = await client.get("/")
    assert response.status_code == 200, response.text
    html = response.text
    assert "Your work orders will appear here." not in html
    assert "Someone else&#39;s job" not in html and "Someone else's job" not in html
    assert html.index("Sooner job") < html.index("Later job")
    assert "Your open work" in html


async def test_a_community_manager_home_shows_reports_and_overdue_work_first(make_client) -> None:  # type: ignore[no-untyped-def]
    region = await builders.region()
    own = await builders.site(region.id, name="Own Site")
    foreign = await builders.site(region.id, name="Foreign Site")
    cm = await builders.user(Role.community_manager)
    await builders.assign(cm, sites=[own.id])
    own_asset = await maintenance_builders.asset(own.id, "Coffee machine")
    foreign_asset = await maintenance_builders.asset(foreign.id, "Printer")
    with clock.pinned(NOW):
        await maintenance_builders.report(
            asset_id=own_asset, description="Coffee machine leaks water"
        )
        await maintenance_builders.report(
            asset_id=foreign_asset, description="Printer jams all day"
        )
        await _order(own.id, "Due in two days", due_at=NOW + timedelta(days=2))
        await _order(
            own.id, "Was due yesterday", due_at=NOW - timedelta(days=1), priority=Priority.p2
        )
        await _order(own.id, "Due next month", due_at=NOW + timedelta(days=30))
        await _order(foreign.id, "Foreign overdue", due_at=NOW - timedelta(days=1))
        client = await builders.browser_session(make_client, cm)
        response = await client.get("/")
    html = response.text
    assert response.status_code == 200, html
    assert "Coffee machine leaks water" in html and "Printer jams" not in html
    assert html.index("Was due yesterday") < html.index("Due in two days")
    assert "Overdue" in html
    assert "Due next month" not in html and "Foreign overdue" not in html


async def test_the_operations_home_counts_overdue_and_unassigned_in_the_regions_only() -> None:
    mine, other = await builders.region(), await builders.region()
    site = await builders.site(mine.id)
    elsewhere = await builders.site(other.id)
    partner = await builders.partner_org()
    ops = await builders.user(Role.ops_manager)
    await builders.assign(ops, regions=[mine.id])
    with clock.pinned(NOW):
        for n in range(home.TOP + 3):
            await _order(site.id, f"Overdue {n}", due_at=NOW - timedelta(hours=n + 1))
        await _order(site.id, "Assigned", partner_organisation_id=partner.id)
        await _order(elsewhere.id, "Not in my regions", due_at=NOW - timedelta(days=1))
        result = await home.home(builders.principal(ops))
    assert result.kind == "operations"
    assert result.overdue is not None and result.overdue.total == home.TOP + 3
    assert len(result.overdue.items) == home.TOP  # bounded, with "see all"
    assert result.unassigned is not None and result.unassigned.total == home.TOP + 3
    assert all(w.title != "Not in my regions" for w in result.overdue.items)
    assert result.open_total == home.TOP + 4

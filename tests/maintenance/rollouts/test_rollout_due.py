"""Roll-out installation orders are due at a time the site is open on the target day, so
the calendar does not flag them "outside opening hours" (they were due at 23:59)."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

import msgspec

from facilities import db
from facilities.assets import actions as asset_actions
from facilities.assets.schemas import CategoryCreate
from facilities.kit import clock
from facilities.kit.rows import aware
from facilities.maintenance.rollouts.actions import due_at
from facilities.reporting import calendar as calendar_page
from tests import builders
from tests.monitoring_builders import T0, field_site

WEEKDAY_HOURS = {d: [["08:00", "18:00"]] for d in ("mon", "tue", "wed", "thu", "fri")}


def test_due_before_the_last_closing_time_of_the_target_day() -> None:
    hours = {"fri": [["08:00", "12:00"], ["13:00", "18:00"]], "sat": [["10:00", "10:30"]]}
    # Friday 20 Nov 2026, Berlin (UTC+1): closes 18:00, due one default job length before
    assert due_at(date(2026, 11, 20), "Europe/Berlin", hours) == datetime(
        2026, 11, 20, 16, 0, tzinfo=UTC
    )
    # a short interval: its opening time
    assert due_at(date(2026, 11, 21), "Europe/Berlin", hours) == datetime(
        2026, 11, 21, 9, 0, tzinfo=UTC
    )
    # closed that weekday, a public holiday, or no opening hours at all: the end of the day
    for hours_of, closed in ((hours, False), (WEEKDAY_HOURS, True), ({}, False)):
        assert due_at(date(2026, 11, 22), "Europe/Berlin", hours_of, closed) == datetime(
            2026, 11, 22, 22, 59, tzinfo=UTC
        )
    assert due_at(None, "Europe/Berlin", hours) is None


async def test_installation_order_is_not_flagged_outside_opening_hours(make_client: Any) -> None:
    with clock.pinned(T0):
        f = await field_site(0)
        region = (await db.raw("SELECT region FROM site WHERE id = {}", f.site.id))[0]["region"]
        site = await builders.site(int(region), opening_hours=WEEKDAY_HOURS)
        category = await asset_actions.create_category(
            actor=await builders.system(),
            data=msgspec.convert({"name": "Access point", "trade": "it_network"}, CategoryCreate),
        )
        ops = await builders.api(make_client, f.ops)
        response = await ops.post(
            "/api/v1/rollouts",
            json={
                "name": "Wi-Fi 7 upgrade",
                "category_id": category.id,
                "sites": [
                    {"site_id": site.id, "target_date": "2026-11-20"},
                    # a field site without opening hours: due at the end of the day, and
                    # its empty weekdays do not mean "closed" (it was flagged too)
                    {"site_id": f.site.id, "target_date": "2026-11-19"},
                ],
            },
        )
        assert response.status_code == 201, response.text
        rows = await db.raw(
            "SELECT site, due_at FROM work_order WHERE origin = 'rollout' ORDER BY site"
        )
        due = {r["site"]: aware(r["due_at"]) for r in rows}
        assert due[site.id] == datetime(2026, 11, 20, 16, 0, tzinfo=UTC)  # 17:00 in Berlin
        assert due[f.site.id] == datetime(2026, 11, 19, 22, 59, tzinfo=UTC)  # 23:59
        assert (await db.raw("SELECT opening_hours FROM site WHERE id = {}", f.site.id))[0]
        week = await calendar_page.calendar(
            await builders.system(),
            view="week",
            anchor=date(2026, 11, 16),
            site_id=None,
            partner_id=None,
        )
        thursday, friday = week["days"][3], week["days"][4]
        title = "Install Access point (Wi-Fi 7 upgrade)"
        assert [e.title for e in friday.entries] == [title]
        assert [e.title for e in thursday.entries] == [title]
        assert friday.entries[0].flags == [] and thursday.entries[0].flags == []
        assert week["clash_count"] == 0

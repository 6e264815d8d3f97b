"""Layout defects seen on today's pages at phone width (390 px), checked in a real browser:

* a filter form's choice of site takes the whole row: beside the "Show" button it was cut to
  "AP-002 Access" on the device board and "Alle meine Sta" on the regional dashboard;
* buttons wrapped under a long title keep their distance from the next card (a work order's
  "Print sheet (PDF)" sat on it);
* a heading after a list of facts does not touch it (the device page's "Outages this month"
  sat on "Availability this month", the scorecard's "Service visits" on its work figures),
  nor does one after a table (the scorecard's "Work" on its SLA table).
"""

from __future__ import annotations

from typing import Any

from facilities.accounts.enums import Role
from tests import builders
from tests.browser.helpers import sign_in
from tests.workorders_builders import work_order


async def _box(page: Any, selector: str) -> dict[str, float]:
    box = await page.locator(selector).first.bounding_box()
    assert box is not None, selector
    return dict(box)


async def test_a_site_choice_is_as_wide_as_its_form_on_a_phone(page: Any) -> None:
    region = await builders.region("Rhein-Neckar")
    site = await builders.site(region.id, name="Access point site Hockenheim-Talhaus")
    ops = await builders.user(Role.ops_manager)
    await builders.assign(ops, regions=[region.id])
    await sign_in(page, ops.email)
    for url in (f"/monitoring?site_id={site.id}", f"/reporting/regions/{region.id}"):
        await page.goto(url)
        form = await _box(page, "main form.filters")
        select = await _box(page, "main form.filters .field select")
        # the form's padding aside, the select spans the row (it had half of it)
        assert select["width"] > form["width"] * 0.8, (url, select, form)
        assert await page.evaluate("document.documentElement.scrollWidth <= innerWidth"), url


async def test_a_heading_after_facts_or_a_table_keeps_its_distance(page: Any) -> None:
    partner = await builders.partner_org("Elektro Kurpfalz GmbH")
    ops = await builders.user(Role.ops_manager)
    await sign_in(page, ops.email)
    await page.goto(f"/scorecards/{partner.id}")
    facts = await _box(page, "main dl.facts")
    heading = await _box(page, "main dl.facts + h2")
    gap = heading["y"] - (facts["y"] + facts["height"])
    assert gap >= 12, gap  # about 1rem; it was 0
    table = await _box(page, "main table")
    after_table = await _box(page, "main table + h2")
    gap = after_table["y"] - (table["y"] + table["height"])
    assert gap >= 12, gap  # "Work" sat on the SLA table


async def test_buttons_under_a_long_title_keep_their_distance(page: Any) -> None:
    region = await builders.region("Rhein-Neckar")
    site = await builders.site(region.id)
    ops = await builders.user(Role.ops_manager)
    await builders.assign(ops, regions=[region.id])
    order = await work_order(site.id, title="Sicherungsstift und Plombe unversehrt — Feuerlöscher")
    await sign_in(page, ops.email)
    await page.goto(f"/work-orders/{order.id}")
    buttons = await _box(page, "main .heading-row .actions")
    card = await _box(page, "main .heading-row + *")
    gap = card["y"] - (buttons["y"] + buttons["height"])
    assert gap >= 12, gap  # it was 0: "Print sheet (PDF)" sat on the card

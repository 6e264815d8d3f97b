"""Capacity: planned minutes per partner and person per week against their stated weekly
capacity, on a hand-computed case. "Now" is Wednesday 10 June 2026 08:00 UTC, so the eight
weeks start on Monday 8 June.

Partner P states 300 min/week, its technician U 120 min/week. At site A (the community
manager's):

* WO1 P + U, due Tue 9 June, estimate 90 → week 1: P 90, U 90
* WO2 P, due Thu 11 June, no estimate → 60 (the default) → week 1: P 60
* WO3 P + U, due Tue 16 June, estimate 200 → week 2: P 200, U 200 (U overloaded: 200 > 120)
* WO4 P, no due time → undated 60
* WO5 P, completed → not planned
* an inspection due Fri 12 June assigned to P → 30 → week 1
* weekly cleaning visits (Wednesdays 10:00, 120-minute window) under a contract with P:
  10 June → week 1, 17 June → week 2

Week 1: P 90 + 60 + 30 + 120 = 300 = its capacity (not an overload); week 2: P 200 + 120 =
320 > 300 (overload). At site B (foreign to the community manager) WO6 P due Fri 12 June,
estimate 500: the ops manager's week 1 is 800 (overloaded), the community manager's stays 300.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import msgspec

from facilities.accounts import actions as accounts
from facilities.accounts.enums import Role
from facilities.accounts.schemas import PartnerOrganisationUpdate, UserUpdate
from facilities.kit import clock
from facilities.safety.inspections.tables import Inspection
from facilities.services import visits as visit_jobs
from tests import builders
from tests.safety.helpers import starter
from tests.services import helpers as services
from tests.workorders_builders import step, work_order, world

NOW = datetime(2026, 6, 10, 8, tzinfo=UTC)


def utc(*args: int) -> datetime:
    return datetime(*args, tzinfo=UTC)  # type: ignore[misc,arg-type]


async def _build() -> Any:
    w = await world(time_zone="UTC")
    system = await builders.system()
    await accounts.update_partner_organisation(
        actor=system,
        partner_id=w.partner_org_id,
        data=msgspec.convert({"weekly_capacity_minutes": 300}, PartnerOrganisationUpdate),
    )
    await accounts.update_user(
        actor=system,
        user_id=w.partner.id,
        data=msgspec.convert({"weekly_capacity_minutes": 120}, UserUpdate),
    )
    p, u = w.partner_org_id, w.partner.id
    with clock.pinned(utc(2026, 6, 1)):
        await work_order(
            w.site.id,
            partner_organisation_id=p,
            assignee_id=u,
            due_at=utc(2026, 6, 9, 12),
            estimated_minutes=90,
        )
        await work_order(w.site.id, partner_organisation_id=p, due_at=utc(2026, 6, 11, 12))
        await work_order(
            w.site.id,
            partner_organisation_id=p,
            assignee_id=u,
            due_at=utc(2026, 6, 16, 9),
            estimated_minutes=200,
        )
        await work_order(w.site.id, partner_organisation_id=p)
        done = await work_order(
            w.site.id, partner_organisation_id=p, due_at=utc(2026, 6, 9), estimated_minutes=999
        )
        await work_order(
            w.other_site.id,
            partner_organisation_id=p,
            due_at=utc(2026, 6, 12, 9),
            estimated_minutes=500,
        )
    with clock.pinned(utc(2026, 6, 2)):
        await step(done.id, w.partner, "accept")
        await step(done.id, w.partner, "start")
        await step(done.id, w.partner, "complete", note="Done")
    template = await starter()
    await Inspection(
        template_version=template.version_id,
        site=w.site.id,
        target_key=f"site:{w.site.id}",
        occurrence_key="capacity",
        due_at=utc(2026, 6, 12, 9),
        status="due",
        assignee_partner=p,
    ).save()
    with clock.pinned(utc(2026, 5, 1)):
        contract = await services.contract(p, [w.site.id])
        plan = await services.plan(
            contract.id,
            rrule="FREQ=WEEKLY;BYDAY=WE",
            dtstart_local="2026-06-03T10:00:00",
            window_minutes=120,
            lead_days=8,
        )
    await visit_jobs.generate_visits(NOW)
    planned = {str(v["scheduled_for"])[:16] for v in await services.visits(plan.id)}
    assert {"2026-06-10 10:00", "2026-06-17 10:00"} <= {t.replace("T", " ") for t in planned}
    ops = await builders.user(Role.ops_manager)
    await builders.assign(ops, regions=[w.site.region_id])
    return w, ops


def _row(body: dict[str, Any], kind: str, ident: int) -> dict[str, Any]:
    return next(r for r in body["rows"] if r["kind"] == kind and r["id"] == ident)


async def test_planned_work_against_capacity(make_client: Any) -> None:
    w, ops = await _build()
    cm_api = await builders.api(make_client, w.cm)
    ops_api = await builders.api(make_client, ops)
    with clock.pinned(NOW):
        mine = await cm_api.get("/api/v1/reporting/capacity")
        region = await ops_api.get(
            "/api/v1/reporting/capacity", params={"region_id": w.site.region_id}
        )
    assert mine.status_code == 200, mine.text
    body = mine.json()
    assert body["weeks"][0] == "2026-06-08" and len(body["weeks"]) == 8
    partner = _row(body, "partner", w.partner_org_id)
    assert partner["capacity_minutes"] == 300
    assert [wk["minutes"] for wk in partner["weeks"]] == [300, 320, 0, 0, 0, 0, 0, 0]
    assert [wk["overload"] for wk in partner["weeks"][:2]] == [False, True]
    assert partner["weeks"][1]["load"] == 106.7
    assert partner["weeks"][0]["items"] == 4
    assert partner["undated_minutes"] == 60
    person = _row(body, "person", w.partner.id)
    assert person["capacity_minutes"] == 120
    assert [wk["minutes"] for wk in person["weeks"][:2]] == [90, 200]
    assert [wk["overload"] for wk in person["weeks"][:2]] == [False, True]
    assert region.status_code == 200, region.text
    wide = _row(region.json(), "partner", w.partner_org_id)
    assert [wk["minutes"] for wk in wide["weeks"][:2]] == [800, 320]
    assert wide["weeks"][0]["overload"] is True


async def test_capacity_page_and_bad_input(make_client: Any) -> None:
    w, ops = await _build()
    client = await builders.browser_session(make_client, ops)
    cm_api = await builders.api(make_client, w.cm)
    with clock.pinned(NOW):
        shown = await client.get("/reporting/capacity")
        foreign_region = await cm_api.get(
            "/api/v1/reporting/capacity", params={"region_id": 999_999}
        )
    assert shown.status_code == 200
    assert "overloaded" in shown.text and "5.0 h" in shown.text
    assert foreign_region.status_code == 404
    admin = await builders.api(make_client, await builders.user(Role.admin))
    refused = await admin.patch(
        f"/api/v1/partner-organisations/{w.partner_org_id}", json={"weekly_capacity_minutes": -5}
    )
    assert refused.status_code == 422, refused.text
    assert "weekly_capacity_minutes" in refused.text
    stated = await admin.patch(
        f"/api/v1/users/{w.partner.id}", json={"weekly_capacity_minutes": 600}
    )
    assert stated.status_code == 200 and stated.json()["weekly_capacity_minutes"] == 600

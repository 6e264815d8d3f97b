"""Visit generation (idempotent, site-local, closed days), sign-off, missed detection,
scoping of visits."""

from __future__ import annotations

import asyncio
from datetime import date, timedelta
from typing import Any

from facilities.accounts.enums import Role
from facilities.kit import clock
from facilities.services import visits as visit_jobs
from tests import builders
from tests.services import helpers as h
from tests.workorders_builders import world


async def test_generation_is_idempotent_and_site_local() -> None:
    w = await world(time_zone="Europe/Berlin")
    with clock.pinned(h.utc(2026, 3, 1, 12)):
        contract = await h.contract(w.partner_org_id, [w.site.id, w.other_site.id])
        plan = await h.plan(contract.id, lead_days=15)
    now = h.utc(2026, 3, 1, 12)
    first = await visit_jobs.generate_visits(now)
    # Mondays 2, 9 and 16 March at 08:00 Berlin (07:00 UTC) at two sites (15 days ahead)
    assert first.created == 6 and not first.errors
    rows = await h.visits(plan.id)
    assert {r["occurrence_key"] for r in rows} == {
        "2026-03-02T08:00:00",
        "2026-03-09T08:00:00",
        "2026-03-16T08:00:00",
    }
    assert all(r["status"] == "scheduled" for r in rows)
    second = await visit_jobs.generate_visits(now)
    assert second.created == 0
    both = await asyncio.gather(
        visit_jobs.generate_visits(now + timedelta(days=7)),
        visit_jobs.generate_visits(now + timedelta(days=7)),
    )
    assert sum(r.created for r in both) == 2  # 23 March at two sites, once
    assert len(await h.visits(plan.id)) == 8
    visit = (await h.visits(plan.id))[0]
    scheduled = visit["scheduled_for"]
    text = scheduled if isinstance(scheduled, str) else scheduled.isoformat()
    assert text.startswith("2026-03-02") and "07:00" in text


async def test_plan_sites_holidays_and_contract_end() -> None:
    w = await world(time_zone="Europe/Berlin")
    with clock.pinned(h.utc(2026, 3, 20, 12)):
        contract = await h.contract(
            w.partner_org_id, [w.site.id, w.other_site.id], end_date=date(2026, 4, 10)
        )
        # Easter Monday 2026 is 6 April (a public holiday in Germany): moved to Tuesday.
        plan = await h.plan(
            contract.id, dtstart_local="2026-03-23T08:00:00", site_ids=[w.site.id], lead_days=60
        )
    await visit_jobs.generate_visits(h.utc(2026, 3, 20, 12))
    rows = await h.visits(plan.id)
    assert {r["site"] for r in rows} == {w.site.id}
    keys = [r["occurrence_key"] for r in rows]
    assert keys == ["2026-03-23T08:00:00", "2026-03-30T08:00:00", "2026-04-06T08:00:00"]
    shifted = rows[2]["scheduled_for"]
    text = shifted if isinstance(shifted, str) else shifted.isoformat()
    assert text.startswith("2026-04-07")  # moved past the holiday; nothing after 10 April


async def test_draft_contract_generates_nothing() -> None:
    w = await world()
    with clock.pinned(h.utc(2026, 3, 1, 12)):
        contract = await h.contract(w.partner_org_id, [w.site.id], status="draft")
        await h.plan(contract.id)
    assert (await visit_jobs.generate_visits(h.utc(2026, 3, 1, 12))).created == 0


async def _one_visit(w: Any) -> dict[str, Any]:
    with clock.pinned(h.utc(2026, 3, 1, 12)):
        contract = await h.contract(w.partner_org_id, [w.site.id])
        plan = await h.plan(contract.id, lead_days=3)
    await visit_jobs.generate_visits(h.utc(2026, 3, 1, 12))
    rows = await h.visits(plan.id)
    assert len(rows) == 1
    return rows[0]


async def test_sign_off_rules(make_client: Any) -> None:
    w = await world(time_zone="Europe/Berlin")
    visit = await _one_visit(w)
    cm = await builders.api(make_client, w.cm)
    url = f"/api/v1/visits/{visit['id']}/sign-off"
    with clock.pinned(h.utc(2026, 3, 1, 13)):
        early = await cm.post(url, json={"done": True, "rating": 4})
        assert early.status_code == 422  # not started yet
    with clock.pinned(h.utc(2026, 3, 2, 9)):
        no_rating = await cm.post(url, json={"done": True})
        assert no_rating.status_code == 422 and no_rating.json()["fields"][0]["field"] == "rating"
        bad_rating = await cm.post(url, json={"done": True, "rating": 6})
        assert bad_rating.status_code in (400, 422)
        not_done = await cm.post(url, json={"done": False})
        assert not_done.status_code == 422 and not_done.json()["fields"][0]["field"] == "comment"
        partner = await builders.api(make_client, w.partner)
        assert (await partner.post(url, json={"done": True, "rating": 5})).status_code == 403
        done = await cm.post(url, json={"done": True, "rating": 4, "comment": "Spotless"})
        assert done.status_code == 200, done.text
        assert done.json()["status"] == "done" and done.json()["rating"] == 4
        again = await cm.post(url, json={"done": True, "rating": 5})
        assert again.status_code == 409
    # the partner sees its visit, another partner does not
    partner = await builders.api(make_client, w.partner)
    assert (await partner.get(f"/api/v1/visits/{visit['id']}")).status_code == 200
    stranger = await builders.api(make_client, w.stranger)
    assert (await stranger.get(f"/api/v1/visits/{visit['id']}")).status_code == 404
    assert (await stranger.get("/api/v1/visits")).json() == []
    other_cm = await builders.user(Role.community_manager)
    await builders.assign(other_cm, sites=[w.other_site.id])
    other = await builders.api(make_client, other_cm)
    assert (await other.get(f"/api/v1/visits/{visit['id']}")).status_code == 404
    assert (
        await other.post(
            url.replace(str(visit["id"]), str(visit["id"])), json={"done": False, "comment": "x"}
        )
    ).status_code == 404


async def test_sign_off_page_for_phone(make_client: Any) -> None:
    w = await world(time_zone="Europe/Berlin")
    visit = await _one_visit(w)
    browser = await builders.browser_session(make_client, w.cm)
    with clock.pinned(h.utc(2026, 3, 2, 8)):
        today = await browser.get("/visits/today")
        assert today.status_code == 200 and f"/visits/{visit['id']}" in today.text
        page = await browser.get(f"/visits/{visit['id']}")
        assert 'name="rating"' in page.text and 'name="viewport"' in page.text
        missing = await builders.post_form(
            browser, f"/visits/{visit['id']}/sign-off", {"outcome": "done"}, form_page="/visits"
        )
        assert missing.status_code == 422
        saved = await builders.post_form(
            browser,
            f"/visits/{visit['id']}/sign-off",
            {"outcome": "not_done", "comment": "Nobody came"},
            form_page="/visits",
        )
        assert saved.status_code == 303
        shown = await browser.get(f"/visits/{visit['id']}")
        assert "Nobody came" in shown.text


async def test_missed_detection_with_pinned_clock(make_client: Any) -> None:
    w = await world(time_zone="Europe/Berlin")
    visit = await _one_visit(w)  # window 2 March 07:00-09:00 UTC
    assert await visit_jobs.mark_missed(h.utc(2026, 3, 3, 8, 59)) == 0  # < 24 h after
    assert await visit_jobs.mark_missed(h.utc(2026, 3, 3, 9, 1)) == 1
    assert await visit_jobs.mark_missed(h.utc(2026, 3, 3, 10)) == 0  # idempotent
    rows = await h.visits()
    assert rows[0]["status"] == "missed"
    # a missed visit may still be signed off late
    cm = await builders.api(make_client, w.cm)
    with clock.pinned(h.utc(2026, 3, 3, 12)):
        late = await cm.post(
            f"/api/v1/visits/{visit['id']}/sign-off", json={"done": True, "rating": 2}
        )
    assert late.status_code == 200 and late.json()["status"] == "done"
    with clock.pinned(h.utc(2026, 3, 3, 12)):
        listed = await cm.get("/api/v1/visits", params={"site_id": w.site.id})
    assert [v["id"] for v in listed.json()] == [visit["id"]]

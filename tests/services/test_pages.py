"""The contract pages end to end without JavaScript: detail with documents, a visit plan
added through the form, the visit lists, the edit form."""

from __future__ import annotations

from typing import Any

from facilities.accounts.enums import Role
from facilities.kit import clock
from facilities.services import visits as visit_jobs
from tests import builders
from tests.services import helpers as h
from tests.workorders_builders import world

PDF = b"%PDF-1.4\n%%EOF\n"


async def test_contract_detail_documents_plans_and_visits(make_client: Any) -> None:
    w = await world(time_zone="Europe/Berlin")
    ops = await builders.user(Role.ops_manager)
    await builders.assign(ops, regions=[w.site.region_id])
    with clock.pinned(h.utc(2026, 3, 1, 12)):
        contract = await h.contract(
            w.partner_org_id, [w.site.id], auto_renew=True, renewal_term_months=6
        )
        browser = await builders.browser_session(make_client, ops)
        token = await builders.csrf(browser, f"/contracts/{contract.id}")
        uploaded = await browser.post(
            f"/contracts/{contract.id}/documents",
            data={"_csrf_token": token},
            files={"file": ("signed.pdf", PDF, "application/pdf")},
        )
        assert uploaded.status_code == 303
        refused = await browser.post(
            f"/contracts/{contract.id}/documents",
            data={"_csrf_token": token},
            files={"file": ("notes.txt", b"plain text", "text/plain")},
        )
        assert refused.status_code == 303  # back to the page with the error as a flash
        bad_plan = await builders.post_form(
            browser,
            f"/contracts/{contract.id}/visit-plans",
            {"name": "Broken", "rrule": "FREQ=SOMETIMES", "dtstart_local": "2026-03-02T08:00"},
            form_page=f"/contracts/{contract.id}",
        )
        # The form comes back with the message at the field and the typed name kept.
        assert bad_plan.status_code == 422
        assert 'id="e-rrule"' in bad_plan.text and 'value="Broken"' in bad_plan.text
        plan = await builders.post_form(
            browser,
            f"/contracts/{contract.id}/visit-plans",
            {
                "name": "Monday round",
                "frequency": "weekly",
                "interval": "1",
                "weekdays": "MO",
                "ends": "never",
                "dtstart_local": "2026-03-02T08:00",
                "window_minutes": "90",
                "lead_days": "7",
                "skip_closed_days": "on",
            },
            form_page=f"/contracts/{contract.id}",
        )
        assert plan.status_code == 303
        await visit_jobs.generate_visits(clock.now())
        detail = await browser.get(f"/contracts/{contract.id}")
        assert detail.status_code == 200
        assert "signed.pdf" in detail.text and "notes.txt" not in detail.text
        assert "Monday round" in detail.text and "every Monday at 08:00" in detail.text
        assert "FREQ=" not in detail.text
        assert "Broken" not in detail.text
        assert "6 months" in detail.text and "90 minutes" in detail.text
        assert "/visits/" in detail.text  # the generated visit is listed
        edit = await browser.get(f"/contracts/{contract.id}/edit")
        assert edit.status_code == 200 and 'name="version"' in edit.text
        saved = await builders.post_form(
            browser,
            f"/contracts/{contract.id}/edit",
            {
                "version": "1",
                "provider_id": str(w.partner_org_id),
                "name": "Cleaning renamed",
                "contract_type": "cleaning",
                "start_date": "2026-01-01",
                "end_date": "2027-12-31",
                "site_ids": str(w.site.id),
                "notice_days": "30",
                "renewal_term_months": "6",
                "price_model": "per_visit",
                "price": "45.50",
                "currency": "EUR",
                "status": "active",
                "confirm_overlap": "on",
            },
            form_page=f"/contracts/{contract.id}/edit",
        )
        assert saved.status_code == 303, saved.text
        assert "Cleaning renamed" in (await browser.get(f"/contracts/{contract.id}")).text
        visits = await browser.get("/visits", params={"site_id": w.site.id})
        assert visits.status_code == 200 and "Monday round" in visits.text
        # a partner sees the contract page without the management forms
        partner = await builders.browser_session(make_client, w.partner)
        shown = await partner.get(f"/contracts/{contract.id}")
        assert shown.status_code == 200 and "/visit-plans" not in shown.text
        assert (await partner.get(f"/contracts/{contract.id}/edit")).status_code == 403


async def test_pause_plan_and_cancel_visit(make_client: Any) -> None:
    w = await world()
    ops = await builders.user(Role.ops_manager)
    await builders.assign(ops, regions=[w.site.region_id])
    with clock.pinned(h.utc(2026, 3, 1, 12)):
        contract = await h.contract(w.partner_org_id, [w.site.id])
        plan = await h.plan(contract.id, lead_days=3)
    await visit_jobs.generate_visits(h.utc(2026, 3, 1, 12))
    visit = (await h.visits(plan.id))[0]
    browser = await builders.browser_session(make_client, ops)
    paused = await builders.post_form(
        browser, f"/visit-plans/{plan.id}/active", {}, form_page=f"/contracts/{contract.id}"
    )
    assert paused.status_code == 303
    assert (await visit_jobs.generate_visits(h.utc(2026, 3, 20))).created == 0
    cancelled = await builders.post_form(
        browser, f"/visits/{visit['id']}/cancel", {}, form_page=f"/visits/{visit['id']}"
    )
    assert cancelled.status_code == 303
    assert (await h.visits(plan.id))[0]["status"] == "cancelled"
    again = await builders.post_form(
        browser, f"/visits/{visit['id']}/cancel", {}, form_page=f"/visits/{visit['id']}"
    )
    assert again.status_code == 303  # refused with a message, nothing changes
    cm = await builders.browser_session(make_client, w.cm)
    forbidden = await builders.post_form(
        cm, f"/visits/{visit['id']}/cancel", {}, form_page=f"/visits/{visit['id']}"
    )
    assert forbidden.status_code == 403

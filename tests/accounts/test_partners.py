"""Partner organisations: trades, contact, service area (API and pages), validation, scoping,
and the trade a work order carries (from the form/API or the asset's category) into routing."""

from __future__ import annotations

from typing import Any

import msgspec

from facilities.accounts import queries
from facilities.accounts.enums import Role, Trade
from facilities.accounts.tables import AuditEvent
from facilities.assets import actions as asset_actions
from facilities.assets.schemas import CategoryCreate
from facilities.maintenance import hooks
from facilities.maintenance.enums import ReportSource
from facilities.maintenance.reports import actions as report_actions
from facilities.maintenance.reports.schemas import ProblemReportCreate
from facilities.maintenance.tables import WorkOrder
from tests import builders
from tests import maintenance_builders as mb
from tests import workorders_builders as wb


async def test_partner_with_trades_contact_and_service_area(make_client) -> None:
    ops = await builders.user(Role.ops_manager)
    region = await builders.region()
    site = await builders.site(region.id)
    client = await builders.api(make_client, ops)
    created = await client.post(
        "/api/v1/partner-organisations",
        json={
            "name": "Elektro Kraft GmbH",
            "email": "Dispatch@Elektro-Kraft.example",
            "phone": "+49 6221 1234",
            "contact_name": "Kim Kraft",
            "notes": "24/7 hotline for P1",
            "trades": ["electrical", "fire_safety", "electrical"],
            "site_ids": [site.id],
            "region_ids": [region.id],
        },
    )
    assert created.status_code == 201, created.text
    body = created.json()
    assert body["email"] == "dispatch@elektro-kraft.example"
    assert body["contact_name"] == "Kim Kraft" and body["notes"] == "24/7 hotline for P1"
    assert body["trades"] == ["electrical", "fire_safety"]
    assert body["site_ids"] == [site.id] and body["region_ids"] == [region.id]
    partner_id = body["id"]

    other = await client.post(
        "/api/v1/partner-organisations", json={"name": "Clean Team", "trades": ["cleaning"]}
    )
    assert other.status_code == 201
    by_trade = await client.get("/api/v1/partner-organisations", params={"trade": "electrical"})
    assert [p["name"] for p in by_trade.json()] == ["Elektro Kraft GmbH"]

    changed = await client.patch(
        f"/api/v1/partner-organisations/{partner_id}",
        json={"trades": ["hvac"], "site_ids": [], "contact_name": "Alex Kraft"},
    )
    assert changed.status_code == 200, changed.text
    after = changed.json()
    assert after["trades"] == ["hvac"] and after["site_ids"] == []
    assert after["region_ids"] == [region.id]  # untouched
    assert after["contact_name"] == "Alex Kraft"
    read = await client.get(f"/api/v1/partner-organisations/{partner_id}")
    assert read.json() == after
    audit = await AuditEvent.select(AuditEvent.action).where(
        AuditEvent.object_type == "partner_organisation"
    )
    assert {"partner.create", "partner.update"} <= {a["action"] for a in audit}


async def test_partner_validation_names_the_field(make_client) -> None:
    ops = await builders.user(Role.ops_manager)
    client = await builders.api(make_client, ops)
    bad_trade = await client.post(
        "/api/v1/partner-organisations", json={"name": "X", "trades": ["plumbing", "magic"]}
    )
    assert bad_trade.status_code == 422
    assert bad_trade.json()["fields"][0]["field"].startswith("trades")
    bad_site = await client.post(
        "/api/v1/partner-organisations", json={"name": "Y", "site_ids": [987654]}
    )
    assert bad_site.status_code == 422
    assert bad_site.json()["fields"][0]["field"] == "site_ids"
    bad_region = await client.post(
        "/api/v1/partner-organisations", json={"name": "Z", "region_ids": [987654]}
    )
    assert bad_region.status_code == 422
    assert bad_region.json()["fields"][0]["field"] == "region_ids"
    listing = await client.get("/api/v1/partner-organisations")
    assert listing.json() == []  # nothing half-written
    ok = await client.post("/api/v1/partner-organisations", json={"name": "Dup"})
    patch_bad = await client.patch(
        f"/api/v1/partner-organisations/{ok.json()['id']}", json={"region_ids": [424242]}
    )
    assert patch_bad.status_code == 422
    assert patch_bad.json()["fields"][0]["field"] == "region_ids"
    dup = await client.post("/api/v1/partner-organisations", json={"name": "Dup"})
    assert dup.status_code == 409
    missing = await client.get("/api/v1/partner-organisations/987654")
    assert missing.status_code == 404


async def test_partner_users_and_viewers_cannot_manage_partners(make_client) -> None:
    partner = await builders.user(Role.partner)
    cm = await builders.user(Role.community_manager)
    as_partner = await builders.api(make_client, partner)
    assert (await as_partner.get("/api/v1/partner-organisations")).status_code == 403
    as_cm = await builders.api(make_client, cm)
    assert (await as_cm.get("/api/v1/partner-organisations")).status_code == 200
    denied = await as_cm.post("/api/v1/partner-organisations", json={"name": "Nope"})
    assert denied.status_code == 403


async def test_partner_pages_create_and_edit(make_client) -> None:
    ops = await builders.user(Role.ops_manager)
    region = await builders.region("North")
    site = await builders.site(region.id, name="Harbour Loft")
    client = await builders.browser_session(make_client, ops)
    page = await client.get("/admin/partners")
    assert page.status_code == 200 and "Harbour Loft" in page.text and "Plumbing" in page.text
    token = await builders.csrf(client, "/admin/partners")
    created = await client.post(
        "/admin/partners",
        data={
            "_csrf_token": token,
            "name": "Aqua Service",
            "email": "hello@aqua.example",
            "contact_name": "Pat",
            "trades": ["plumbing", "hvac"],
            "site_ids": [str(site.id)],
        },
    )
    assert created.status_code == 303, created.text
    path = created.headers["location"]
    detail = await client.get(path)
    assert "Aqua Service" in detail.text and 'value="plumbing" checked' in detail.text
    bad = await builders.post_form(
        client, path, {"name": "Aqua Service", "trades": ["nonsense"]}, form_page=path
    )
    assert bad.status_code == 422 and "has-error" in bad.text
    saved = await builders.post_form(
        client,
        path,
        {"name": "Aqua Service", "trades": ["plumbing"], "region_ids": [str(region.id)]},
        form_page=path,
    )
    assert saved.status_code == 303
    listing = await client.get("/admin/partners", params={"trade": "plumbing"})
    assert "Aqua Service" in listing.text
    assert "Aqua Service" not in (await client.get("/admin/partners?trade=hvac")).text


async def test_partner_weekly_capacity_in_hours(make_client) -> None:
    """The capacity page's figure is entered on the partner's page in hours (a decimal
    comma too); a bad value is shown at the field with what was typed kept."""
    ops = await builders.user(Role.ops_manager)
    client = await builders.browser_session(make_client, ops)
    token = await builders.csrf(client, "/admin/partners")
    created = await client.post(
        "/admin/partners",
        data={"_csrf_token": token, "name": "Funk Service", "weekly_capacity_hours": "37,5"},
    )
    assert created.status_code == 303, created.text
    path = created.headers["location"]
    partner_id = int(path.rsplit("/", 1)[1])
    stored = await queries.get_partner_organisation(partner_id)
    assert stored.weekly_capacity_minutes == 2250
    assert 'value="37.5"' in (await client.get(path)).text
    bad = await builders.post_form(
        client, path, {"name": "Funk Service", "weekly_capacity_hours": "viel"}, form_page=path
    )
    assert bad.status_code == 422 and 'value="viel"' in bad.text
    assert "from 0 to 168" in bad.text.split('id="f-weekly_capacity_hours"', 1)[1][:600]
    cleared = await builders.post_form(
        client, path, {"name": "Funk Service", "weekly_capacity_hours": ""}, form_page=path
    )
    assert cleared.status_code == 303
    assert (await queries.get_partner_organisation(partner_id)).weekly_capacity_minutes is None


async def test_work_order_trade_from_category_and_routing(make_client) -> None:
    w = await wb.world()
    system = await builders.system()
    category = await asset_actions.create_category(
        actor=system, data=CategoryCreate(name="Air handling unit", trade=Trade.hvac)
    )
    assert category.trade == "hvac"
    asset_id = await mb.asset(w.site.id, "AHU roof", category=category.id)

    seen: list[tuple[int, str | None]] = []

    async def router(site_id: int, trade: str | None) -> int | None:
        seen.append((site_id, trade))
        return w.partner_org_id if trade == "hvac" else None

    previous = list(hooks._router)
    hooks.set_router(router)
    try:
        routed = await wb.work_order(w.site.id, title="AHU noisy", asset_id=asset_id)
        assert routed.trade == "hvac"
        assert routed.partner_organisation_id == w.partner_org_id
        assert routed.status == "assigned"
        explicit = await wb.work_order(
            w.site.id, title="Socket dead", asset_id=asset_id, trade="electrical"
        )
        assert explicit.trade == "electrical" and explicit.partner_organisation_id is None
        # Ops override: a chosen partner skips routing altogether.
        chosen = await wb.work_order(
            w.site.id, title="Filter", asset_id=asset_id, partner_organisation_id=w.stranger_org_id
        )
        assert chosen.partner_organisation_id == w.stranger_org_id
        none = await wb.work_order(w.site.id, title="No asset")
        assert none.trade is None and none.status == "open"
    finally:
        hooks._router[:] = previous
    assert seen == [(w.site.id, "hvac"), (w.site.id, "electrical"), (w.site.id, None)]

    # API: trade in and out, filter, validation.
    ops = await builders.user(Role.admin)
    client = await builders.api(make_client, ops)
    made = await client.post(
        "/api/v1/work-orders/",
        json={"title": "Leak", "site_id": w.site.id, "trade": "plumbing"},
    )
    assert made.status_code == 201 and made.json()["trade"] == "plumbing"
    bad = await client.post(
        "/api/v1/work-orders/", json={"title": "Leak", "site_id": w.site.id, "trade": "wizard"}
    )
    assert bad.status_code == 422 and bad.json()["fields"][0]["field"] == "trade"
    listed = await client.get("/api/v1/work-orders/", params={"trade": "plumbing"})
    assert [o["title"] for o in listed.json()["items"]] == ["Leak"]
    # The page shows it and filters by it.
    browser = await builders.browser_session(make_client, ops)
    html = (await browser.get(f"/work-orders/{made.json()['id']}")).text
    assert 'id="wo-trade">Plumbing' in html
    page = (await browser.get("/work-orders?trade=hvac")).text
    assert "AHU noisy" in page and "Leak" not in page


async def test_category_trade_via_api_and_clearing(make_client) -> None:
    admin = await builders.user(Role.admin)
    client = await builders.api(make_client, admin)
    made = await client.post(
        "/api/v1/asset-categories", json={"name": "Access point", "trade": "it_network"}
    )
    assert made.status_code == 201, made.text
    assert made.json()["trade"] == "it_network"
    bad = await client.post(
        "/api/v1/asset-categories", json={"name": "Lift", "trade": "levitation"}
    )
    assert bad.status_code == 422 and bad.json()["fields"][0]["field"] == "trade"
    cleared = await client.patch(
        f"/api/v1/asset-categories/{made.json()['id']}", json={"trade": None}
    )
    assert cleared.status_code == 200 and cleared.json()["trade"] is None


async def test_report_becomes_work_order_with_trade(make_client) -> None:
    w = await wb.world()
    report = await _report(w.site.id, category="connectivity")
    order_id = await _accept(report)
    row = await WorkOrder.select(WorkOrder.trade).where(WorkOrder.id == order_id).first()
    assert row["trade"] == "it_network"


async def _report(site_id: int, **values: Any) -> Any:
    data = msgspec.convert(
        {"site_id": site_id, "description": "Wifi down on floor 2", **values}, ProblemReportCreate
    )
    created = await report_actions.create_report(
        actor=await builders.system(), data=data, source=ReportSource.web
    )
    return created.report


async def _accept(report: Any) -> int:
    await report_actions.accept_report(actor=await builders.system(), report_id=report.id)
    row = await WorkOrder.select(WorkOrder.id).where(WorkOrder.problem_report == report.id).first()
    return int(row["id"])


async def test_staff_change_the_trade_of_an_order(make_client) -> None:
    w = await wb.world()
    order = await wb.work_order(w.site.id, trade="general")
    admin = await builders.user(Role.admin)
    client = await builders.api(make_client, admin)
    changed = await client.patch(
        f"/api/v1/work-orders/{order.id}", json={"version": order.version, "trade": "elevators"}
    )
    assert changed.status_code == 200, changed.text
    assert changed.json()["trade"] == "elevators"
    cleared = await client.patch(
        f"/api/v1/work-orders/{order.id}", json={"version": order.version + 1, "trade": None}
    )
    assert cleared.json()["trade"] is None
    browser = await builders.browser_session(make_client, admin)
    path = f"/work-orders/{order.id}/edit"
    form = (await browser.get(path)).text
    assert 'name="trade"' in form
    saved = await builders.post_form(
        browser,
        path,
        {
            "version": str(order.version + 2),
            "title": order.title,
            "kind": "corrective",
            "priority": "p3",
            "trade": "hvac",
        },
        form_page=path,
    )
    assert saved.status_code == 303, saved.text
    row = await WorkOrder.select(WorkOrder.trade).where(WorkOrder.id == order.id).first()
    assert row["trade"] == "hvac"


async def test_a_persons_weekly_capacity_on_the_user_page(make_client) -> None:
    """The same field on a user's page; a refused save keeps everything typed (the name and
    the chosen language too), and a post without the field leaves the capacity as it was."""
    admin = await builders.user(Role.admin)
    person = await builders.user(Role.community_manager)
    client = await builders.browser_session(make_client, admin)
    path = f"/admin/users/{person.id}"
    form = {"name": person.name, "role": "community_manager", "locale": "en"}
    saved = await builders.post_form(
        client, path, {**form, "weekly_capacity_hours": "20", "active": "on"}, form_page=path
    )
    assert saved.status_code == 303, saved.text
    assert (await queries.get_user(person.id)).weekly_capacity_minutes == 1200
    assert 'value="20"' in (await client.get(path)).text
    bad = await builders.post_form(
        client,
        path,
        {**form, "name": "Mia M.", "locale": "de", "weekly_capacity_hours": "200"},
        form_page=path,
    )
    assert bad.status_code == 422
    assert 'value="Mia M."' in bad.text and 'value="200"' in bad.text
    assert 'value="de" selected' in bad.text
    assert "from 0 to 168" in bad.text
    assert (await queries.get_user(person.id)).name == person.name  # nothing written
    unchanged = await builders.post_form(client, path, {**form, "active": "on"}, form_page=path)
    assert unchanged.status_code == 303
    assert (await queries.get_user(person.id)).weekly_capacity_minutes == 1200

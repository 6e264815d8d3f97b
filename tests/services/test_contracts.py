"""Contracts through the API and the pages: CRUD, validation, overlap warning, documents,
scoping."""

from __future__ import annotations

from typing import Any

from facilities.accounts.enums import Role
from tests import builders
from tests import maintenance_builders as mb
from tests.services import helpers as h
from tests.workorders_builders import world

PDF = b"%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"


def body(provider_id: int, site_ids: list[int], **values: Any) -> dict[str, Any]:
    return {
        "provider_id": provider_id,
        "name": "Cleaning Heidelberg",
        "contract_type": "cleaning",
        "start_date": "2026-01-01",
        "end_date": "2027-12-31",
        "site_ids": site_ids,
        "status": "active",
        **values,
    }


async def test_crud_and_derived_fields(make_client: Any) -> None:
    w = await world()
    ops = await builders.user(Role.ops_manager)
    await builders.assign(ops, regions=[w.site.region_id])
    client = await builders.api(make_client, ops)
    created = await client.post(
        "/api/v1/contracts",
        json=body(
            w.partner_org_id,
            [w.site.id],
            notice_days=60,
            price="1200.00",
            budget_per_year="15000",
            trades=["general"],
            reference="C-2026-01",
        ),
    )
    assert created.status_code == 201, created.text
    contract = created.json()
    assert contract["currency"] == "EUR"
    assert contract["covered_trades"] == ["cleaning", "general"]
    assert contract["notice_deadline"] == "2027-11-01"
    assert contract["status"] in ("active", "expiring", "ended")
    got = await client.get(f"/api/v1/contracts/{contract['id']}")
    assert got.status_code == 200 and got.json()["reference"] == "C-2026-01"
    updated = await client.patch(
        f"/api/v1/contracts/{contract['id']}",
        json={"version": contract["version"], "name": "Cleaning HD", "price": None},
    )
    assert updated.status_code == 200, updated.text
    assert updated.json()["name"] == "Cleaning HD" and updated.json()["price"] is None
    stale = await client.patch(
        f"/api/v1/contracts/{contract['id']}", json={"version": 1, "name": "Again"}
    )
    assert stale.status_code == 409
    listed = await client.get("/api/v1/contracts", params={"contract_type": "cleaning"})
    assert [c["id"] for c in listed.json()["items"]] == [contract["id"]]
    assert (await client.get("/api/v1/contracts", params={"contract_type": "catering"})).json()[
        "items"
    ] == []


async def test_end_before_start_is_422_on_end_date(make_client: Any) -> None:
    w = await world()
    client = await builders.api(make_client, await builders.user(Role.ops_manager))
    response = await client.post(
        "/api/v1/contracts",
        json=body(w.partner_org_id, [w.site.id], start_date="2026-05-01", end_date="2026-04-30"),
    )
    assert response.status_code == 422
    assert response.json()["fields"][0]["field"] == "end_date"
    created = await h.contract(w.partner_org_id, [w.site.id])
    patch = await client.patch(
        f"/api/v1/contracts/{created.id}", json={"version": 1, "end_date": "2025-12-31"}
    )
    assert patch.status_code == 422 and patch.json()["fields"][0]["field"] == "end_date"


async def test_bad_enum_and_unknown_provider(make_client: Any) -> None:
    w = await world()
    client = await builders.api(make_client, await builders.user(Role.ops_manager))
    bad_type = await client.post(
        "/api/v1/contracts", json=body(w.partner_org_id, [w.site.id], contract_type="gardening")
    )
    assert bad_type.status_code in (400, 422)
    unknown = await client.post("/api/v1/contracts", json=body(99999, [w.site.id]))
    assert unknown.status_code == 422 and unknown.json()["fields"][0]["field"] == "provider_id"


async def test_overlap_warns_then_confirm_saves(make_client: Any) -> None:
    w = await world()
    first = await h.contract(w.partner_org_id, [w.site.id])
    ops = await builders.user(Role.ops_manager)
    await builders.assign(ops, regions=[w.site.region_id])
    client = await builders.api(make_client, ops)
    payload = body(w.stranger_org_id, [w.site.id], name="Second cleaner", start_date="2027-06-01")
    warned = await client.post("/api/v1/contracts", json=payload)
    assert warned.status_code == 409, warned.text
    answer = warned.json()
    assert answer["fields"][0]["field"] == "confirm_overlap"
    assert [o["id"] for o in answer["overlaps"]] == [first.id]
    assert (await client.get("/api/v1/contracts")).json()["items"][0]["id"] == first.id
    assert len((await client.get("/api/v1/contracts")).json()["items"]) == 1  # nothing written
    # another trade or a draft does not overlap
    other_trade = await client.post(
        "/api/v1/contracts", json={**payload, "contract_type": "catering", "name": "Catering"}
    )
    assert other_trade.status_code == 201
    draft = await client.post("/api/v1/contracts", json={**payload, "status": "draft"})
    assert draft.status_code == 201
    activate = await client.patch(
        f"/api/v1/contracts/{draft.json()['id']}", json={"version": 1, "status": "active"}
    )
    assert activate.status_code == 409
    confirmed = await client.post("/api/v1/contracts", json={**payload, "confirm_overlap": True})
    assert confirmed.status_code == 201


async def test_overlap_page_shows_warning_and_confirm_checkbox(make_client: Any) -> None:
    w = await world()
    await h.contract(w.partner_org_id, [w.site.id], name="First cleaner")
    ops = await builders.user(Role.ops_manager)
    await builders.assign(ops, regions=[w.site.region_id])
    browser = await builders.browser_session(make_client, ops)
    form = {
        "provider_id": str(w.stranger_org_id),
        "name": "Second cleaner",
        "contract_type": "cleaning",
        "start_date": "2026-03-01",
        "end_date": "2026-12-31",
        "site_ids": str(w.site.id),
        "notice_days": "30",
        "renewal_term_months": "12",
        "price_model": "fixed_monthly",
        "currency": "EUR",
        "status": "active",
    }
    page = await builders.post_form(browser, "/contracts/new", form, form_page="/contracts/new")
    assert page.status_code == 422
    assert 'id="overlap-warning"' in page.text and "First cleaner" in page.text
    assert 'name="confirm_overlap"' in page.text
    saved = await builders.post_form(
        browser,
        "/contracts/new",
        {**form, "confirm_overlap": "on"},
        form_page="/contracts/new",
    )
    assert saved.status_code == 303, saved.text
    detail = await browser.get(saved.headers["location"])
    assert detail.status_code == 200 and "Second cleaner" in detail.text
    listing = await browser.get("/contracts", params={"q": "Second"})
    assert "Second cleaner" in listing.text and "First cleaner" not in listing.text


async def test_page_end_before_start(make_client: Any) -> None:
    w = await world()
    ops = await builders.user(Role.ops_manager)
    await builders.assign(ops, regions=[w.site.region_id])
    browser = await builders.browser_session(make_client, ops)
    page = await builders.post_form(
        browser,
        "/contracts/new",
        {
            "provider_id": str(w.partner_org_id),
            "name": "Backwards",
            "contract_type": "security",
            "start_date": "2026-03-01",
            "end_date": "2026-02-01",
            "price_model": "per_hour",
            "status": "draft",
        },
        form_page="/contracts/new",
    )
    assert page.status_code == 422
    assert 'id="e-end_date"' in page.text


async def test_documents_type_checked(make_client: Any) -> None:
    w = await world()
    created = await h.contract(w.partner_org_id, [w.site.id])
    ops = await builders.user(Role.ops_manager)
    client = await builders.api(make_client, ops)
    url = f"/api/v1/contracts/{created.id}/documents"
    pdf = await client.post(url, files={"file": ("contract.pdf", PDF, "application/pdf")})
    assert pdf.status_code == 201, pdf.text
    assert pdf.json()["content_type"] == "application/pdf"
    image = await client.post(url, files={"file": ("annex.png", mb.png(), "image/png")})
    assert image.status_code == 201 and image.json()["content_type"] in ("image/png", "image/jpeg")
    text = await client.post(url, files={"file": ("x.pdf", b"hello, not a pdf", "application/pdf")})
    assert text.status_code == 422 and text.json()["fields"][0]["field"] == "file"
    zipped = await client.post(
        url, files={"file": ("x.docx", b"PK\x03\x04rest", "application/zip")}
    )
    assert zipped.status_code == 422
    listed = await client.get(url)
    assert [d["filename"] for d in listed.json()] == ["contract.pdf", image.json()["filename"]]
    assert image.json()["filename"].startswith("annex.")
    download = await client.get(f"{url}/{pdf.json()['id']}")
    assert download.status_code == 200 and download.content == PDF
    # the partner of the contract may read it; another partner gets 404
    partner = await builders.api(make_client, w.partner)
    assert (await partner.get(f"{url}/{pdf.json()['id']}")).status_code == 200
    stranger = await builders.api(make_client, w.stranger)
    assert (await stranger.get(f"{url}/{pdf.json()['id']}")).status_code == 404
    assert (await stranger.get(url)).status_code == 404
    gone = await client.delete(f"{url}/{pdf.json()['id']}")
    assert gone.status_code == 204
    assert (await client.get(f"{url}/{pdf.json()['id']}")).status_code == 404


async def test_scoping(make_client: Any) -> None:
    w = await world()
    mine = await h.contract(w.partner_org_id, [w.site.id], name="Mine")
    theirs = await h.contract(
        w.stranger_org_id, [w.other_site.id], name="Theirs", contract_type="catering"
    )
    cm = await builders.api(make_client, w.cm)  # assigned to w.site only
    assert [c["name"] for c in (await cm.get("/api/v1/contracts")).json()["items"]] == ["Mine"]
    assert (await cm.get(f"/api/v1/contracts/{theirs.id}")).status_code == 404
    partner = await builders.api(make_client, w.partner)
    assert [c["name"] for c in (await partner.get("/api/v1/contracts")).json()["items"]] == ["Mine"]
    assert (await partner.get(f"/api/v1/contracts/{theirs.id}")).status_code == 404
    stranger = await builders.api(make_client, w.stranger)
    assert [c["name"] for c in (await stranger.get("/api/v1/contracts")).json()["items"]] == [
        "Theirs"
    ]
    assert (await stranger.get(f"/api/v1/contracts/{mine.id}")).status_code == 404
    # partners and community managers may not write
    assert (
        await partner.post("/api/v1/contracts", json=body(w.partner_org_id, []))
    ).status_code == 403
    assert (
        await cm.patch(f"/api/v1/contracts/{mine.id}", json={"version": 1, "name": "x"})
    ).status_code == 403
    ops = await builders.api(make_client, await builders.user(Role.ops_manager))
    assert len((await ops.get("/api/v1/contracts")).json()["items"]) == 2
    assert (await ops.get("/api/v1/contracts/99999")).status_code == 404
    # pages follow the same scope
    browser = await builders.browser_session(make_client, w.cm)
    assert (await browser.get(f"/contracts/{theirs.id}")).status_code == 404
    listing = await browser.get("/contracts")
    assert "Mine" in listing.text and "Theirs" not in listing.text


async def test_confirmed_overlap_is_not_asked_again_for_other_edits(make_client: Any) -> None:
    w = await world()
    await h.contract(w.partner_org_id, [w.site.id], name="First")
    second = await h.contract(w.stranger_org_id, [w.site.id], name="Second")  # confirmed
    ops = await builders.user(Role.ops_manager)
    await builders.assign(ops, regions=[w.site.region_id])
    client = await builders.api(make_client, ops)
    renamed = await client.patch(
        f"/api/v1/contracts/{second.id}", json={"version": 1, "name": "Second renamed"}
    )
    assert renamed.status_code == 200, renamed.text
    longer = await client.patch(
        f"/api/v1/contracts/{second.id}", json={"version": 2, "end_date": "2028-06-30"}
    )
    assert longer.status_code == 409 and longer.json()["overlaps"][0]["name"] == "First"

"""The asset pages work without JavaScript: list, form, detail (lock-out, uptime, QR),
status and lock-out forms, files, import with row errors, categories, batches, claims."""

from __future__ import annotations

import io

import pypdf

from facilities.assets import queries
from facilities.assets.tables import Asset
from tests import assets_builders as ab
from tests import builders


async def test_list_filters_and_detail(make_client) -> None:
    w = await ab.world()
    cat = await ab.category("Coffee machine")
    asset = await ab.asset(w.site.id, "Jura <script>", category_id=cat.id, serial_number="J-1")
    await ab.asset(w.other_site.id, "Foreign thing")
    client = await builders.browser_session(make_client, w.cm)
    listing = await client.get("/assets")
    assert listing.status_code == 200
    assert (
        "Jura &lt;script&gt;" in listing.text and "<script>" not in listing.text.split("<body>")[1]
    )
    assert "Foreign thing" not in listing.text
    filtered = await client.get("/assets", params={"status": "down"})
    assert "Jura" not in filtered.text
    detail = await client.get(f"/assets/{asset.id}")
    assert detail.status_code == 200
    assert asset.qr_code and asset.qr_code in detail.text
    assert f"/api/v1/qr/{asset.qr_code}.svg" in detail.text
    assert 'data-testid="uptime">100' in detail.text
    qr = await client.get(f"/api/v1/qr/{asset.qr_code}.svg")  # the session cookie is enough
    assert qr.status_code == 200
    foreign = (await queries.list_assets(builders.principal(w.admin), q="Foreign")).items[0]
    assert (await client.get(f"/assets/{foreign.id}")).status_code == 404


async def test_create_edit_status_and_lockout_through_forms(make_client) -> None:
    w = await ab.world()
    room = await ab.space(w.site.id, "Kitchen")
    client = await builders.browser_session(make_client, w.cm)
    form_page = await client.get("/assets/new", params={"site_id": w.site.id})
    assert form_page.status_code == 200 and "Kitchen" in form_page.text
    created = await builders.post_form(
        client,
        "/assets/new",
        {
            "site_id": str(w.site.id),
            "name": "Dishwasher",
            "space_id": str(room.id),
            "category_id": "",
            "parent_id": "",
            "manufacturer": "Miele",
            "model": "",
            "serial_number": "",
            "install_date": "2024-05-01",
            "warranty_end": "",
            "purchase_cost": "899,00",
            "criticality": "high",
            "status": "operational",
            "notes": "",
            "attributes_text": "program: eco\nlitres: 9",
        },
        form_page=f"/assets/new?site_id={w.site.id}",
    )
    assert created.status_code == 303, created.text
    asset_id = int(created.headers["location"].rsplit("/", 1)[1])
    asset = await queries.get_asset(asset_id)
    assert asset.space_id == room.id and asset.purchase_cost == 899.0
    assert asset.attributes == {"program": "eco", "litres": 9}
    edit_page = await client.get(f"/assets/{asset_id}/edit")
    assert 'value="Dishwasher"' in edit_page.text and "litres: 9" in edit_page.text
    saved = await builders.post_form(
        client,
        f"/assets/{asset_id}/edit",
        {
            "version": "1",
            "site_id": str(w.site.id),
            "name": "Dishwasher 2",
            "space_id": "",
            "manufacturer": "Miele",
            "model": "G7000",
            "serial_number": "",
            "install_date": "2024-05-01",
            "purchase_cost": "",
            "criticality": "low",
            "notes": "",
            "attributes_text": "",
        },
    )
    assert saved.status_code == 303, saved.text
    asset = await queries.get_asset(asset_id)
    assert (asset.name, asset.space_id, asset.purchase_cost, asset.model) == (
        "Dishwasher 2",
        None,
        None,
        "G7000",
    )
    stale = await builders.post_form(
        client, f"/assets/{asset_id}/edit", {"version": "1", "site_id": str(w.site.id), "name": "X"}
    )
    assert stale.status_code == 409 and "Someone else changed" in stale.text
    status = await builders.post_form(
        client, f"/assets/{asset_id}/status", {"status": "down", "note": "Leaking"}
    )
    assert status.status_code == 303
    locked = await builders.post_form(
        client, f"/assets/{asset_id}/lockout", {"reason": "Live wire exposed"}
    )
    assert locked.status_code == 303
    detail = await client.get(f"/assets/{asset_id}")
    assert 'data-testid="lockout"' in detail.text and "Live wire exposed" in detail.text
    assert "Leaking" in detail.text
    assert (await queries.get_asset(asset_id)).status.value == "down"
    cleared = await builders.post_form(client, f"/assets/{asset_id}/lockout/clear", {})
    assert cleared.status_code == 303
    assert not (await queries.get_asset(asset_id)).locked_out


async def test_photo_upload_and_label_print_from_the_page(make_client) -> None:
    w = await ab.world()
    asset = await ab.asset(w.site.id, "Fridge")
    client = await builders.browser_session(make_client, w.cm)
    token = await builders.csrf(client, f"/assets/{asset.id}")
    bad = await client.post(
        f"/assets/{asset.id}/files",
        data={"_csrf_token": token, "kind": "photo"},
        files={"file": ("x.jpg", b"not an image at all", "image/jpeg")},
    )
    assert bad.status_code == 422 and "not an image" in bad.text
    good = await client.post(
        f"/assets/{asset.id}/files",
        data={"_csrf_token": token, "kind": "photo"},
        files={"file": ("x.jpg", ab.image(), "image/jpeg")},
    )
    assert good.status_code == 303
    detail = await client.get(f"/assets/{asset.id}")
    photo_id = (await queries.get_asset(asset.id)).primary_photo_file_id
    assert photo_id and f'/api/v1/assets/{asset.id}/files/{photo_id}"' in detail.text
    pdf = await builders.post_form(
        client, "/assets/labels", {"asset_ids": str(asset.id), "layout": "single"}
    )
    assert pdf.status_code == 200 and pdf.headers["content-type"] == "application/pdf"
    assert (
        asset.qr_code
        and asset.qr_code in pypdf.PdfReader(io.BytesIO(pdf.content)).pages[0].extract_text()
    )


async def test_import_page_shows_row_errors(make_client) -> None:
    w = await ab.world()
    client = await builders.browser_session(make_client, w.ops)
    page = await client.get("/assets/import")
    assert page.status_code == 200 and "parent_serial" in page.text
    token = await builders.csrf(client, "/assets/import")
    header = "site_code,space,category,parent_serial,name,manufacturer,model,serial_number,install_date,warranty_end,purchase_cost,criticality,status,notes\n"
    bad = header + f"{w.site.code},,,,Bad,,,,2024-02-30,,,,,\nNOPE,,,,X,,,,,,,,,\n"
    response = await client.post(
        "/assets/import",
        data={"_csrf_token": token},
        files={"file": ("a.csv", bad.encode(), "text/csv")},
    )
    assert response.status_code == 422
    assert 'data-testid="row-errors"' in response.text
    assert "install_date" in response.text and "site_code" in response.text
    assert await Asset.count() == 0
    good = header + f"{w.site.code},,,,Good,,,,2024-02-28,,,,,\n"
    imported = await client.post(
        "/assets/import",
        data={"_csrf_token": token},
        files={"file": ("a.csv", good.encode(), "text/csv")},
    )
    assert imported.status_code == 303 and await Asset.count() == 1


async def test_categories_batches_and_claim_pages(make_client) -> None:
    w = await ab.world()
    ops = await builders.browser_session(make_client, w.ops)
    made = await builders.post_form(
        ops, "/assets/categories", {"name": "Fire extinguisher", "icon": "fire-extinguisher"}
    )
    assert made.status_code == 303
    dup = await builders.post_form(ops, "/assets/categories", {"name": "fire extinguisher"})
    assert dup.status_code == 422 and "already exists" in dup.text
    batch = await builders.post_form(ops, "/assets/batches", {"name": "Roof APs", "count": "3"})
    assert batch.status_code == 303
    listing = await ops.get("/assets/batches")
    assert "Roof APs" in listing.text and "0 / 3" in listing.text
    sheet = await ops.get("/assets/batches/Roof APs/labels")
    assert sheet.status_code == 200 and sheet.headers["content-type"] == "application/pdf"
    code = (await queries.batch_codes("Roof APs"))[0].code

    asset = await ab.asset(w.site.id, "AP roof north")
    cm = await builders.browser_session(make_client, w.cm)
    claim_page = await cm.get(f"/assets/claim/{code}", params={"q": "roof"})
    assert claim_page.status_code == 200 and "AP roof north" in claim_page.text
    claimed = await builders.post_form(
        cm, f"/assets/claim/{code}", {"asset_id": str(asset.id)}, form_page=f"/assets/claim/{code}"
    )
    assert claimed.status_code == 303 and claimed.headers["location"] == f"/assets/{asset.id}"
    assert (await queries.get_asset(asset.id)).qr_code == code
    again = await cm.get(f"/assets/claim/{code}")
    assert "already belongs" in again.text

    # claim by creating a new asset with the next blank label
    second = (await queries.batch_codes("Roof APs"))[1].code
    form = await cm.get("/assets/new", params={"claim": second, "site_id": w.site.id})
    assert second in form.text
    created = await builders.post_form(
        cm,
        "/assets/new",
        {
            "site_id": str(w.site.id),
            "name": "AP roof south",
            "claim": second,
            "criticality": "medium",
            "status": "operational",
        },
        form_page=f"/assets/new?site_id={w.site.id}",
    )
    assert created.status_code == 303, created.text
    new_id = int(created.headers["location"].rsplit("/", 1)[1])
    assert (await queries.get_asset(new_id)).qr_code == second
    viewer = await builders.browser_session(make_client, w.viewer)
    assert (await viewer.get(f"/assets/claim/{second}")).status_code == 403

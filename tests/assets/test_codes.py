"""QR codes: format, the scan-page contract, images that decode, re-issue, revoke, blank
batches and claims, and scoping of all of it."""

from __future__ import annotations

import io
import math

import zxingcpp
from PIL import Image

from facilities.accounts.tables import AuditEvent
from facilities.assets import queries
from facilities.assets.tables import QrScan
from facilities.kit import qr
from tests import assets_builders as ab
from tests import builders


def test_codes_are_long_random_and_unambiguous() -> None:
    codes = {qr.new_code() for _ in range(2000)}
    assert len(codes) == 2000
    assert all(len(c) == 13 and qr.is_well_formed(c) for c in codes)
    assert not set("".join(codes)) & set("01OoIlLU")
    assert 13 * math.log2(len(qr.ALPHABET)) >= 60
    assert set("".join(codes)) == set(qr.ALPHABET)  # every symbol gets used


async def test_contract_functions_for_the_scan_page() -> None:
    w = await ab.world()
    cat = await ab.category("Coffee machine", icon="coffee")
    room = await ab.space(w.site.id, "Kitchen")
    created = await ab.asset(w.site.id, "Jura", category_id=cat.id, space_id=room.id)
    assert created.qr_code is not None
    lookup = await queries.resolve_code(created.qr_code.lower())
    assert lookup is not None
    assert (lookup.code, lookup.status, lookup.asset_id, lookup.replaced_by) == (
        created.qr_code,
        "active",
        created.id,
        None,
    )
    assert await queries.resolve_code("NOPE") is None
    assert await queries.resolve_code("") is None
    card = await queries.asset_card(created.id)
    assert (card.name, card.category_name, card.category_icon) == (
        "Jura",
        "Coffee machine",
        "coffee",
    )
    assert (card.site_id, card.site_code, card.space_path) == (w.site.id, w.site.code, "Kitchen")
    assert card.status == "operational" and card.locked_out is False
    assert card.primary_photo_file_id is None and card.allow_anonymous_reports is True
    assert await queries.primary_photo(created.id) is None
    await queries.log_scan(qr_code_id=lookup.qr_code_id, asset_id=created.id, user_id=None)
    scans = await QrScan.select()
    assert len(scans) == 1 and scans[0]["user"] is None and scans[0]["scanned_at"].tzinfo
    assert "ip" not in " ".join(scans[0]).lower()


async def test_png_and_svg_decode_to_the_url(make_client) -> None:
    w = await ab.world()
    created = await ab.asset(w.site.id)
    client = await ab.api(make_client, w.cm)
    png = await client.get(f"/api/v1/qr/{created.qr_code}.png")
    assert png.status_code == 200 and png.headers["content-type"] == "image/png"
    decoded = zxingcpp.read_barcodes(Image.open(io.BytesIO(png.content)))
    assert [d.text for d in decoded] == [created.qr_url]
    assert decoded[0].format == zxingcpp.BarcodeFormat.QRCode
    svg = await client.get(f"/api/v1/qr/{created.qr_code}.svg")
    assert svg.status_code == 200 and svg.headers["content-type"].startswith("image/svg+xml")
    assert svg.text.lstrip().startswith("<?xml") and "<svg" in svg.text
    assert (await client.get(f"/api/v1/qr/{created.qr_code}.gif")).status_code == 404
    assert (await client.get("/api/v1/qr/UNKNOWNCODE22.png")).status_code == 404
    assert (await make_client().get(f"/api/v1/qr/{created.qr_code}.png")).status_code == 401


async def test_reissue_replaces_the_old_code(make_client) -> None:
    w = await ab.world()
    created = await ab.asset(w.site.id)
    old = created.qr_code
    assert old
    ops = await ab.api(make_client, w.ops)
    response = await ops.post(f"/api/v1/assets/{created.id}/qr-codes/reissue")
    assert response.status_code == 201, response.text
    new = response.json()["code"]
    assert new != old
    previous = await queries.resolve_code(old)
    assert previous is not None and previous.status == "replaced" and previous.replaced_by == new
    assert previous.asset_id == created.id
    assert (await queries.get_asset(created.id)).qr_code == new
    codes = (await ops.get(f"/api/v1/assets/{created.id}/qr-codes")).json()
    assert [(c["code"], c["status"]) for c in codes] == [(new, "active"), (old, "replaced")]
    cm = await ab.api(make_client, w.cm)
    assert (await cm.post(f"/api/v1/assets/{created.id}/qr-codes/reissue")).status_code == 403
    foreign = await ab.asset(w.other_site.id)
    assert (await ops.post(f"/api/v1/assets/{foreign.id}/qr-codes/reissue")).status_code == 404


async def test_revoke(make_client) -> None:
    w = await ab.world()
    created = await ab.asset(w.site.id)
    ops = await ab.api(make_client, w.ops)
    response = await ops.post(f"/api/v1/qr-codes/{created.qr_code}/revoke")
    assert response.status_code == 200 and response.json()["status"] == "revoked"
    lookup = await queries.resolve_code(created.qr_code or "")
    assert lookup is not None and lookup.status == "revoked"
    assert await AuditEvent.exists().where(AuditEvent.action == "qr.revoke")


async def test_blank_batch_then_claim(make_client) -> None:
    w = await ab.world()
    ops = await ab.api(make_client, w.ops)
    created = await ops.post("/api/v1/qr-batches", json={"name": "Field AP 2026", "count": 30})
    assert created.status_code == 201, created.text
    assert created.json()["total"] == 30
    again = await ops.post("/api/v1/qr-batches", json={"name": "Field AP 2026", "count": 1})
    assert again.status_code == 409
    too_many = await ops.post("/api/v1/qr-batches", json={"name": "Huge", "count": 100000})
    assert too_many.status_code == 422
    slash = await ops.post("/api/v1/qr-batches", json={"name": "a/b", "count": 1})
    assert slash.status_code == 422 and slash.json()["fields"][0]["field"] == "name"
    codes = (await ops.get("/api/v1/qr-batches/Field AP 2026")).json()
    assert len(codes) == 30 and all(c["asset_id"] is None for c in codes)
    assert all(qr.is_well_formed(c["code"]) for c in codes)
    blank = codes[0]["code"]
    lookup = await queries.resolve_code(blank)
    assert lookup is not None and lookup.asset_id is None and lookup.status == "active"

    target = await ab.asset(w.site.id, "AP roof")
    cm = await ab.api(make_client, w.cm)
    claimed = await cm.post(f"/api/v1/qr-codes/{blank}/claim", json={"asset_id": target.id})
    assert claimed.status_code == 200, claimed.text
    assert claimed.json()["asset_id"] == target.id
    assert (await queries.get_asset(target.id)).qr_code == blank
    auto = await queries.resolve_code(target.qr_code or "")
    assert auto is not None and auto.status == "replaced" and auto.replaced_by == blank

    other = await ab.asset(w.site.id, "AP cellar")
    taken = await cm.post(f"/api/v1/qr-codes/{blank}/claim", json={"asset_id": other.id})
    assert taken.status_code == 409
    foreign = await ab.asset(w.other_site.id)
    out_of_scope = await cm.post(
        f"/api/v1/qr-codes/{codes[1]['code']}/claim", json={"asset_id": foreign.id}
    )
    assert out_of_scope.status_code == 404
    await ops.post(f"/api/v1/qr-codes/{codes[2]['code']}/revoke")
    revoked = await cm.post(
        f"/api/v1/qr-codes/{codes[2]['code']}/claim", json={"asset_id": other.id}
    )
    assert revoked.status_code == 422 and revoked.json()["fields"][0]["field"] == "code"
    unknown = await cm.post("/api/v1/qr-codes/ZZZZZZZZZZZZZ/claim", json={"asset_id": other.id})
    assert unknown.status_code == 404
    batches = (await ops.get("/api/v1/qr-batches")).json()
    assert [(b["name"], b["total"], b["claimed"]) for b in batches] == [("Field AP 2026", 30, 1)]
    viewer = await ab.api(make_client, w.viewer)
    assert (
        await viewer.post(f"/api/v1/qr-codes/{codes[3]['code']}/claim", json={"asset_id": other.id})
    ).status_code == 403
    assert (await viewer.get(f"/api/v1/qr/{codes[3]['code']}.png")).status_code == 404


async def test_system_builder_present() -> None:
    assert (await builders.system()).can("qr.manage")

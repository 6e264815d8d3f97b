"""CSV import/export: every row error reported at once, nothing imported on error, and an
export that re-imports into an empty register gives the same register."""

from __future__ import annotations

import csv
import io
from typing import Any

from facilities import db
from facilities.assets import csv_io, queries
from facilities.assets.tables import Asset, AssetStatusChange, QrCode
from tests import assets_builders as ab
from tests import builders

HEADER = ",".join(csv_io.COLUMNS)


def row(**values: str) -> str:
    cells = {c: "" for c in csv_io.COLUMNS}
    cells.update(values)
    out = io.StringIO()
    csv.writer(out, lineterminator="\n").writerow([cells[c] for c in csv_io.COLUMNS])
    return out.getvalue()


async def post_csv(client: Any, text: str, **params: Any) -> Any:
    return await client.post(
        "/api/v1/assets/import",
        content=text.encode(),
        headers={"content-type": "text/csv"},
        params=params,
    )


def errors_of(response: Any) -> set[tuple[int, str]]:
    return {(e["row"], e["column"]) for e in response.json()["errors"]}


async def test_template_download_documents_every_column(make_client) -> None:
    w = await ab.world()
    client = await ab.api(make_client, w.viewer)
    response = await client.get("/api/v1/assets/import-template.csv")
    assert response.status_code == 200 and response.headers["content-type"].startswith("text/csv")
    header = next(csv.reader(io.StringIO(response.text)))
    assert tuple(header) == csv_io.COLUMNS
    assert set(csv_io.COLUMN_HELP) == set(csv_io.COLUMNS)


async def test_every_bad_input_is_reported_and_nothing_is_imported(make_client) -> None:
    w = await ab.world()
    await ab.category("Fridge")
    await ab.asset(w.site.id, serial_number="IN-DB")
    client = await ab.api(make_client, w.ops)
    text = (
        HEADER
        + "\n"
        + row(site_code=w.site.code, name="Good one", serial_number="OK-1")
        + row(site_code=w.site.code, name="Bad date", install_date="2024-13-01")
        + row(site_code=w.site.code, name="Bad format", warranty_end="01.02.2025")
        + row(site_code=w.site.code, name="Dup A", serial_number="DUP")
        + row(site_code=w.site.code, name="Dup B", serial_number="DUP")
        + row(site_code=w.site.code, name="Clash", serial_number="IN-DB")
        + row(site_code="NOPE", name="Unknown site")
        + row(site_code=w.other_site.code, name="Hidden site")
        + row(site_code=w.site.code, name="", category="Toaster", purchase_cost="-5")
        + row(site_code=w.site.code, name="Crit", criticality="urgent", status="broken")
        + row(site_code=w.site.code, name="Orphan", parent_serial="MISSING")
        + row(site_code=w.site.code, name="Room", space="Nowhere")
    )
    response = await post_csv(client, text)
    assert response.status_code == 422, response.text
    assert errors_of(response) == {
        (3, "install_date"),
        (4, "warranty_end"),
        (6, "serial_number"),
        (7, "serial_number"),
        (8, "site_code"),
        (9, "site_code"),  # a site the caller may not see is unknown
        (10, "name"),
        (10, "category"),
        (10, "purchase_cost"),
        (11, "criticality"),
        (11, "status"),
        (12, "parent_serial"),
        (13, "space"),
    }
    reasons = {(e["row"], e["column"]): e["reason"] for e in response.json()["errors"]}
    assert "row 5" in reasons[(6, "serial_number")]
    assert "YYYY-MM-DD" in reasons[(4, "warranty_end")]
    assert await Asset.count() == 1  # only the one made before


async def test_wrong_header_is_rejected_before_any_row(make_client) -> None:
    w = await ab.world()
    client = await ab.api(make_client, w.admin)
    bad = HEADER.replace("serial_number", "serial").replace("notes", "notes,colour")
    response = await post_csv(client, bad + "\n" + "x\n")
    assert response.status_code == 422
    assert errors_of(response) == {(1, "serial_number"), (1, "serial"), (1, "colour")}
    empty = await post_csv(client, "")
    assert empty.status_code == 422 and errors_of(empty) == {(1, "header")}
    latin1 = await client.post("/api/v1/assets/import", content="site_code\nCafé".encode("latin-1"))
    assert latin1.status_code == 422 and errors_of(latin1) == {(0, "file")}


async def test_import_with_spaces_parents_and_semicolons(make_client) -> None:
    w = await ab.world()
    await ab.category("Access point")
    building = await ab.space(w.site.id, "Main")
    floor = await ab.space(w.site.id, "Floor 2", parent_id=building.id)
    client = await ab.api(make_client, w.ops)
    lines = [
        HEADER,
        row(
            site_code=w.site.code.lower(),
            name="AP 1",
            parent_serial="CAB-1",
            serial_number="AP-1",
            category="access POINT",
            space="Main / Floor 2",
            install_date="2024-01-31",
            purchase_cost="199.9",
            criticality="high",
            status="down",
            notes='Say "hi", ok',
        ),
        row(site_code=w.site.code, name="Cabinet", serial_number="CAB-1", space="Floor 2"),
    ]
    text = "\n".join(line.rstrip("\n") for line in lines).replace(",", ";")
    text = text.replace('"Say ""hi""; ok"', '"Say ""hi"", ok"')
    dry = await post_csv(client, text, dry_run="true")
    assert dry.status_code == 200 and dry.json() == {"created": 2, "errors": []}
    assert await Asset.count() == 0
    response = await post_csv(client, text)
    assert response.status_code == 200, response.text
    assert response.json()["created"] == 2
    page = await queries.list_assets(await _admin(w), limit=10)
    by_name = {a.name: a for a in page.items}
    ap, cabinet = by_name["AP 1"], by_name["Cabinet"]
    assert ap.parent_id == cabinet.id and ap.space_id == floor.id and cabinet.space_id == floor.id
    assert ap.category_name == "Access point" and ap.purchase_cost == 199.9
    assert ap.status.value == "down" and ap.criticality.value == "high"
    assert (
        ap.notes == 'Say "hi", ok'
        and ap.install_date
        and ap.install_date.isoformat() == "2024-01-31"
    )
    assert ap.qr_code and cabinet.qr_code and ap.qr_code != cabinet.qr_code
    assert await AssetStatusChange.count() == 2
    history = await queries.status_history(await _admin(w), ap.id)
    assert history[0].to_status.value == "down"
    cm = await ab.api(make_client, w.cm)
    assert (await post_csv(cm, text)).status_code == 403


async def test_parent_cycle_in_the_file(make_client) -> None:
    w = await ab.world()
    client = await ab.api(make_client, w.admin)
    text = (
        HEADER
        + "\n"
        + row(site_code=w.site.code, name="A", serial_number="A", parent_serial="B")
        + row(site_code=w.site.code, name="B", serial_number="B", parent_serial="A")
    )
    response = await post_csv(client, text)
    assert response.status_code == 422
    assert errors_of(response) == {(2, "parent_serial"), (3, "parent_serial")}


async def test_export_then_import_into_an_empty_register_round_trips(make_client) -> None:
    w = await ab.world()
    cat = await ab.category("Coffee machine")
    main = await ab.space(w.site.id, "Main")
    kitchen = await ab.space(w.site.id, "Kitchen", parent_id=main.id)
    cabinet = await ab.asset(w.site.id, "Cabinet", serial_number="CAB", space_id=main.id)
    await ab.asset(
        w.site.id,
        "Jura, the big one",
        category_id=cat.id,
        space_id=kitchen.id,
        parent_id=cabinet.id,
        manufacturer="Jura",
        model="X8",
        serial_number="J-1",
        install_date="2024-02-29",
        warranty_end="2026-02-28",
        purchase_cost=2499.99,
        criticality="critical",
        status="degraded",
        notes='Multi\nline "notes"',
    )
    await ab.asset(w.site.id, "No serial thing")
    await ab.asset(w.other_site.id, "Elsewhere", purchase_cost=0)
    client = await ab.api(make_client, w.admin)
    exported = await client.get("/api/v1/assets/export.csv")
    assert exported.status_code == 200
    assert exported.text.count("\r\n") >= 5
    await db.raw("DELETE FROM qr_code")
    await db.raw("DELETE FROM asset_status_change")
    await db.raw("UPDATE asset SET parent = NULL")
    await db.raw("DELETE FROM asset")
    assert await Asset.count() == 0 and await QrCode.count() == 0
    response = await post_csv(client, exported.text)
    assert response.status_code == 200, response.text
    assert response.json()["created"] == 4
    again = await client.get("/api/v1/assets/export.csv")
    assert again.text == exported.text
    only_site = await client.get("/api/v1/assets/export.csv", params={"site_id": w.other_site.id})
    assert only_site.text.splitlines()[1].startswith(w.other_site.code + ",")
    assert len(only_site.text.splitlines()) == 2


async def _admin(w: ab.World) -> Any:
    return builders.principal(w.admin)

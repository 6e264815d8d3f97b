"""Management pages: meters (create, edit, retire, replace), bills, the emission-factor
library, targets, occupancy and the CSV uploads. Each refused form comes back with the
message next to its field and the user's input kept; foreign ids answer 404."""

from __future__ import annotations

from datetime import UTC, datetime

from facilities.accounts.enums import Role
from facilities.sustainability import queries
from facilities.sustainability.tables import Meter, Occupancy
from tests import builders
from tests.sustainability.helpers import meter, reading


async def _ops(make_client):
    region = await builders.region()
    site = await builders.site(region.id, desks=40, floor_area_m2=500)
    other_region = await builders.region()
    foreign = await builders.site(other_region.id)
    ops = await builders.user(Role.ops_manager)
    await builders.assign(ops, regions=[region.id])
    return region, site, foreign, await builders.browser_session(make_client, ops), ops


async def test_create_a_meter_and_see_field_errors_with_input_kept(make_client) -> None:
    _region, site, foreign, session, ops = await _ops(make_client)
    first = await session.get("/sustainability/meters/new")
    assert first.status_code == 200 and 'name="site_id"' in first.text
    form = await session.get(f"/sustainability/meters/new?site_id={site.id}")
    assert 'name="carrier"' in form.text and 'name="register_digits"' in form.text
    bad = await builders.post_form(
        session,
        "/sustainability/meters/new",
        {"site_id": site.id, "name": "Gas main", "carrier": "natural_gas", "unit": "m3"},
    )
    assert bad.status_code == 422
    assert 'id="e-correction_factor"' in bad.text and "Zustandszahl" in bad.text
    assert 'value="Gas main"' in bad.text
    comma = await builders.post_form(
        session,
        "/sustainability/meters/new",
        {
            "site_id": site.id,
            "name": "Gas main",
            "carrier": "natural_gas",
            "unit": "m3",
            "correction_factor": "0,9636",
            "calorific_value": "11,2",
            "register_digits": "5",
        },
    )
    assert comma.status_code == 303, comma.text
    created = (await queries.list_meters(builders.principal(ops), site_id=site.id))[0]
    assert created.correction_factor == 0.9636 and created.qr_code
    wrong_unit = await builders.post_form(
        session,
        "/sustainability/meters/new",
        {"site_id": site.id, "name": "Water", "carrier": "water", "unit": "kWh"},
    )
    assert wrong_unit.status_code == 422 and 'id="e-unit"' in wrong_unit.text
    foreign_site = await builders.post_form(
        session,
        "/sustainability/meters/new",
        {"site_id": foreign.id, "name": "X", "carrier": "water", "unit": "m3"},
    )
    assert foreign_site.status_code in (404, 422)
    assert await Meter.count() == 1


async def test_edit_retire_and_replace(make_client) -> None:
    _region, site, foreign, session, ops = await _ops(make_client)
    m = await meter(site.id, number="OLD-1")
    await reading(m.id, 100, datetime(2026, 1, 1, tzinfo=UTC))
    page = await session.get(f"/sustainability/meters/{m.id}/edit")
    assert page.status_code == 200 and 'value="OLD-1"' in page.text
    bad = await builders.post_form(
        session,
        f"/sustainability/meters/{m.id}/edit",
        {"name": "Renamed", "number": "OLD-1", "register_digits": "99"},
    )
    assert bad.status_code == 422 and 'id="e-register_digits"' in bad.text
    assert 'value="Renamed"' in bad.text
    ok = await builders.post_form(
        session,
        f"/sustainability/meters/{m.id}/edit",
        {"name": "Renamed", "number": "OLD-1", "register_digits": "6", "market_factor": ""},
    )
    assert ok.status_code == 303, ok.text
    assert (await queries.get_meter(builders.principal(ops), m.id)).register_digits == 6
    # Replacement: a final reading below the last one is refused, named, input kept.
    low = await builders.post_form(
        session,
        f"/sustainability/meters/{m.id}/replace",
        {"final_value": "50", "start_value": "0", "number": "NEW-2"},
    )
    assert low.status_code == 422 and 'id="e-final_value"' in low.text
    assert 'value="NEW-2"' in low.text
    swapped = await builders.post_form(
        session,
        f"/sustainability/meters/{m.id}/replace",
        {"final_value": "180", "start_value": "0", "number": "NEW-2"},
    )
    assert swapped.status_code == 303, swapped.text
    after = await queries.get_meter(builders.principal(ops), m.id)
    assert after.number == "NEW-2" and after.last_value == 0
    readings = await queries.list_readings(builders.principal(ops), m.id)
    assert readings[0].kind == "replacement" and readings[0].consumption == 80
    retired = await builders.post_form(
        session, f"/sustainability/meters/{m.id}/retire", {"active": "0"}
    )
    assert retired.status_code == 303
    shown = await session.get(f"/sustainability/meters/{m.id}")
    assert "retired" in shown.text and "Save reading" not in shown.text
    foreign_meter = await meter(foreign.id)
    assert (await session.get(f"/sustainability/meters/{foreign_meter.id}/edit")).status_code == 404
    cm = await builders.user(Role.community_manager)
    await builders.assign(cm, sites=[site.id])
    cm_session = await builders.browser_session(make_client, cm)
    assert (await cm_session.get(f"/sustainability/meters/{m.id}/edit")).status_code == 403
    assert (await cm_session.get("/sustainability/meters/new")).status_code == 403


async def test_bill_entry_on_the_meter_page(make_client) -> None:
    _region, site, _foreign, session, _user = await _ops(make_client)
    m = await meter(site.id)
    url = f"/sustainability/meters/{m.id}/periods"
    ok = await builders.post_form(
        session,
        url,
        {"starts_on": "2025-01-01", "ends_on": "2025-01-31", "quantity": "1.234,5", "cost": "300"},
    )
    assert ok.status_code == 303, ok.text
    overlap = await builders.post_form(
        session, url, {"starts_on": "2025-01-15", "ends_on": "2025-02-15", "quantity": "99"}
    )
    assert overlap.status_code == 422
    assert 'id="e-period_starts_on"' in overlap.text and "overlaps" in overlap.text
    assert 'value="99"' in overlap.text and '<details id="bill" open' in overlap.text


async def test_emission_factor_library_page(make_client) -> None:
    _region, site, _foreign, session, _user = await _ops(make_client)
    base = {"carrier": "electricity_grid", "region": "de", "year": "2026", "method": "market"}
    no_source = await builders.post_form(
        session, "/sustainability/factors", {**base, "value": "0,1"}
    )
    assert no_source.status_code == 422 and 'id="e-source"' in no_source.text
    assert 'value="0,1"' in no_source.text
    negative = await builders.post_form(
        session, "/sustainability/factors", {**base, "value": "-0.1", "source": "Supplier 2026"}
    )
    assert negative.status_code == 422 and 'id="e-value"' in negative.text
    assert "cannot be negative" in negative.text and 'value="Supplier 2026"' in negative.text
    ok = await builders.post_form(
        session, "/sustainability/factors", {**base, "value": "0.12", "source": "Supplier 2026"}
    )
    assert ok.status_code == 303, ok.text
    listed = await session.get("/sustainability/factors")
    assert "Supplier 2026" in listed.text and "Market-based" in listed.text
    cm = await builders.user(Role.community_manager)
    await builders.assign(cm, sites=[site.id])
    cm_page = await (await builders.browser_session(make_client, cm)).get("/sustainability/factors")
    assert cm_page.status_code == 200 and "Add a factor" not in cm_page.text


async def test_targets_page(make_client) -> None:
    _region, site, foreign, session, _user = await _ops(make_client)
    body = {"scope": f"site:{site.id}", "metric": "co2e", "reduction_pct": "30"}
    backwards = await builders.post_form(
        session, "/sustainability/targets", {**body, "baseline_year": "2025", "target_year": "2020"}
    )
    assert backwards.status_code == 422 and 'id="e-target_year"' in backwards.text
    assert 'value="2020"' in backwards.text
    no_scope = await builders.post_form(
        session,
        "/sustainability/targets",
        {**body, "scope": "", "baseline_year": "2020", "target_year": "2030"},
    )
    assert no_scope.status_code == 422 and 'id="e-scope"' in no_scope.text
    foreign_scope = await builders.post_form(
        session,
        "/sustainability/targets",
        {**body, "scope": f"site:{foreign.id}", "baseline_year": "2020", "target_year": "2030"},
    )
    assert foreign_scope.status_code == 422 and 'id="e-scope"' in foreign_scope.text
    ok = await builders.post_form(
        session, "/sustainability/targets", {**body, "baseline_year": "2020", "target_year": "2030"}
    )
    assert ok.status_code == 303, ok.text
    listed = await session.get("/sustainability/targets")
    assert "2020 → 2030" in listed.text and site.name in listed.text
    target_id = int(listed.text.split("/sustainability/targets/")[1].split("/")[0])
    deleted = await builders.post_form(session, f"/sustainability/targets/{target_id}/delete", {})
    assert deleted.status_code == 303
    assert "2020 → 2030" not in (await session.get("/sustainability/targets")).text


async def test_occupancy_page(make_client) -> None:
    _region, site, foreign, session, _user = await _ops(make_client)
    page = await session.get(f"/sustainability/occupancy?site_id={site.id}&year=2025")
    assert page.status_code == 200 and 'name="m2025-03"' in page.text
    bad = await builders.post_form(
        session,
        "/sustainability/occupancy",
        {"site_id": site.id, "year": "2025", "m2025-01": "800", "m2025-02": "viele"},
    )
    assert bad.status_code == 422 and 'id="e-m2025-02"' in bad.text
    assert 'value="viele"' in bad.text and 'value="800"' in bad.text
    assert await Occupancy.count() == 0
    ok = await builders.post_form(
        session,
        "/sustainability/occupancy",
        {"site_id": site.id, "year": "2025", "m2025-01": "800", "m2025-02": "1.200"},
    )
    assert ok.status_code == 303, ok.text
    shown = await session.get(f"/sustainability/occupancy?site_id={site.id}&year=2025")
    assert 'value="1200"' in shown.text and "30.0" in shown.text  # 1200 visits / 40 desks
    assert (
        await session.get(f"/sustainability/occupancy?site_id={foreign.id}&year=2025")
    ).status_code == 404


async def _upload(session, path: str, name: str, content: bytes, **fields: str):
    token = await builders.csrf(session, "/account")
    return await session.post(
        path,
        data={**fields, "_csrf_token": token},
        files={"file": (name, content, "text/csv")},
    )


async def test_csv_uploads(make_client) -> None:
    _region, site, foreign, session, _user = await _ops(make_client)
    m = await meter(site.id)
    page = await session.get("/sustainability/imports")
    assert page.status_code == 200 and "Interval data" in page.text
    rows = ["meter_id,start,value,unit"] + [
        f"{m.id},2025-06-01 {h:02d}:00,1.5,kWh" for h in range(0, 6)
    ]
    text = ("\n".join(rows) + "\n").encode()
    ok = await _upload(
        session, "/sustainability/imports/intervals", "june.csv", text, interval="60"
    )
    assert ok.status_code == 303, ok.text
    done = await session.get(ok.headers["location"])
    assert "Imported 6 values of 1 meters" in done.text
    again = await _upload(
        session, "/sustainability/imports/intervals", "june.csv", text, interval="60"
    )
    assert again.status_code == 409 and "imported before" in again.text and "june.csv" in again.text
    bad = await _upload(
        session,
        "/sustainability/imports/intervals",
        "bad.csv",
        text.replace(b"kWh", b"kW"),
        interval="60",
    )
    assert bad.status_code == 422 and "Line 2:" in bad.text and "Line 7:" in bad.text
    occupancy = await _upload(
        session,
        "/sustainability/imports/occupancy",
        "visits.csv",
        f"site_id,month,visits\n{site.id},2025-04,900\n".encode(),
    )
    assert occupancy.status_code == 303, occupancy.text
    foreign_rows = await _upload(
        session,
        "/sustainability/imports/occupancy",
        "visits.csv",
        f"site_id,month,visits\n{foreign.id},2025-04,900\n".encode(),
    )
    assert foreign_rows.status_code == 422 and "Line 2:" in foreign_rows.text
    cm = await builders.user(Role.community_manager)
    await builders.assign(cm, sites=[site.id])
    cm_session = await builders.browser_session(make_client, cm)
    cm_page = await cm_session.get("/sustainability/imports")
    assert cm_page.status_code == 200 and "Interval data" not in cm_page.text
    denied = await _upload(cm_session, "/sustainability/imports/intervals", "x.csv", text)
    assert denied.status_code == 403

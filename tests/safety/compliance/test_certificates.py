"""The compliance register: shipped types, certificates per site or asset, red / amber /
green, documents through the upload checks, renewal work orders through the one write
path, scoping (partners: what they are responsible for), and bad input."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest

from facilities.accounts.enums import Role
from facilities.kit import clock
from facilities.safety.compliance.actions import seed_certificate_types
from facilities.safety.compliance.defaults import CERTIFICATE_TYPES
from facilities.settings import get_settings
from tests import builders
from tests import maintenance_builders as mb
from tests.permission_matrix.world import PDF
from tests.safety.helpers import field_of, person, place

NOW = datetime(2026, 6, 15, 10, 0, tzinfo=UTC)
URL = "/api/v1/safety/certificates"


@pytest.fixture(autouse=True)
def pinned_clock() -> Any:
    with clock.pinned(NOW):
        yield


async def _types(api: Any) -> dict[str, dict[str, Any]]:
    await seed_certificate_types()
    return {t["key"]: t for t in (await api.get("/api/v1/safety/certificate-types")).json()}


async def test_shipped_types_are_loaded_once_in_both_languages(make_client) -> None:
    assert await seed_certificate_types() == len(CERTIFICATE_TYPES)
    assert await seed_certificate_types() == 0
    here = await place()
    _u, ops = await person(make_client, Role.ops_manager, here)
    types = await _types(ops)
    assert types["fire_extinguishers"]["interval_months"] == 24
    assert types["lift"]["applies_to"] == "asset"
    de_user = await builders.user(Role.ops_manager, locale="de")
    de = await builders.api(make_client, de_user)
    names = {t["key"]: t["name"] for t in (await de.get("/api/v1/safety/certificate-types")).json()}
    assert names["fire_safety"] == "Brandschutzbegehung"


async def test_red_amber_green_and_the_usual_interval(make_client) -> None:
    here = await place()
    _u, ops = await person(make_client, Role.ops_manager, here)
    types = await _types(ops)
    base = {"certificate_type_id": types["fire_safety"]["id"], "site_id": here.site.id}
    green = await ops.post(URL, json={**base, "issued_on": "2026-05-01"})
    assert green.status_code == 201, green.text
    assert green.json()["expires_on"] == "2027-05-01" and green.json()["rag"] == "green"
    amber = (await ops.post(URL, json={**base, "issued_on": "2025-07-01"})).json()
    assert amber["expires_on"] == "2026-07-01" and amber["rag"] == "amber"
    red = (
        await ops.post(URL, json={**base, "issued_on": "2024-01-01", "expires_on": "2026-06-14"})
    ).json()
    assert red["rag"] == "red" and red["days_left"] == -1
    reds = (await ops.get(URL, params={"status": "red"})).json()
    assert [c["id"] for c in reds] == [red["id"]]


async def test_expires_before_issued_and_other_bad_input(make_client) -> None:
    here = await place()
    other = await place()
    _u, ops = await person(make_client, Role.ops_manager, here)
    types = await _types(ops)
    base = {"certificate_type_id": types["fire_safety"]["id"], "site_id": here.site.id}
    cases = [
        ({**base, "issued_on": "2026-05-01", "expires_on": "2026-04-30"}, "expires_on"),
        ({**base, "issued_on": "2026-05-01", "expires_on": "2026-05-01"}, "expires_on"),
        ({**base, "site_id": other.site.id, "issued_on": "2026-05-01"}, "site_id"),
        ({**base, "certificate_type_id": 999999, "issued_on": "2026-05-01"}, "certificate_type_id"),
        ({**base, "issued_on": "01.05.2026"}, "issued_on"),
        (
            {**base, "certificate_type_id": types["lift"]["id"], "issued_on": "2026-05-01"},
            "asset_id",
        ),
        (
            {**base, "issued_on": "2026-05-01", "responsible_partner_id": 999999},
            "responsible_partner_id",
        ),
    ]
    for body, field in cases:
        response = await ops.post(URL, json=body)
        assert response.status_code == 422, (body, response.text)
        assert field_of(response) == field
        assert "Expected" not in response.text
    assert (await ops.get(URL)).json() == []


async def test_documents_pass_the_upload_checks(make_client) -> None:
    here = await place()
    _u, ops = await person(make_client, Role.ops_manager, here)
    types = await _types(ops)
    body = {
        "certificate_type_id": types["legionella"]["id"],
        "site_id": here.site.id,
        "issued_on": "2026-01-10",
    }
    cert = (await ops.post(URL, json=body)).json()
    url = f"{URL}/{cert['id']}/documents"
    added = await ops.post(url, files={"file": ("report.pdf", PDF, "application/pdf")})
    assert added.status_code == 201, added.text
    doc = added.json()["documents"][0]
    assert doc["filename"] == "report.pdf" and doc["content_type"] == "application/pdf"
    fetched = await ops.get(f"{url}/{doc['id']}")
    assert fetched.status_code == 200 and fetched.content.startswith(b"%PDF-")
    script = await ops.post(url, files={"file": ("x.html", b"<script>", "text/html")})
    assert script.status_code == 422 and field_of(script) == "file"


async def test_renewal_work_order_through_the_one_write_path(make_client) -> None:
    here = await place()
    _u, ops = await person(make_client, Role.ops_manager, here)
    types = await _types(ops)
    asset_id = await mb.asset(here.site.id, "Passenger lift")
    org = await builders.partner_org("Lift GmbH")
    base = {
        "certificate_type_id": types["lift"]["id"],
        "site_id": here.site.id,
        "asset_id": asset_id,
        "responsible_partner_id": org.id,
    }
    green = (await ops.post(URL, json={**base, "issued_on": "2026-05-01"})).json()
    refused = await ops.post(f"{URL}/{green['id']}/renewal")
    assert refused.status_code == 409
    expired = (
        await ops.post(URL, json={**base, "issued_on": "2024-01-01", "expires_on": "2026-06-01"})
    ).json()
    raised = await ops.post(f"{URL}/{expired['id']}/renewal")
    assert raised.status_code == 201, raised.text
    order_id = raised.json()["renewal_work_order_id"]
    order = (await ops.get(f"/api/v1/work-orders/{order_id}")).json()
    assert order["origin"] == "safety" and order["asset_id"] == asset_id
    assert order["partner_organisation_id"] == org.id and order["priority"] == "p2"
    # One open renewal at a time.
    assert (await ops.post(f"{URL}/{expired['id']}/renewal")).status_code == 409


async def test_scoping_foreign_is_404_and_partners_see_their_items(make_client) -> None:
    here = await place()
    elsewhere = await place()
    _u, ops = await person(make_client, Role.ops_manager, here)
    _c, cm = await person(make_client, Role.community_manager, here)
    _f, far_cm = await person(make_client, Role.community_manager, elsewhere)
    types = await _types(ops)
    org = await builders.partner_org()
    partner = await builders.api(make_client, await builders.user(Role.partner, partner_id=org.id))
    body = {
        "certificate_type_id": types["gas_boiler"]["id"],
        "site_id": here.site.id,
        "asset_id": await mb.asset(here.site.id, "Boiler"),
        "issued_on": "2026-01-10",
    }
    mine = (await ops.post(URL, json={**body, "responsible_partner_id": org.id})).json()
    other = (await ops.post(URL, json=body)).json()
    assert (await cm.get(f"{URL}/{mine['id']}")).status_code == 200
    assert (await far_cm.get(f"{URL}/{mine['id']}")).status_code == 404
    assert (await partner.get(f"{URL}/{mine['id']}")).status_code == 200
    assert (await partner.get(f"{URL}/{other['id']}")).status_code == 404
    assert [c["id"] for c in (await partner.get(URL)).json()] == [mine["id"]]
    # Viewing is not managing.
    assert (await cm.post(f"{URL}/{mine['id']}/renewal")).status_code == 403


async def test_add_a_certificate_on_the_page_and_bad_dates_keep_the_form(make_client) -> None:
    here = await place()
    ops_user, ops = await person(make_client, Role.ops_manager, here)
    types = await _types(ops)
    org = await builders.partner_org("Brandschutz GmbH")
    session = await builders.browser_session(make_client, ops_user)
    form = await session.get("/safety/certificates/new")
    assert "Brandschutz GmbH" in form.text
    token = await builders.csrf(session, "/safety/certificates/new")
    values = {
        "_csrf_token": token,
        "certificate_type_id": str(types["fire_safety"]["id"]),
        "site_id": str(here.site.id),
        "issued_on": "2026-05-01",
        "expires_on": "2026-04-01",
        "reference": "BS-77",
        "responsible_partner_id": str(org.id),
    }
    refused = await session.post("/safety/certificates", data=values, files={"x": ("", b"")})
    assert refused.status_code == 422
    assert 'id="e-expires_on"' in refused.text and 'value="BS-77"' in refused.text
    saved = await session.post(
        "/safety/certificates", data={**values, "expires_on": ""}, files={"x": ("", b"")}
    )
    assert saved.status_code == 303, saved.text
    page = await session.get(saved.headers["location"])
    assert "Brandschutz GmbH" in page.text and "1 May 2027" in page.text


async def test_the_renewal_order_is_in_the_installations_language(make_client, monkeypatch) -> None:
    """An English-speaking ops manager raises it; a German installation stores it in German."""
    monkeypatch.setattr(get_settings(), "default_locale", "de")
    here = await place()
    _u, ops = await person(make_client, Role.ops_manager, here)
    types = await _types(ops)
    body = {
        "certificate_type_id": types["legionella"]["id"],
        "site_id": here.site.id,
        "issued_on": "2024-01-01",
        "expires_on": "2026-06-01",
    }
    expired = (await ops.post(URL, json=body)).json()
    raised = await ops.post(f"{URL}/{expired['id']}/renewal")
    assert raised.status_code == 201, raised.text
    order_id = raised.json()["renewal_work_order_id"]
    order = (await ops.get(f"/api/v1/work-orders/{order_id}")).json()
    assert order["title"].startswith("Erneuern: ") and "Legionellen" in order["title"], order[
        "title"
    ]
    assert order["description"] == "Der Nachweis läuft am 01.06.2026 ab.", order["description"]

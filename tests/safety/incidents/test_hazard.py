"""The public "report a safety hazard" form of an asset's QR label: a near miss, anonymous
or with an e-mail, rate-limited like the problem-report form; revoked or unknown labels
and sign-in sites answer as the scan page does."""

from __future__ import annotations

import httpx

from facilities.safety.incidents.tables import Incident, IncidentPhoto
from facilities.safety.limits import HAZARDS_PER_CLIENT
from tests import builders
from tests import maintenance_builders as mb


async def _send(client: httpx.AsyncClient, code: str, files=None, **fields: str) -> httpx.Response:
    token = await builders.csrf(client, f"/q/{code}/hazard")
    data = {"title": "Loose cable across the walkway", **fields, "_csrf_token": token}
    return await client.post(f"/q/{code}/hazard", data=data, files=files or {"photo": ("", b"")})


async def test_scan_page_offers_the_hazard_form(client) -> None:
    _site, _asset, code = await mb.scanned_asset(name="Printer")
    page = await client.get(f"/q/{code}")
    assert f'href="/q/{code}/hazard"' in page.text
    form = await client.get(f"/q/{code}/hazard")
    assert form.status_code == 200 and "Report a safety hazard" in form.text


async def test_anonymous_hazard_becomes_a_near_miss(client) -> None:
    site, asset_id, code = await mb.scanned_asset(name="Printer")
    response = await _send(
        client,
        code,
        files={"photo": ("a.png", mb.png(), "image/png")},
        email="Mia@Example.com",
    )
    assert response.status_code == 303, response.text
    row = await Incident.select().first()
    assert row["kind"] == "near_miss" and row["source"] == "qr"
    assert row["asset"] == asset_id and row["site"] == site.id
    assert row["reported_by"] is None and row["reporter_email"] == "mia@example.com"
    assert await IncidentPhoto.count() == 1


async def test_bad_input_keeps_the_text_and_names_the_field(client) -> None:
    _site, _asset, code = await mb.scanned_asset()
    no_title = await _send(client, code, title="", description="by the stairs")
    assert no_title.status_code == 422
    assert "by the stairs" in no_title.text and 'id="e-title"' in no_title.text
    bad_mail = await _send(client, code, email="not-an-address")
    assert bad_mail.status_code == 422 and 'id="e-email"' in bad_mail.text
    not_image = await _send(client, code, files={"photo": ("a.png", b"xx", "image/png")})
    assert not_image.status_code == 422 and 'id="e-photo"' in not_image.text
    assert await Incident.count() == 0


async def test_rate_limited_like_the_problem_report_form(client) -> None:
    _site, _asset, code = await mb.scanned_asset()
    for _ in range(HAZARDS_PER_CLIENT.limit):
        assert (await _send(client, code)).status_code == 303
    refused = await _send(client, code)
    assert refused.status_code == 429 and refused.headers["retry-after"]
    assert "Loose cable" in refused.text
    assert await Incident.count() == HAZARDS_PER_CLIENT.limit


async def test_revoked_unknown_and_sign_in_labels(client) -> None:
    _site, asset_id, _code = await mb.scanned_asset()
    revoked = await mb.label(asset_id, status="revoked")
    assert (await client.get(f"/q/{revoked}/hazard")).status_code == 404
    assert (await client.get("/q/TNOSUCHCODE0/hazard")).status_code == 404
    _s, _a, private = await mb.scanned_asset(anonymous=False)
    answer = await client.get(f"/q/{private}/hazard")
    assert answer.status_code == 303 and answer.headers["location"].startswith("/login")


async def test_honeypot_stores_nothing(client) -> None:
    _site, _asset, code = await mb.scanned_asset()
    response = await _send(client, code, website="http://spam.example")
    assert response.status_code == 303
    assert await Incident.count() == 0

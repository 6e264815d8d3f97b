"""The safety report: figures per site, region or all for a period, the same SVG charts on
the web page and in the PDF, scoping, and share links (read-only,
no sign-in, expiring, revocable; revoked or expired answer in words)."""

from __future__ import annotations

import io
import re
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from pypdf import PdfReader

from facilities.accounts.enums import Role
from facilities.kit import clock
from facilities.safety.compliance.actions import seed_certificate_types
from facilities.safety.training.actions import seed_training_types
from tests import builders
from tests.safety.helpers import incident_body, person, place

NOW = datetime(2026, 6, 15, 10, 0, tzinfo=UTC)
API = "/api/v1/safety/report"


@pytest.fixture(autouse=True)
def pinned_clock() -> Any:
    with clock.pinned(NOW):
        yield


async def _world(make_client: Any) -> dict[str, Any]:
    await seed_certificate_types()
    await seed_training_types()
    here = await place()
    ops_user, ops = await person(make_client, Role.ops_manager, here)
    for when, kind in (
        ("2026-03-03T10:00:00Z", "incident"),
        ("2026-03-20T10:00:00Z", "near_miss"),
        ("2026-04-02T10:00:00Z", "near_miss"),
        ("2025-01-02T10:00:00Z", "incident"),  # before the period
    ):
        body = incident_body(here.site.id, kind=kind, occurred_at=when)
        assert (await ops.post("/api/v1/safety/incidents", json=body)).status_code == 201
    secret = incident_body(
        here.site.id,
        occurred_at="2026-05-01T10:00:00Z",
        confidential=True,
        title="Confidential: harassment complaint",
    )
    assert (await ops.post("/api/v1/safety/incidents", json=secret)).status_code == 201
    types = {t["key"]: t["id"] for t in (await ops.get("/api/v1/safety/certificate-types")).json()}
    for issued, expires in (
        ("2024-01-01", "2026-06-01"),
        ("2025-07-01", "2026-07-01"),
        ("2026-01-01", None),
    ):
        body = {
            "certificate_type_id": types["fire_safety"],
            "site_id": here.site.id,
            "issued_on": issued,
        }
        if expires:
            body["expires_on"] = expires
        assert (await ops.post("/api/v1/safety/certificates", json=body)).status_code == 201
    return {"here": here, "ops": ops, "ops_user": ops_user}


PERIOD = {"period_from": "2026-01-01", "period_to": "2026-06-30"}


async def test_figures_for_a_site_and_a_period(make_client) -> None:
    w = await _world(make_client)
    report = (await w["ops"].get(API, params={**PERIOD, "site_id": w["here"].site.id})).json()
    f = report["incidents"]
    assert (f["incidents"], f["near_misses"], f["confidential"]) == (2, 2, 1)
    assert f["site_months"] == 6 and f["incidents_per_site_month"] == round(2 / 6, 3)
    assert f["near_miss_ratio"] == 1.0
    months = {m: (i, n) for m, i, n in f["by_month"]}
    assert months["2026-03"] == (1, 1) and months["2026-04"] == (0, 1)
    c = report["certificates"]
    assert (c["red"], c["amber"], c["green"]) == (1, 1, 1)
    region = (await w["ops"].get(API, params={**PERIOD, "region_id": w["here"].region.id})).json()
    assert region["incidents"] == report["incidents"]


async def test_period_and_scope_errors(make_client) -> None:
    w = await _world(make_client)
    backwards = await w["ops"].get(
        API, params={"period_from": "2026-06-01", "period_to": "2026-01-01"}
    )
    assert backwards.status_code == 422
    assert backwards.json()["fields"][0]["field"] == "period_to"
    elsewhere = await place()
    foreign = await w["ops"].get(API, params={"site_id": elsewhere.site.id})
    assert foreign.status_code == 404
    partner = await builders.api(make_client, await builders.user(Role.partner))
    assert (await partner.get(API)).status_code == 403


async def test_web_and_pdf_show_the_same_charts(make_client) -> None:
    w = await _world(make_client)
    session = await builders.browser_session(make_client, w["ops_user"])
    query = "period_from=2026-01-01&period_to=2026-06-30"
    page = await session.get(f"/safety/report?{query}")
    assert page.status_code == 200
    svgs = re.findall(r"<svg.*?</svg>", page.text, flags=re.S)
    assert len(svgs) == 4 and not any(
        "<script" in svg or "http:" in svg.replace("http://www.w3.org", "") for svg in svgs
    )
    assert "Confidential: harassment" not in page.text
    pdf = await session.get(f"/safety/report/pdf?{query}")
    assert pdf.status_code == 200 and pdf.headers["content-type"] == "application/pdf"
    text = "".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf.content)).pages)
    assert "Incidents and near misses per month" in text
    assert "Certificates by status" in text


async def test_share_link_read_only_expiring_and_revocable(make_client) -> None:
    w = await _world(make_client)
    body = {**PERIOD, "site_id": w["here"].site.id, "days": 7}
    created = await w["ops"].post(f"{API}/links", json=body)
    assert created.status_code == 201, created.text
    link = created.json()
    path = "/safety/shared/" + link["url"].rsplit("/", 1)[-1]
    anonymous = make_client()
    shown = await anonymous.get(path)
    assert shown.status_code == 200, shown.text
    assert "Incidents and near misses" in shown.text and "<svg" in shown.text
    assert "Confidential: harassment" not in shown.text
    assert "Share this report" not in shown.text and "/safety/incidents/" not in shown.text
    assert shown.headers["cache-control"] == "private, no-store"
    # Expired a week later: a clear answer.
    with clock.pinned(NOW + timedelta(days=8)):
        expired = await anonymous.get(path)
        assert expired.status_code == 410 and "expired" in expired.text
    revoked = await w["ops"].post(f"{API}/links/{link['id']}/revoke")
    assert revoked.status_code == 201 and revoked.json()["live"] is False
    gone = await anonymous.get(path)
    assert gone.status_code == 410 and "revoked" in gone.text
    assert (await anonymous.get("/safety/shared/" + "x" * 43)).status_code == 404
    # Another user's link is not theirs to revoke.
    other = await builders.api(make_client, await builders.user(Role.viewer))
    assert (await other.post(f"{API}/links/{link['id']}/revoke")).status_code == 404


async def test_a_deactivated_creator_kills_the_link(make_client) -> None:
    w = await _world(make_client)
    created = (await w["ops"].post(f"{API}/links", json={**PERIOD})).json()
    path = "/safety/shared/" + created["url"].rsplit("/", 1)[-1]
    anonymous = make_client()
    assert (await anonymous.get(path)).status_code == 200
    admin = await builders.api(make_client, await builders.user(Role.admin))
    deactivated = await admin.patch(f"/api/v1/users/{w['ops_user'].id}", json={"active": False})
    assert deactivated.status_code == 200, deactivated.text
    assert (await anonymous.get(path)).status_code == 404

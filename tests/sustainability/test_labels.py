"""Meter QR labels: the PDF (A4 sheet of a site's meters, single labels) rasterised with
pdftoppm and decoded with zbar (``zbarimg``); following the decoded URL opens the meter's
"enter a reading" page, after a sign-in that comes back to the code. Labels live in the
assets' ``qr_code`` table (one namespace), so the asset API never treats them as its own."""

from __future__ import annotations

import shutil
import subprocess
import tempfile
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from facilities.accounts.enums import Role
from facilities.assets.tables import QrScan
from facilities.sustainability import actions
from tests import builders
from tests.sustainability.helpers import meter

pytestmark = pytest.mark.skipif(
    shutil.which("zbarimg") is None or shutil.which("pdftoppm") is None,
    reason="zbarimg and pdftoppm are needed to read the printed labels",
)


def zbar_pages(pdf: bytes) -> list[list[str]]:
    """Every page at 200 dpi (pdftoppm), and the QR texts zbar finds on each."""
    with tempfile.TemporaryDirectory() as folder:
        source = Path(folder) / "labels.pdf"
        source.write_bytes(pdf)
        subprocess.run(
            ["pdftoppm", "-r", "200", "-png", str(source), str(Path(folder) / "page")], check=True
        )
        found = []
        for page in sorted(Path(folder).glob("page-*.png")):
            run = subprocess.run(
                ["zbarimg", "--quiet", "--raw", "-Sdisable", "-Sqrcode.enable", str(page)],
                capture_output=True,
                text=True,
                check=False,
            )
            found.append(sorted(line for line in run.stdout.splitlines() if line))
        return found


async def _world(make_client):
    region = await builders.region()
    site = await builders.site(region.id)
    other = await builders.site(region.id)
    water = await meter(site.id, name="Water main", carrier="water", unit="m3")
    power = await meter(site.id, name="Power", number="1ESY1160")
    elsewhere = await meter(other.id, name="Other site's water", carrier="water", unit="m3")
    cm = await builders.user(Role.community_manager)
    await builders.assign(cm, sites=[site.id])
    return site, water, power, elsewhere, cm


async def test_a_new_meter_has_a_code_and_url(make_client) -> None:
    _site, water, power, *_ = await _world(make_client)
    assert water.qr_code and water.qr_url and water.qr_url.endswith(f"/q/{water.qr_code}")
    assert water.qr_code != power.qr_code


async def test_site_sheet_decodes_and_the_scan_opens_enter_a_reading(make_client) -> None:
    site, water, power, elsewhere, cm = await _world(make_client)
    api = await builders.api(make_client, cm)
    response = await api.post(
        "/api/v1/sustainability/labels", json={"site_id": site.id, "layout": "sheet"}
    )
    assert response.status_code == 200, response.text
    assert response.headers["content-type"] == "application/pdf"
    assert zbar_pages(response.content) == [sorted([water.qr_url, power.qr_url])]
    # Follow the decoded URL as a phone would: signed in, it lands on the reading form.
    session = await builders.browser_session(make_client, cm)
    path = urlsplit(water.qr_url).path
    scanned = await session.get(path)
    assert scanned.status_code == 303
    assert scanned.headers["location"] == f"/sustainability/meters/{water.id}"
    landed = await session.get(scanned.headers["location"])
    assert landed.status_code == 200
    assert "Enter a reading" in landed.text and 'name="value"' in landed.text
    assert await QrScan.count() == 1  # the scan is logged like an asset's
    # A foreign site's meter: the label resolves, the page does not exist for this caller.
    foreign = await session.get(urlsplit(elsewhere.qr_url or "").path, follow_redirects=True)
    assert foreign.status_code == 404


async def test_signed_out_scan_signs_in_and_comes_back(make_client) -> None:
    _site, water, _power, _elsewhere, cm = await _world(make_client)
    phone = make_client()
    path = urlsplit(water.qr_url or "").path
    first = await phone.get(path)
    assert first.status_code == 303
    assert first.headers["location"] == f"/login?next={path}"
    token = await builders.csrf(phone)
    signed_in = await phone.post(
        "/login",
        data={
            "email": cm.email,
            "password": builders.PASSWORD,
            "_csrf_token": token,
            "next": path,
        },
    )
    assert signed_in.status_code == 303 and signed_in.headers["location"] == path
    again = await phone.get(path)
    assert again.headers["location"] == f"/sustainability/meters/{water.id}"
    saved = await builders.post_form(
        phone, f"/sustainability/meters/{water.id}/readings", {"value": "12,5"}
    )
    assert saved.status_code == 303, saved.text


async def test_single_label_page_and_a_replaced_code(make_client) -> None:
    site, water, power, elsewhere, cm = await _world(make_client)
    session = await builders.browser_session(make_client, cm)
    single = await session.get(f"/sustainability/meters/{power.id}/label.pdf")
    assert single.status_code == 200, single.text
    assert zbar_pages(single.content) == [[power.qr_url]]
    sheet = await session.get(f"/sustainability/sites/{site.id}/meter-labels.pdf?skip=3")
    assert zbar_pages(sheet.content) == [sorted([water.qr_url, power.qr_url])]
    assert (
        await session.get(f"/sustainability/meters/{elsewhere.id}/label.pdf")
    ).status_code == 404
    # A new label replaces the old one: the old code says so and names the new one.
    new_code = await actions.issue_meter_code(
        actor=await builders.system(), meter_id=power.id, site_id=site.id
    )
    old = await session.get(urlsplit(power.qr_url or "").path)
    assert old.status_code == 200 and "This label was replaced" in old.text
    assert f"/q/{new_code}" in old.text


async def test_the_asset_api_does_not_treat_a_meter_label_as_its_own(make_client) -> None:
    _site, water, *_ = await _world(make_client)
    admin = await builders.api(make_client, await builders.user(Role.admin))
    assert (await admin.get(f"/api/v1/qr-codes/{water.qr_code}")).status_code == 404

"""The sustainability report: the page and the PDF from one template (same SVG charts), the
methodology appendix listing every factor used, CSV and XLSX exports; scoped (404)."""

from __future__ import annotations

import csv
import io
import zipfile

import pypdf

from facilities.accounts.enums import Role
from tests import builders
from tests.sustainability.test_results import _site_with_data


async def _ops(make_client, region_id: int):
    ops = await builders.user(Role.ops_manager)
    await builders.assign(ops, regions=[region_id])
    return await builders.browser_session(make_client, ops)


async def test_page_and_pdf(make_client) -> None:
    region_id, site_id = await _site_with_data()
    client = await _ops(make_client, region_id)
    page = await client.get(f"/sustainability/report?year=2025&region_id={region_id}")
    assert page.status_code == 200, page.text
    assert "data:image/svg+xml;base64," in page.text
    assert "Methodology" in page.text and "test" in page.text  # the factors' source
    assert "Scope 2 market-based" in page.text
    pdf = await client.get(f"/sustainability/report.pdf?year=2025&site_id={site_id}")
    assert pdf.status_code == 200 and pdf.headers["content-type"] == "application/pdf"
    text = "".join(p.extract_text() for p in pypdf.PdfReader(io.BytesIO(pdf.content)).pages)
    assert "Methodology" in text and "Emission factors used" in text
    assert "Scope 1" in text


async def test_exports(make_client) -> None:
    region_id, site_id = await _site_with_data()
    client = await _ops(make_client, region_id)
    response = await client.get(f"/sustainability/report.csv?year=2025&site_id={site_id}")
    assert response.status_code == 200
    rows = list(csv.DictReader(io.StringIO(response.text)))
    january = {r["carrier"]: r for r in rows if r["month"] == "2025-01"}
    assert float(january["electricity_grid"]["quantity"]) == 3100
    assert float(january["electricity_grid"]["scope2_location_kg"]) == 1240
    assert float(january["waste_paper"]["quantity"]) == 70
    book = await client.get(f"/sustainability/report.xlsx?year=2025&region_id={region_id}")
    assert book.status_code == 200
    with zipfile.ZipFile(io.BytesIO(book.content)) as archive:
        sheet = archive.read("xl/worksheets/sheet1.xml").decode()
    assert "electricity_grid" in sheet or "sharedStrings" in str(archive.namelist())


async def test_foreign_site_or_region_is_404(make_client) -> None:
    region_id, _site = await _site_with_data()
    other_region, other_site = await _site_with_data()
    client = await _ops(make_client, region_id)
    for path in (
        f"/sustainability/report?site_id={other_site}",
        f"/sustainability/report?region_id={other_region}",
        f"/sustainability/report.pdf?site_id={other_site}",
        f"/sustainability/report.csv?region_id={other_region}",
        f"/sustainability/report.xlsx?site_id={other_site}",
    ):
        assert (await client.get(path)).status_code == 404, path


async def test_costs_carry_the_installation_currency(make_client, monkeypatch) -> None:
    """The monthly costs use the ``money`` filter: the installation's currency, never a
    hard-coded "€" (here CHF through ``FACILITIES_CURRENCY``)."""
    from facilities.settings import get_settings

    region_id, site_id = await _site_with_data()
    client = await _ops(make_client, region_id)
    euro = await client.get(f"/sustainability?year=2025&site_id={site_id}")
    assert euro.status_code == 200 and "€68.00" in euro.text
    monkeypatch.setattr(get_settings(), "currency", "CHF")
    for path in (
        f"/sustainability?year=2025&site_id={site_id}",
        f"/sustainability/report?year=2025&site_id={site_id}",
    ):
        page = await client.get(path)
        assert page.status_code == 200, page.text
        assert "CHF68.00" in page.text and "€68" not in page.text, path

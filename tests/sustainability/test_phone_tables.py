"""At phone width a table becomes labelled cards: every cell of a data row carries its
column's heading (``data-label``, shown by app.css in front of the value). Every table of the
sustainability pages, in English and German."""

from __future__ import annotations

import re

from facilities.accounts.enums import Role
from facilities.sustainability.tables import Meter
from tests import builders
from tests.sustainability.test_results import _site_with_data


def _unlabelled(html: str) -> list[str]:
    """The data cells without a label (a row's single "nothing yet" cell spans the row; a
    cell holding only a row's button, ``class="actions"``, needs none)."""
    missing = []
    for table in re.findall(r"<table.*?</table>", html, re.S):
        body = table.split("<tbody>", 1)[-1]
        for cell in re.findall(r"<td\b[^>]*>", body):
            if not re.search(r'data-label=|colspan=|class="actions"', cell):
                missing.append(cell)
    return missing


async def _session(make_client, locale: str):
    region_id, site_id = await _site_with_data()
    ops = await builders.user(Role.ops_manager, locale=locale)
    await builders.assign(ops, regions=[region_id])
    session = await builders.browser_session(make_client, ops)
    target = await builders.post_form(
        session,
        "/sustainability/targets",
        {
            "scope": f"site:{site_id}",
            "metric": "co2e",
            "reduction_pct": "30",
            "baseline_year": "2024",
            "target_year": "2030",
        },
    )
    assert target.status_code == 303, target.text
    return region_id, site_id, session


async def test_every_sustainability_table_names_its_cells_on_a_phone(make_client) -> None:
    region_id, site_id, session = await _session(make_client, "en")
    meters = await Meter.select(Meter.id, Meter.carrier).where(Meter.site == site_id)
    pages = [f"/sustainability/meters/{m['id']}" for m in meters]  # readings, bills
    pages += [
        "/sustainability?year=2025",
        f"/sustainability?year=2025&site_id={site_id}",
        "/sustainability/factors",
        "/sustainability/targets?year=2025",
        f"/sustainability/occupancy?site_id={site_id}&year=2025",
        f"/sustainability/report?year=2025&region_id={region_id}",
    ]
    for url in pages:
        page = await session.get(url)
        assert page.status_code == 200, (url, page.text)
        assert "<td" in page.text, url
        assert _unlabelled(page.text) == [], url
    electricity = next(m for m in meters if m["carrier"] == "electricity_grid")
    readings = await session.get(f"/sustainability/meters/{electricity['id']}")
    for heading in ("When", "Reading", "Consumption", "Kind", "By"):
        assert f'data-label="{heading}"' in readings.text


async def test_labels_in_german(make_client) -> None:
    _region_id, site_id, session = await _session(make_client, "de")
    meters = await Meter.select(Meter.id, Meter.carrier).where(Meter.site == site_id)
    electricity = next(m for m in meters if m["carrier"] == "electricity_grid")
    page = await session.get(f"/sustainability/meters/{electricity['id']}")
    assert 'data-label="Verbrauch"' in page.text
    assert 'data-label="Consumption"' not in page.text
    assert "Strom (Netz) · kWh" in page.text  # not "Strom (Netz) (kWh)"
    results = await session.get(f"/sustainability?year=2025&site_id={site_id}")
    assert 'data-label="Scope 2 marktbasiert"' in results.text

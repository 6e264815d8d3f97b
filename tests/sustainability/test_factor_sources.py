"""The shipped emission factors' source notes follow the reader's language (factors page,
results page, the report's methodology appendix on the web and in the PDF); a note someone
typed is shown as entered; the publishers' names stay as published."""

from __future__ import annotations

import io

import pypdf

from facilities.accounts.enums import Role
from facilities.kit.i18n import using_locale
from facilities.sustainability import actions
from facilities.sustainability.defaults import DEFAULT_FACTORS, localized_source
from tests import builders
from tests.sustainability.helpers import meter, reading
from tests.sustainability.test_results import berlin_midnight

GERMAN = "Reihe Climate Change „Entwicklung der spezifischen Treibhausgas-Emissionen"
NAMES = (
    "Umweltbundesamt: CO2-Emissionsfaktor des deutschen Strommix (Inlandsverbrauch)",
    "Entwicklung der spezifischen Treibhausgas-Emissionen des deutschen Strommix",
    "BAFA Informationsblatt CO2-Faktoren",
    "AGFW FW 309-6",
)
ENGLISH = "Climate Change series"


def test_every_shipped_note_has_a_german_text_naming_the_same_publisher() -> None:
    for factor in DEFAULT_FACTORS:
        with using_locale("de"):
            german = localized_source(factor.source, shipped=True)
        with using_locale("en"):
            english = localized_source(factor.source, shipped=True)
        assert english == factor.source
        assert german != english and "Standardwert" in german
        for name in NAMES:  # publishers and titles exactly as published
            assert (name in german) == (name in english)
    # A note that is not a shipped default's (or not marked shipped) is never rewritten.
    with using_locale("de"):
        assert localized_source("Stadtwerke, certificate 2025", shipped=True) == (
            "Stadtwerke, certificate 2025"
        )
        assert localized_source(DEFAULT_FACTORS[0].source, shipped=False) == (
            DEFAULT_FACTORS[0].source
        )


async def _world(make_client, locale: str):
    region = await builders.region()
    site = await builders.site(region.id, floor_area_m2=100, desks=10)
    power = await meter(site.id)
    await reading(power.id, 1_000, berlin_midnight(2024, 1, 1))
    await reading(power.id, 2_000, berlin_midnight(2024, 2, 1))
    await actions.seed_default_factors()
    ops = await builders.user(Role.ops_manager, locale=locale)
    await builders.assign(ops, regions=[region.id])
    return site, await builders.browser_session(make_client, ops)


async def test_german_pages_and_pdf_show_the_german_note(make_client) -> None:
    site, client = await _world(make_client, "de")
    factors = await client.get("/sustainability/factors")
    assert factors.status_code == 200
    assert GERMAN in factors.text and ENGLISH not in factors.text
    assert "Jahr 2024 (vorläufig)" in factors.text
    assert "0,201 kg CO2/kWh (Hi), auf den Brennwert (Hs) umgerechnet" in factors.text
    report = await client.get(f"/sustainability/report?year=2024&site_id={site.id}")
    assert report.status_code == 200
    assert "Umweltbundesamt" in report.text and "Jahr 2024 (vorläufig)" in report.text
    assert ENGLISH not in report.text
    assert "IPCC AR6 (2021), WG I, Tabelle 7.SM.7" in report.text
    pdf = await client.get(f"/sustainability/report.pdf?year=2024&site_id={site.id}")
    assert pdf.status_code == 200
    text = " ".join(p.extract_text() for p in pypdf.PdfReader(io.BytesIO(pdf.content)).pages)
    flat = " ".join(text.split())
    assert "Umweltbundesamt" in flat and "vorläufig" in flat and "Standardwert" in flat
    assert "Shipped default" not in flat


async def test_english_pages_keep_the_stored_note(make_client) -> None:
    site, client = await _world(make_client, "en")
    factors = await client.get("/sustainability/factors")
    assert ENGLISH in factors.text and "year 2024 (provisional)" in factors.text
    report = await client.get(f"/sustainability/report?year=2024&site_id={site.id}")
    assert ENGLISH in report.text and GERMAN not in report.text

"""The sustainability report (web page and PDF from one template and one context) and the
exports of its monthly figures (CSV and XLSX, streamed).

Charts are SVG made on the server with pygal (pure Python, SVG is its native output, no
numpy or font cache as matplotlib would bring): one function draws each chart and both the
page and the PDF embed the same SVG as a ``data:`` image, so the picture is the same.
"""

from __future__ import annotations

import csv
import io
import os
import tempfile
from collections import defaultdict
from collections.abc import AsyncIterator, Iterator
from datetime import date
from decimal import Decimal
from typing import Any

import anyio.to_thread
import pygal
import xlsxwriter
from pygal.style import Style

from facilities.accounts.principal import Principal
from facilities.kit import clock
from facilities.kit.i18n import _, format_number
from facilities.kit.pdf import data_uri
from facilities.kit.pdf import render as render_pdf
from facilities.kit.templating import TEMPLATE_DIR, make_environment
from facilities.sites import scope
from facilities.sites.tables import Region, Site
from facilities.sustainability import queries, refrigerants, results, targets
from facilities.sustainability.enums import (
    CARRIER_LABELS,
    ENERGY,
    FACTOR_METHOD_LABELS,
    UNIT_LABELS,
    Carrier,
    reporting_unit,
)
from facilities.sustainability.refrigerants import Basis
from facilities.sustainability.schemas import ResultsRead
from facilities.sustainability.tables import Meter

# Colour-blind-safe (Okabe-Ito), one colour per series.
PALETTE = ("#0072B2", "#E69F00", "#009E73", "#D55E00", "#CC79A7", "#56B4E9", "#F0E442")
STYLE = Style(
    background="white",
    plot_background="white",
    foreground="#222",
    foreground_strong="#111",
    foreground_subtle="#666",
    colors=PALETTE,
    font_family="DejaVu Sans, sans-serif",
    label_font_size=12,
    major_label_font_size=12,
    legend_font_size=12,
    value_font_size=12,
)


def _chart(kind: Any, title: str, labels: list[str]) -> Any:
    chart = kind(
        width=800,
        height=400,
        style=STYLE,
        title=title,
        legend_at_bottom=False,  # a legend below the bars was clipped by pygal's layout
        truncate_legend=-1,
        disable_xml_declaration=True,
        js=[],
        show_y_guides=True,
        print_values=False,
        margin=8,
        value_formatter=format_number,  # the axis in the reader's format: 16.000, not 16000
    )
    chart.x_labels = labels
    return chart


def _svg_uri(chart: Any) -> str:
    return data_uri(chart.render(is_unicode=True).encode(), "image/svg+xml")


def month_labels(figures: ResultsRead) -> list[str]:
    from facilities.kit.i18n import format_date

    return [format_date(m.month, "MMM") for m in figures.months]


def energy_chart(figures: ResultsRead) -> str:
    """Energy per month, stacked by carrier (kWh)."""
    chart = _chart(pygal.StackedBar, _("Energy by carrier (kWh)"), month_labels(figures))
    for carrier in Carrier:
        if carrier not in ENERGY:
            continue
        values = [
            next((c.quantity for c in m.carriers if c.carrier is carrier), 0.0)
            for m in figures.months
        ]
        if any(values):
            chart.add(_(CARRIER_LABELS[carrier]), [round(v) for v in values])
    return _svg_uri(chart)


def emissions_chart(figures: ResultsRead) -> str:
    """CO2e per month: Scope 1, Scope 2 location-based and market-based (t)."""
    chart = _chart(pygal.Bar, _("CO2e by month (t)"), month_labels(figures))
    chart.add(_("Scope 1"), [round(m.scope1_kg / 1000, 2) for m in figures.months])
    chart.add(
        _("Scope 2 location-based"), [round(m.scope2_location_kg / 1000, 2) for m in figures.months]
    )
    chart.add(
        _("Scope 2 market-based"), [round(m.scope2_market_kg / 1000, 2) for m in figures.months]
    )
    return _svg_uri(chart)


def change(now: float | None, before: float | None) -> float | None:
    """Change against the earlier figure in %; None without an earlier figure."""
    if now is None or before is None or before == 0:
        return None
    return (now - before) / abs(before) * 100


async def scope_name(actor: Principal, site_id: int | None, region_id: int | None) -> str:
    if site_id is not None:
        await scope.require_site(actor, site_id)
        row = await Site.select(Site.name, Site.code).where(Site.id == site_id).first()
        return f"{row['code']} {row['name']}" if row else ""
    if region_id is not None:
        await scope.require_region(actor, region_id)
        found = await Region.select(Region.name).where(Region.id == region_id).first()
        return _("Region %(name)s") % {"name": found["name"] if found else ""}
    return _("All my sites")


async def context(
    actor: Principal, *, year: int, site_id: int | None = None, region_id: int | None = None
) -> dict[str, Any]:
    """Everything the report shows: the year, the year before (for comparisons), targets
    with progress, the charts and every emission factor used with source and version."""
    name = await scope_name(actor, site_id, region_id)
    where = {"site_id": site_id, "region_id": region_id if site_id is None else None}
    previous, current = await results.results_of_years(actor, first=year - 1, last=year, **where)
    found = await targets.list_targets(actor, year=year, site_id=site_id, region_id=region_id)
    used = set(current.factor_ids) | set(previous.factor_ids)
    factors = [f for f in await queries.list_factors() if f.id in used]
    site_ids = [s["id"] for s in await results.report_sites(actor, **where)]
    gases = sorted({row["gas"] for row in await results.refrigerant_rows(site_ids, year)})
    supplier_factors = [
        dict(r)
        for r in await Meter.select(
            Meter.name, Meter.carrier, Meter.market_factor, Meter.market_factor_source
        ).where(Meter.site.is_in(site_ids or [0]) & Meter.market_factor.is_not_null())
    ]
    t, p = current.total, previous.total
    comparisons = [
        (_("Energy (kWh)"), t.energy_kwh, p.energy_kwh),
        (_("Scope 1 (kg CO2e)"), t.scope1_kg, p.scope1_kg),
        (_("of it refrigerants (kg CO2e)"), t.scope1_refrigerant_kg, p.scope1_refrigerant_kg),
        (_("Scope 2 location-based (kg CO2e)"), t.scope2_location_kg, p.scope2_location_kg),
        (_("Scope 2 market-based (kg CO2e)"), t.scope2_market_kg, p.scope2_market_kg),
        (
            _("kWh per m²"),
            t.intensities.energy_kwh_per_m2,
            p.intensities.energy_kwh_per_m2,
        ),
        (
            _("kg CO2e per m² (location-based)"),
            t.intensities.co2e_location_kg_per_m2,
            p.intensities.co2e_location_kg_per_m2,
        ),
        (
            _("kg CO2e per m² (market-based)"),
            t.intensities.co2e_market_kg_per_m2,
            p.intensities.co2e_market_kg_per_m2,
        ),
        (
            _("kg CO2e per desk"),
            t.intensities.co2e_location_kg_per_desk,
            p.intensities.co2e_location_kg_per_desk,
        ),
        (
            _("kg CO2e per member visit"),
            t.intensities.co2e_location_kg_per_visit,
            p.intensities.co2e_location_kg_per_visit,
        ),
        (_("Waste diversion rate (%)"), t.diversion_rate, p.diversion_rate),
    ]
    return {
        "year": year,
        "site_id": site_id,
        "region_id": region_id,
        "scope_name": name,
        "current": current,
        "previous": previous,
        "comparisons": [
            (label, now, before, change(now, before)) for label, now, before in comparisons
        ],
        "month_pairs": list(zip(current.months, previous.months, strict=True)),
        "targets": found,
        "factors": factors,
        "supplier_factors": supplier_factors,
        "gases": [
            (g, refrigerants.gwp(g, refrigerants.Basis.ar5), refrigerants.gwp(g)) for g in gases
        ],
        "gwp_source": _(refrigerants.SOURCES[refrigerants.BASIS]),
        "gwp_other_source": _(refrigerants.SOURCES[Basis.ar5]),
        "energy_chart": energy_chart(current),
        "emissions_chart": emissions_chart(current),
        "carrier_labels": CARRIER_LABELS,
        "method_labels": FACTOR_METHOD_LABELS,
        "unit_labels": UNIT_LABELS,
        "reporting_unit": reporting_unit,
        "energy_carriers": ENERGY,
    }


def pdf_html(values: dict[str, Any]) -> str:
    environment = make_environment([TEMPLATE_DIR])
    return environment.get_template("sustainability/report_pdf.html").render(**values)


async def pdf(
    actor: Principal, *, year: int, site_id: int | None = None, region_id: int | None = None
) -> bytes:
    """The report as PDF (WeasyPrint off the event loop, nothing fetched)."""
    values = await context(actor, year=year, site_id=site_id, region_id=region_id)
    values["printed_at"] = clock.now()
    return await render_pdf(pdf_html(values))


# ---- exports ---------------------------------------------------------------------------

HEADER = (
    "site_code",
    "site",
    "month",
    "carrier",
    "quantity",
    "unit",
    "cost",
    "estimated",
    "scope1_kg",
    "scope2_location_kg",
    "scope2_market_kg",
)


async def export_rows(
    actor: Principal, *, year: int, site_id: int | None = None, region_id: int | None = None
) -> list[tuple[Any, ...]]:
    """The stored monthly figures per site, month and carrier (refrigerant top-ups as rows of
    their gas, in kg), in the caller's scope."""
    sites = await results.report_sites(actor, site_id=site_id, region_id=region_id)
    names = {s["id"]: (s["code"], s["name"]) for s in sites}
    grouped: dict[tuple[int, date, str], list[Any]] = defaultdict(
        lambda: [Decimal(0), None, False, Decimal(0), Decimal(0), Decimal(0), ""]
    )
    for row in await results.monthly_rows(sorted(names), date(year, 1, 1), date(year, 12, 1)):
        carrier = Carrier(row["carrier"])
        key = (row["site"], queries.to_date(row["month"]), carrier.value)
        item = grouped[key]
        item[0] += queries.dec(row["quantity"])
        if row["cost"] is not None:
            item[1] = (item[1] or Decimal(0)) + queries.dec(row["cost"])
        item[2] = item[2] or bool(row["estimated"])
        item[3] += queries.dec(row["scope1_kg"])
        item[4] += queries.dec(row["location_kg"])
        item[5] += queries.dec(row["market_kg"])
        item[6] = reporting_unit(carrier)
    for row in await results.refrigerant_rows(sorted(names), year):
        item = grouped[(row["site"], row["month"], row["gas"])]
        kg = queries.dec(row["quantity"])
        item[0] += kg
        item[3] += kg * refrigerants.gwp(row["gas"])
        item[6] = "kg"
    out = []
    for (sid, month, name_of_carrier), v in sorted(grouped.items()):
        code, name = names[sid]
        out.append(
            (
                code,
                name,
                month.isoformat()[:7],
                name_of_carrier,
                round(float(v[0]), 3),
                v[6],
                None if v[1] is None else round(float(v[1]), 2),
                v[2],
                round(float(v[3]), 3),
                round(float(v[4]), 3),
                round(float(v[5]), 3),
            )
        )
    return out


def csv_lines(rows: list[tuple[Any, ...]]) -> Iterator[str]:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    for row in (HEADER, *rows):
        writer.writerow(["" if v is None else v for v in row])
        yield buffer.getvalue()
        buffer.seek(0)
        buffer.truncate()


async def csv_stream(rows: list[tuple[Any, ...]]) -> AsyncIterator[str]:
    for line in csv_lines(rows):
        yield line


def xlsx_file(rows: list[tuple[Any, ...]]) -> str:
    """An XLSX of the rows, written by xlsxwriter in constant-memory mode (each row goes to
    disk as it is written); returns the file's path (the caller removes it)."""
    handle, path = tempfile.mkstemp(suffix=".xlsx", prefix="facilities-sustainability-")
    os.close(handle)
    book = xlsxwriter.Workbook(path, {"constant_memory": True, "in_memory": False})
    sheet = book.add_worksheet(_("Monthly figures")[:31])
    bold = book.add_format({"bold": True})
    for column, title in enumerate(HEADER):
        sheet.write(0, column, title, bold)
    for index, row in enumerate(rows, start=1):
        for column, value in enumerate(row):
            if value is not None:
                sheet.write(index, column, value)
    sheet.freeze_panes(1, 0)
    book.close()
    return path


async def xlsx(rows: list[tuple[Any, ...]]) -> str:
    return await anyio.to_thread.run_sync(xlsx_file, rows)

"""The quarterly budget report as PDF (WeasyPrint through ``kit.pdf``, off the event loop)
and as XLSX (xlsxwriter, written to a temporary file in constant-memory mode and streamed)."""

from __future__ import annotations

from decimal import Decimal
from functools import cache
from typing import Any

from jinja2 import Environment

from facilities.kit import pdf
from facilities.kit.i18n import _
from facilities.kit.templating import TEMPLATE_DIR, make_environment
from facilities.reporting import charts
from facilities.reporting.exports import Sheet, xlsx_file
from facilities.reporting.schemas import BudgetReportRead


@cache
def _environment() -> Environment:
    return make_environment([TEMPLATE_DIR])


def context(report: BudgetReportRead) -> dict[str, Any]:
    return {"report": report, "chart": charts.budget_bars(report)}


async def render_pdf(report: BudgetReportRead) -> bytes:
    html = _environment().get_template("reporting/budget_pdf.html").render(**context(report))
    return await pdf.render(html)


def _money(value: Decimal | None) -> float | None:
    return None if value is None else float(value)


def sheets(report: BudgetReportRead) -> list[Sheet]:
    heads = [_("Category"), _("Budget"), _("Actual"), _("Variance")]
    quarter_rows = [
        [line.label, _money(line.budget), _money(line.actual), _money(line.variance)]
        for line in (*report.quarter_lines, report.quarter_total)
    ]
    year_rows = [
        [
            line.label,
            _money(line.budget),
            _money(line.actual),
            _money(line.variance),
            _money(line.forecast),
        ]
        for line in (*report.year_lines, report.year_total)
    ]
    return [
        Sheet(f"Q{report.quarter} {report.year}", heads, iter(quarter_rows)),
        Sheet(str(report.year), [*heads, _("Forecast")], iter(year_rows)),
    ]


def write_xlsx(report: BudgetReportRead) -> str:
    """The path of a temporary XLSX file (the caller streams and deletes it)."""
    return xlsx_file(sheets(report))

"""The report's HTML for the PDF (the same section templates and SVG charts as the web
page) and the PDF itself, rendered off the event loop by ``kit.pdf``."""

from __future__ import annotations

from functools import cache

from jinja2 import Environment

from facilities.kit import clock, pdf
from facilities.kit.templating import TEMPLATE_DIR, make_environment
from facilities.safety.report.schemas import ReportRead
from facilities.safety.report.sections import sections_of


@cache
def _environment() -> Environment:
    return make_environment([TEMPLATE_DIR])


def html(report: ReportRead) -> str:
    return (
        _environment()
        .get_template("safety/report/print.html")
        .render(report=report, sections=sections_of(report), printed_at=clock.now())
    )


async def render_pdf(report: ReportRead) -> bytes:
    return await pdf.render(html(report))

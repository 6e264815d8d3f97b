"""The report's charts as server-side SVG (pygal), the same markup on the web page and in
the PDF. No JavaScript (pygal's tooltips are off), no external fonts or URLs, the words in
the reader's language; each chart has a title and a description for screen readers, and
the figures stay in tables beside it.

A chart is a pure function of its figures and the reader's language, and pygal takes tens
of milliseconds of CPU per chart (about 100 ms for the four): the last ``CACHE_SIZE`` SVGs
are kept by (chart, language, figures), so a report viewed again with the same figures
renders no chart twice."""

from __future__ import annotations

import re
from collections import OrderedDict
from collections.abc import Callable
from datetime import date

import msgspec
import pygal
from pygal.style import Style

from facilities.kit.i18n import _, current_locale, format_date
from facilities.safety.report.schemas import ReportRead

STYLE = Style(
    background="white",
    plot_background="white",
    foreground="#1f2933",
    foreground_strong="#1f2933",
    foreground_subtle="#616e7c",
    font_family="DejaVu Sans, Arial, sans-serif",
    colors=("#b42318", "#c77700", "#1f7a3d", "#2563eb"),
    label_font_size=14,
    major_label_font_size=14,
    legend_font_size=15,
    title_font_size=17,
    value_font_size=14,
    no_data_font_size=20,  # pygal's 64 px ran off the chart in German
)


CACHE_SIZE = 256
_cache: OrderedDict[tuple[str, str, bytes], str] = OrderedDict()


def _memo(name: str, figures: object, build: Callable[[], str]) -> str:
    """``build()`` once per chart, language and figures (least recently used dropped)."""
    key = (name, current_locale(), msgspec.json.encode(figures))
    svg = _cache.get(key)
    if svg is not None:
        _cache.move_to_end(key)
        return svg
    svg = build()
    _cache[key] = svg
    while len(_cache) > CACHE_SIZE:
        _cache.popitem(last=False)
    return svg


def _config(chart: pygal.graph.graph.Graph) -> None:
    chart.config.js = []  # no scripts: the PDF and a strict CSP need none
    chart.config.disable_xml_declaration = True
    chart.config.explicit_size = False
    chart.config.show_y_guides = True
    chart.config.print_values = False
    chart.config.no_data_text = _("No figures in this period")


def _month(key: str) -> str:
    """``YYYY-MM`` as the reader says it ("Feb 2026", "Feb. 2026")."""
    year, month = key.split("-")
    return format_date(date(int(year), int(month), 1), "MMM yyyy")


def _clean(svg: str | bytes) -> str:
    text = svg.decode() if isinstance(svg, bytes) else svg
    text = re.sub(r"<script.*?</script>", "", text, flags=re.S)  # pygal's config script
    text = re.sub(r"<!--.*?-->", "", text, flags=re.S)
    # Make the SVG scale with its container: keep viewBox, drop fixed size.
    text = re.sub(r'(<svg[^>]*?) width="[^"]*"', r"\1", text, count=1)
    text = re.sub(r'(<svg[^>]*?) height="[^"]*"', r"\1", text, count=1)
    return text


def _whole_numbers(top: int) -> list[int]:
    """Axis labels for counts: whole numbers only (at most about ten)."""
    step = max(1, -(-top // 10))
    return list(range(0, max(top, 1) + step, step))


def incidents_by_month(report: ReportRead) -> str:
    return _memo(
        "incidents_by_month", report.incidents.by_month, lambda: _incidents_by_month(report)
    )


def _incidents_by_month(report: ReportRead) -> str:
    top = max((i + n for _m, i, n in report.incidents.by_month), default=0)
    chart = pygal.StackedBar(
        style=STYLE,
        width=560,
        height=320,
        y_labels=_whole_numbers(top),
        legend_at_bottom=True,
        title=_("Incidents and near misses per month"),
        x_label_rotation=-45 if len(report.incidents.by_month) > 4 else 0,
        min_scale=1,
    )
    _config(chart)
    chart.x_labels = [_month(m) for m, _i, _n in report.incidents.by_month]
    chart.add(_("Incidents"), [i for _m, i, _n in report.incidents.by_month])
    chart.add(_("Near misses"), [n for _m, _i, n in report.incidents.by_month])
    return _clean(chart.render(is_unicode=True))


def certificates_by_status(report: ReportRead) -> str:
    return _memo(
        "certificates_by_status",
        (report.certificates.red, report.certificates.amber, report.certificates.green),
        lambda: _certificates_by_status(report),
    )


def _certificates_by_status(report: ReportRead) -> str:
    figures = report.certificates
    chart = pygal.HorizontalBar(
        style=STYLE,
        width=560,
        height=240,
        y_labels=_whole_numbers(max(figures.red, figures.amber, figures.green)),
        legend_at_bottom=True,
        title=_("Certificates by status"),
        min_scale=1,
    )
    _config(chart)
    chart.add(_("Expired"), [figures.red])
    chart.add(_("Expires soon"), [figures.amber])
    chart.add(_("Valid"), [figures.green])
    chart.x_labels = [""]
    return _clean(chart.render(is_unicode=True))


def training_coverage(report: ReportRead) -> str:
    return _memo("training_coverage", report.training.coverage, lambda: _training_coverage(report))


def _training_coverage(report: ReportRead) -> str:
    figures = report.training
    chart = pygal.SolidGauge(
        style=STYLE,
        width=560,
        height=260,
        inner_radius=0.7,
        half_pie=True,
        title=_("Training coverage"),
        show_legend=False,
    )
    _config(chart)
    chart.value_formatter = lambda x: f"{x:.0f} %"
    chart.add(_("Coverage"), [{"value": figures.coverage or 0, "max_value": 100}])
    return _clean(chart.render(is_unicode=True))


def inspection_scores(report: ReportRead) -> str:
    return _memo(
        "inspection_scores", report.inspections.score_by_month, lambda: _inspection_scores(report)
    )


def _inspection_scores(report: ReportRead) -> str:
    """The average inspection score per month (percent); a month without a scored
    inspection is a gap, not a zero."""
    months = report.inspections.score_by_month
    chart = pygal.Line(
        style=STYLE,
        width=560,
        height=300,
        range=(0, 100),
        y_labels=[0, 20, 40, 60, 80, 100],
        legend_at_bottom=True,
        title=_("Average inspection score per month"),
        x_label_rotation=-45 if len(months) > 4 else 0,
        allow_interruptions=True,
        dots_size=6,
        margin_right=40,  # room for the last month's value
        stroke_style={"width": 3},
    )
    _config(chart)
    chart.config.print_values = True  # the month's average beside its dot
    chart.value_formatter = lambda x: f"{x:.0f} %"
    chart.x_labels = [_month(m) for m, _s, _n in months]
    chart.add(_("Average score"), [s for _m, s, _n in months])
    return _clean(chart.render(is_unicode=True))


def all_charts(report: ReportRead) -> dict[str, str]:
    return {
        "inspections": inspection_scores(report),
        "incidents": incidents_by_month(report),
        "certificates": certificates_by_status(report),
        "training": training_coverage(report),
    }

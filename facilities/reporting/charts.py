"""Charts as SVG drawn on the server with pygal (the same picture on the web page and in the
PDF; no JavaScript, no remote script: ``js=[]``)."""

from __future__ import annotations

import re
from typing import Any

import pygal
from markupsafe import Markup
from pygal.style import Style

from facilities.kit.i18n import _, format_number

_INK = "#1f5fa8"
_COMMENTS = re.compile(r"<!--.*?-->", re.S)
_SPARK = Style(
    colors=(_INK,),
    background="transparent",
    plot_background="transparent",
    opacity="1",
    opacity_hover="1",
)


def sparkline(values: list[float | None], *, width: int = 140, height: int = 36) -> Markup:
    """A trend line without axes (``None``: no figure in that period, a gap)."""
    if not any(v is not None for v in values):
        return Markup("")
    chart = pygal.Line(
        js=[],
        style=_SPARK,
        show_legend=False,
        disable_xml_declaration=True,
        explicit_size=True,
        allow_interruptions=True,
        stroke_style={"width": 2},
        show_dots=False,
    )
    chart.add("", values)
    svg = _COMMENTS.sub("", chart.render_sparkline(width=width, height=height))
    # pygal builds the SVG with an XML tree: every label is escaped by the serializer
    return Markup(svg.replace("<svg ", '<svg role="img" aria-hidden="true" focusable="false" ', 1))  # noqa: S704


def _chart_style() -> Style:
    return Style(
        colors=("#9bb7d4", _INK, "#b3261e"),
        background="white",
        plot_background="white",
        font_family="DejaVu Sans, Arial, sans-serif",
        label_font_size=11,
        major_label_font_size=11,
        legend_font_size=12,
        value_font_size=10,
    )


def _svg(chart: Any) -> Markup:
    svg = _COMMENTS.sub("", chart.render(is_unicode=True))
    return Markup(svg.replace("<svg ", '<svg role="img" ', 1))  # noqa: S704 - escaped XML tree


def budget_bars(report: Any) -> Markup:
    """Budget against actual per cost category for the year so far (horizontal bars)."""
    lines = [line for line in report.year_lines if line.budget or line.actual]
    if not lines:
        return Markup("")
    chart = pygal.HorizontalBar(
        js=[],
        style=_chart_style(),
        disable_xml_declaration=True,
        width=720,
        height=80 + 44 * len(lines),
        legend_at_bottom=True,
        print_values=False,
        x_labels=[line.label for line in lines],
        show_y_guides=False,
        value_formatter=format_number,  # the axis in the reader's format: 10.000, not 10000
    )
    chart.add(_("Budget"), [float(line.budget) for line in lines])
    chart.add(_("Actual"), [float(line.actual) for line in lines])
    return _svg(chart)


def benchmark_bars(found: dict[str, Any]) -> Markup:
    """The ranked sites as horizontal bars; outliers in their own colour (a legend names it)."""
    ranked = found["ranked"]
    if not ranked:
        return Markup("")
    style = _chart_style()
    style.colors = (_INK, "#b3261e")
    chart = pygal.HorizontalBar(
        js=[],
        style=style,
        disable_xml_declaration=True,
        width=720,
        height=90 + 26 * len(ranked),
        legend_at_bottom=True,
        x_labels=[f"{e['rank']}. {e['site']}" for e in ranked],
        show_y_guides=False,
    )
    inside = [None if e["outlier"] else e["value"] for e in ranked]
    outside = [e["value"] if e["outlier"] else None for e in ranked]
    chart.add(found["per_label"], inside)
    chart.add(_("Outlier"), outside)
    stats = found.get("stats")
    if stats:
        chart.title = _("Median %(median)s · quartiles %(q1)s – %(q3)s") % {
            "median": f"{stats['median']:.4g}",
            "q1": f"{stats['q1']:.4g}",
            "q3": f"{stats['q3']:.4g}",
        }
    return _svg(chart)

"""Charts as SVG drawn on the server with pygal (the same picture on the web page and in the
PDF; no JavaScript, no remote script: ``js=[]``)."""

from __future__ import annotations

import re

import pygal
from markupsafe import Markup
from pygal.style import Style

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
    return Markup(svg.replace("<svg ", '<svg role="img" aria-hidden="true" focusable="false" ', 1))

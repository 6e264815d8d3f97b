"""Printable QR labels (WeasyPrint): an A4 sheet of 3×8 labels (70×37 mm) or single 62 mm
labels for tape printers. Every value is HTML-escaped by the template; QR images are
embedded as data: URIs (the PDF renderer fetches nothing)."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache

import anyio.to_thread
from jinja2 import Environment

from facilities.kit import pdf, qr
from facilities.kit.templating import TEMPLATE_DIR, make_environment

LAYOUTS = ("sheet", "single")
PER_SHEET = 24  # 3 columns × 8 rows


@dataclass(frozen=True, slots=True)
class Label:
    url: str
    code: str
    title: str
    subtitle: str


@cache
def _environment() -> Environment:
    return make_environment([TEMPLATE_DIR])


def _qr_uri(url: str) -> str:
    # A small 1-bit PNG (2 px per module) scaled up without smoothing ("pixelated"): sharp
    # when printed and far faster for WeasyPrint than an SVG path of hundreds of squares.
    return pdf.data_uri(qr.png_bytes(url, box_size=2), "image/png")


def label_html(labels: list[Label], layout: str, skip: int = 0) -> str:
    """The label document (``skip`` leaves the first cells of a used sheet empty)."""
    if layout not in LAYOUTS:
        raise ValueError(f"unknown layout {layout!r}")
    cells: list[dict[str, str] | None] = [None] * (skip if layout == "sheet" else 0)
    cells += [
        {"qr": _qr_uri(label.url), "code": label.code, "title": label.title, "sub": label.subtitle}
        for label in labels
    ]
    pages = (
        [cells[i : i + PER_SHEET] for i in range(0, len(cells), PER_SHEET)]
        if layout == "sheet"
        else [[cell] for cell in cells]
    )
    template = _environment().get_template(f"assets/labels_{layout}.html")
    return template.render(pages=pages)


def _render_sync(labels: list[Label], layout: str, skip: int) -> bytes:
    return pdf.render_sync(label_html(labels, layout, skip))


async def render(labels: list[Label], layout: str = "sheet", skip: int = 0) -> bytes:
    """The PDF, built in a worker thread (QR images and WeasyPrint are CPU work)."""
    return await anyio.to_thread.run_sync(_render_sync, labels, layout, skip)

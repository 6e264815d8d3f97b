"""The printable work-order sheet (PDF): rendered by WeasyPrint off the event loop, with a
fetcher that refuses everything but data: URIs (``facilities.kit.pdf``).

Answered checklist items print as answered: a tick, the verdict, the value with its unit
and an out-of-limits flag, the text, photo thumbnails and the drawn signature, each image
embedded as a data: URI (WeasyPrint never fetches a URL)."""

from __future__ import annotations

import base64
import io
import logging
from functools import cache
from typing import Any

import anyio
from jinja2 import Environment
from PIL import Image, UnidentifiedImageError

from facilities.accounts.principal import Principal
from facilities.kit import clock, pdf, uploads
from facilities.kit.i18n import _
from facilities.kit.templating import TEMPLATE_DIR, make_environment
from facilities.maintenance.checklists.schemas import VERDICT_LABELS, Verdict
from facilities.maintenance.lifecycle import STATUS_LABELS
from facilities.maintenance.workorders import context, queries
from facilities.maintenance.workorders.schemas import (
    KIND_LABELS,
    PHOTO_STAGE_LABELS,
    PRIORITY_LABELS,
)

log = logging.getLogger(__name__)
THUMBNAIL_SIDE = 480  # pixels; prints about 4 cm wide


@cache
def _environment() -> Environment:
    return make_environment([TEMPLATE_DIR])


def thumbnail(key: str, *, side: int = THUMBNAIL_SIDE) -> str | None:
    """A stored image as a small data: URI (JPEG, or PNG for drawings with transparency);
    None when the file is gone or unreadable (the sheet still prints)."""
    try:
        data = uploads.read(key)
        with Image.open(io.BytesIO(data)) as image:
            image.thumbnail((side, side))
            out = io.BytesIO()
            if image.mode in ("RGBA", "LA", "P"):
                image.convert("RGBA").save(out, "PNG", optimize=True)
                kind = "image/png"
            else:
                image.convert("RGB").save(out, "JPEG", quality=80)
                kind = "image/jpeg"
    except (OSError, ValueError, UnidentifiedImageError):
        log.warning("work-order sheet: image %s not readable", key)
        return None
    return f"data:{kind};base64,{base64.b64encode(out.getvalue()).decode()}"


def _answers(items: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The checklist rows with what the sheet shows for each answer (images loaded)."""
    verdicts = {v.value: _(label) for v, label in VERDICT_LABELS.items()}
    rows = []
    for item in items:
        row = dict(item)
        row["answered"] = item["answered_at"] is not None
        row["verdict"] = (
            verdicts.get(item["value_text"] or "") if item["kind"] == "pass_flag_fail" else None
        )
        row["verdict_key"] = item["value_text"] if row["verdict"] else None
        row["image"] = thumbnail(item["photo_key"]) if item["photo_key"] else None
        rows.append(row)
    return rows


def _photos(keys: list[tuple[str, str]]) -> list[dict[str, Any]]:
    shown = []
    for key, stage in keys:
        image = thumbnail(key, side=360)
        if image:
            shown.append({"image": image, "stage": stage})
    return shown


async def sheet_values(principal: Principal, work_order_id: int) -> dict[str, Any]:
    order = await queries.get_work_order(principal, work_order_id)
    items = await context.checklist_items(work_order_id)
    photo_keys = [
        (key, _(PHOTO_STAGE_LABELS[stage]))
        for key, stage in await context.photo_keys(work_order_id)
    ]
    return {
        "order": order,
        "site": await context.site_facts(order.site_id),
        "asset": await context.asset_facts(order.asset_id) if order.asset_id else None,
        "checklist": await anyio.to_thread.run_sync(_answers, items),
        "photos": await anyio.to_thread.run_sync(_photos, photo_keys),
        "passed": Verdict.passed.value,
        "times": await queries.time_entries(principal, work_order_id),
        "costs": await queries.costs(principal, work_order_id),
        "totals": await queries.totals(principal, work_order_id),
        "status_label": _(STATUS_LABELS[order.status]),
        "kind_label": _(KIND_LABELS[order.kind]),
        "priority_label": _(PRIORITY_LABELS[order.priority]),
        "printed_at": clock.now(),
    }


def html(values: dict[str, Any]) -> str:
    return _environment().get_template("maintenance/workorders/sheet.html").render(**values)


async def render(principal: Principal, work_order_id: int) -> bytes:
    """The sheet of a work order in the caller's scope (404 otherwise)."""
    return await pdf.render(html(await sheet_values(principal, work_order_id)))

"""Builders for checklist tests: templates through the real actions, work orders through the
work-order actions (rules, events and audit included)."""

from __future__ import annotations

import base64
import io
import itertools
from typing import Any

import msgspec
from PIL import Image

from facilities.accounts.enums import Role
from facilities.accounts.schemas import UserRead
from facilities.maintenance.checklists import actions
from facilities.maintenance.checklists.schemas import (
    ChecklistTemplateCreate,
    ChecklistTemplateRead,
)
from facilities.maintenance.workorders.schemas import WorkOrderRead
from tests import builders
from tests import workorders_builders as wb

_seq = itertools.count(1)

SAFETY_ITEMS: list[dict[str, Any]] = [
    {"key": "extinguisher", "label": "Fire extinguisher sealed", "kind": "pass_flag_fail"},
    {
        "key": "pressure",
        "label": "Extinguisher pressure",
        "kind": "number",
        "unit": "bar",
        "min": "12",
        "max": "16",
    },
    {"key": "lights", "label": "Emergency lights tested", "kind": "checkbox"},
    {"key": "notes", "label": "Notes", "kind": "text", "required": False},
    {"key": "photo", "label": "Photo of the cabinet", "kind": "photo", "required": False},
    {"key": "meter", "label": "Water meter", "kind": "meter", "unit": "m³", "required": False},
    {"key": "signature", "label": "Signed off", "kind": "signature", "required": False},
]


async def template(
    items: list[dict[str, Any]] | None = None, **values: Any
) -> ChecklistTemplateRead:
    data = msgspec.convert(
        {"name": f"Safety walk {next(_seq)}", "items": items or SAFETY_ITEMS, **values},
        ChecklistTemplateCreate,
        strict=False,
    )
    return await actions.create_template(actor=await builders.system(), data=data)


async def ops() -> UserRead:
    return await builders.user(Role.ops_manager)


async def order_with_checklist(
    w: wb.World, version_id: int, *, start: bool = True
) -> WorkOrderRead:
    """An order assigned to ``w.partner``'s organisation with that checklist version,
    started by the partner (so answers are accepted)."""
    order = await wb.work_order(
        w.site.id, asset_id=w.asset_id, partner_organisation_id=w.partner_org_id
    )
    await actions.instantiate_checklist(work_order_id=order.id, version_id=version_id)
    if start:
        order = await wb.step(order.id, w.partner, "start")
    return order


def item_ids(body: dict[str, Any]) -> dict[str, int]:
    return {item["key"]: item["id"] for item in body["items"]}


def signature_png() -> str:
    """A drawn signature as the pad sends it: a PNG data URL with one stroke of ink."""
    image = Image.new("RGBA", (300, 100), (0, 0, 0, 0))
    for x in range(20, 280):
        image.putpixel((x, 50 + (x % 7)), (0, 0, 0, 255))
    out = io.BytesIO()
    image.save(out, "PNG")
    return "data:image/png;base64," + base64.b64encode(out.getvalue()).decode()

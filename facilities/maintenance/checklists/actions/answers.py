"""Answers to a work order's checklist items, validated by kind."""

from __future__ import annotations

import base64
import binascii
import io
import re
from functools import partial
from typing import Any

import anyio
from PIL import Image, UnidentifiedImageError

from facilities.accounts import audit
from facilities.accounts.principal import Principal
from facilities.db import raw, transaction
from facilities.kit import clock, uploads
from facilities.kit.errors import Conflict, PermissionDenied, RuleViolation
from facilities.kit.i18n import _
from facilities.maintenance.checklists import queries
from facilities.maintenance.checklists.engine import answer_values, nothing_drawn
from facilities.maintenance.checklists.queries import ANSWERABLE
from facilities.maintenance.checklists.schemas import (
    AnswerUpdate,
    ChecklistItemRead,
    ItemKind,
)
from facilities.maintenance.lifecycle import WorkOrderStatus
from facilities.maintenance.tables import (
    WorkOrderChecklistItem,
)

MAX_SIGNATURE_BYTES = 2 * 1024 * 1024
# A signature is strokes: at least this many visible, dark pixels, and not a filled area.
MIN_INK_PIXELS = 40
MAX_INK_SHARE = 0.6
_DATA_URL = re.compile(r"^data:image/png;base64,(?P<data>[A-Za-z0-9+/=\s]+)$")


def may_work(actor: Principal) -> None:
    if not (actor.can("workorders.work") or actor.can("workorders.manage")):
        raise PermissionDenied(_("Your role may not fill in checklists."))


async def _lock_answerable(work_order_id: int) -> None:
    """409 unless the order is accepted or in progress; holds its row until commit."""
    states = sorted(s.value for s in ANSWERABLE)
    rows = await raw(
        "UPDATE work_order SET status = status WHERE id = {} AND status IN ({}, {}) RETURNING id",
        work_order_id,
        *states,
    )
    if not rows:
        raise _not_answerable()


def _not_answerable() -> Conflict:
    return Conflict(
        _("Checklist answers can be given only while the work is accepted or in progress."),
        field="status",
    )


async def item_row(work_order_id: int, item_id: int) -> dict[str, Any]:
    row: dict[str, Any] | None = (
        await WorkOrderChecklistItem.select()
        .where(
            (WorkOrderChecklistItem.id == item_id)
            & (WorkOrderChecklistItem.work_order == work_order_id)
        )
        .first()
    )
    if row is None:
        raise RuleViolation("item_id", _("This item is not on the work order's checklist."))
    return row


async def _prepare(actor: Principal, work_order_id: int, item_id: int) -> dict[str, Any]:
    """Scope (404), role (403), state (409), item (422): the checks before any answer."""
    order = await queries.order_in_scope(actor, work_order_id)
    may_work(actor)
    if WorkOrderStatus(order["status"]) not in ANSWERABLE:
        raise _not_answerable()
    await item_row(work_order_id, item_id)
    return order


def decode_signature(data_url: str) -> bytes:
    """The PNG bytes of a signature data URL (422 ``signature_png`` otherwise)."""
    match = _DATA_URL.match(data_url.strip())
    if match is None:
        raise RuleViolation("signature_png", _("The signature must be a PNG image."))
    try:
        content = base64.b64decode("".join(match.group("data").split()), validate=True)
    except (binascii.Error, ValueError):
        raise RuleViolation("signature_png", _("The signature image is damaged.")) from None
    if len(content) > MAX_SIGNATURE_BYTES:
        raise RuleViolation("signature_png", _("The signature image is too large."))
    return content


def _shown(values: dict[str, Any]) -> Any:
    if values.get("value_number") is not None:
        return values["value_number"]
    return values.get("value_text")


async def _save(
    *,
    actor: Principal,
    order: dict[str, Any],
    item_id: int,
    values: dict[str, Any],
) -> ChecklistItemRead:
    work_order_id = order["id"]
    async with transaction():
        await _lock_answerable(work_order_id)
        item = await item_row(work_order_id, item_id)
        answered = values.pop("answered")
        columns: dict[Any, Any] = {
            WorkOrderChecklistItem.value_text: values.get("value_text"),
            WorkOrderChecklistItem.value_number: values.get("value_number"),
            WorkOrderChecklistItem.out_of_limits: bool(values.get("out_of_limits", False)),
            WorkOrderChecklistItem.answered_by: actor.user_id if answered else None,
            WorkOrderChecklistItem.answered_at: clock.now() if answered else None,
        }
        if "photo_key" in values:
            columns[WorkOrderChecklistItem.photo_key] = values["photo_key"]
        await WorkOrderChecklistItem.update(columns).where(WorkOrderChecklistItem.id == item_id)
        before = {"value": _shown(item), "photo": item["photo_key"] is not None}
        after = {
            "value": _shown(values),
            "photo": values.get("photo_key", item["photo_key"]) is not None,
        }
        await audit.record(
            actor=actor,
            action="work_order.checklist_answer" if answered else "work_order.checklist_clear",
            object_type="work_order",
            object_id=work_order_id,
            summary=f"{order['title']}: {item['label']}"[:500],
            site_id=order["site"],
            before={"item": item["key"], **before},
            after={"item": item["key"], **after},
        )
    return await queries.item_read(work_order_id, item_id)


def require_ink(content: bytes) -> None:
    """Refuse a "signature" that is not a PNG or has nothing drawn on it (blank, transparent
    or one filled area). Pillow decodes it; CPU work, so callers run it in a thread."""
    try:
        with Image.open(io.BytesIO(content)) as probe:
            probe.verify()
        with Image.open(io.BytesIO(content)) as image:
            if image.format != "PNG":
                raise RuleViolation("signature_png", _("The signature must be a PNG image."))
            if image.width * image.height > uploads.MAX_PIXELS:
                raise RuleViolation("signature_png", _("The signature image is too large."))
            rgba = image.convert("RGBA")
    except (UnidentifiedImageError, Image.DecompressionBombError, OSError, SyntaxError, ValueError):
        raise RuleViolation("signature_png", _("The signature image is damaged.")) from None
    visible = rgba.getchannel("A").point(lambda a: 255 if a > 64 else 0)
    dark = rgba.convert("L").point(lambda g: 255 if g < 160 else 0)
    ink = Image.composite(dark, Image.new("L", rgba.size, 0), visible).histogram()[255]
    if ink < MIN_INK_PIXELS or ink > MAX_INK_SHARE * rgba.width * rgba.height:
        raise nothing_drawn()


def _signature_file(content: bytes) -> uploads.StoredFile:
    require_ink(content)
    return uploads.store_image(content, field="signature_png")


async def answer_item(
    *, actor: Principal, work_order_id: int, item_id: int, data: AnswerUpdate
) -> ChecklistItemRead:
    """Set (or clear, with ``null``) an item's answer, validated by its kind."""
    order = await _prepare(actor, work_order_id, item_id)
    item = await item_row(work_order_id, item_id)
    values = answer_values(
        ItemKind(item["kind"]),
        data.value,
        min_value=item["min_value"],
        max_value=item["max_value"],
        drawn_signature=bool(data.signature_png),
    )
    stored: uploads.StoredFile | None = None
    if ItemKind(item["kind"]) is ItemKind.signature and values["answered"]:
        content = decode_signature(data.signature_png or "")
        stored = await anyio.to_thread.run_sync(partial(_signature_file, content))
        values["photo_key"] = stored.key
    try:
        return await _save(actor=actor, order=order, item_id=item_id, values=values)
    except BaseException:
        if stored is not None:
            uploads.delete(stored.key)
        raise


async def answer_photo(
    *, actor: Principal, work_order_id: int, item_id: int, photo: bytes
) -> ChecklistItemRead:
    """The photo of a photo item (re-encoded, metadata stripped)."""
    order = await _prepare(actor, work_order_id, item_id)
    item = await item_row(work_order_id, item_id)
    if ItemKind(item["kind"]) is not ItemKind.photo:
        raise RuleViolation("photo", _("This item does not take a photo."))
    stored = await anyio.to_thread.run_sync(partial(uploads.store_image, photo, field="photo"))
    values = {"photo_key": stored.key, "answered": True}
    try:
        return await _save(actor=actor, order=order, item_id=item_id, values=values)
    except BaseException:
        uploads.delete(stored.key)
        raise

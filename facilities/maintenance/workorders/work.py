"""Doing the work: comments, photos, time entries, parts and other costs.

Scoped like the order itself (another partner's order is 404 before anything else), open to
the people doing or managing the work, audited with the order's site.
"""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from functools import partial
from zoneinfo import ZoneInfo

import anyio

from facilities.accounts import audit
from facilities.accounts.principal import Principal
from facilities.db import transaction
from facilities.kit import clock, uploads
from facilities.kit.errors import Conflict, PermissionDenied, RuleViolation
from facilities.kit.i18n import _
from facilities.maintenance import hooks
from facilities.maintenance.lifecycle import WorkOrderStatus as S
from facilities.maintenance.tables import (
    WorkOrderComment,
    WorkOrderCost,
    WorkOrderPhoto,
    WorkOrderTime,
)
from facilities.maintenance.workorders import context, queries
from facilities.maintenance.workorders.schemas import (
    CommentCreate,
    CommentRead,
    CostCreate,
    CostKind,
    CostRead,
    PhotoRead,
    PhotoStage,
    TimeCreate,
    TimeRead,
    WorkOrderRead,
)

MAX_QUANTITY = Decimal("1000000000")
MAX_UNIT_COST = Decimal("10000000000")


def _not_closed_for_work(order: WorkOrderRead) -> None:
    if order.status in (S.verified, S.cancelled):
        raise Conflict(_("This work order is closed."), field="status")


def _may_contribute(actor: Principal) -> None:
    """Comments, photos, time and costs: the people doing or managing the work."""
    if not (actor.can("workorders.work") or actor.can("workorders.manage")):
        raise PermissionDenied(_("Your role may not add to a work order."))


# ---- doing the work -------------------------------------------------------------------


async def add_comment(*, actor: Principal, work_order_id: int, data: CommentCreate) -> CommentRead:
    body = data.body.strip()
    if not body:
        raise RuleViolation("body", _("Write a comment."))
    now = clock.now()
    async with transaction():
        order = await queries.get_work_order(actor, work_order_id)
        _may_contribute(actor)
        row = WorkOrderComment(
            work_order=work_order_id,
            author=actor.user_id,
            author_label=actor.name,
            body=body,
            created_at=now,
        )
        await row.save()
        await audit.record(
            actor=actor,
            action="work_order.comment",
            object_type="work_order",
            object_id=work_order_id,
            summary=order.title,
            site_id=order.site_id,
        )
        await hooks.work_order_changed(
            hooks.WorkOrderChange(
                work_order_id=work_order_id,
                action="comment",
                actor=actor,
                site_id=order.site_id,
                from_status=order.status.value,
                to_status=order.status.value,
                partner_organisation_id=order.partner_organisation_id,
                note=body,
            )
        )
    return CommentRead(
        id=int(row.id), author_id=actor.user_id, author_label=actor.name, body=body, created_at=now
    )


async def add_time(*, actor: Principal, work_order_id: int, data: TimeCreate) -> TimeRead:
    now = clock.now()
    async with transaction():
        order = await queries.get_work_order(actor, work_order_id)
        _may_contribute(actor)
        _not_closed_for_work(order)
        site = await context.site_facts(order.site_id)
        today = now.astimezone(ZoneInfo(site["time_zone"] or "UTC")).date()
        if data.work_date > today:
            raise RuleViolation("work_date", _("The date cannot be in the future."))
        row = WorkOrderTime(
            work_order=work_order_id,
            user=actor.user_id,
            minutes=data.minutes,
            work_date=data.work_date,
            note=data.note.strip(),
            created_at=now,
        )
        await row.save()
        await audit.record(
            actor=actor,
            action="work_order.time",
            object_type="work_order",
            object_id=work_order_id,
            summary=f"{order.title}: {data.minutes} min",
            site_id=order.site_id,
            after={"minutes": data.minutes, "work_date": data.work_date},
        )
    return TimeRead(
        id=int(row.id),
        user_id=actor.user_id,
        user_name=actor.name,
        minutes=data.minutes,
        work_date=data.work_date,
        note=data.note.strip(),
        created_at=now,
    )


def _decimal(value: Decimal, field: str, places: str) -> Decimal:
    try:
        return value.quantize(Decimal(places))
    except InvalidOperation:
        raise RuleViolation(field, _("Enter a number.")) from None


async def add_cost(*, actor: Principal, work_order_id: int, data: CostCreate) -> CostRead:
    if not data.quantity.is_finite() or not data.quantity > 0 or data.quantity >= MAX_QUANTITY:
        raise RuleViolation("quantity", _("The quantity must be more than zero."))
    if not data.unit_cost.is_finite() or data.unit_cost < 0 or data.unit_cost >= MAX_UNIT_COST:
        raise RuleViolation("unit_cost", _("The unit cost cannot be negative."))
    quantity = _decimal(data.quantity, "quantity", "0.001")
    unit_cost = _decimal(data.unit_cost, "unit_cost", "0.01")
    if quantity <= 0:
        raise RuleViolation("quantity", _("The quantity must be more than zero."))
    description = data.description.strip()
    if not description:
        raise RuleViolation("description", _("Say what the cost is for."))
    gas = None
    if data.kind is CostKind.refrigerant:
        if not (data.gas or "").strip():
            raise RuleViolation("gas", _("Name the refrigerant, e.g. R-410A."))
        gas = hooks.refrigerant_name(data.gas or "")
        if gas is None:
            raise RuleViolation(
                "gas",
                _(
                    "%(gas)s is not in the refrigerant library. Check the name on the unit's "
                    "label, e.g. R-410A."
                )
                % {"gas": (data.gas or "").strip()},
            )
    now = clock.now()
    async with transaction():
        order = await queries.get_work_order(actor, work_order_id)
        _may_contribute(actor)
        _not_closed_for_work(order)
        row = WorkOrderCost(
            work_order=work_order_id,
            kind=data.kind.value,
            description=description,
            quantity=quantity,
            unit_cost=unit_cost,
            created_by=actor.user_id,
            created_at=now,
            gas=gas,
        )
        await row.save()
        await audit.record(
            actor=actor,
            action="work_order.cost",
            object_type="work_order",
            object_id=work_order_id,
            summary=f"{order.title}: {description}",
            site_id=order.site_id,
            after={"kind": data.kind, "quantity": quantity, "unit_cost": unit_cost, "gas": gas},
        )
    return CostRead(
        id=int(row.id),
        kind=data.kind,
        description=description,
        quantity=quantity,
        unit_cost=unit_cost,
        total=(quantity * unit_cost).quantize(Decimal("0.01")),
        created_by_id=actor.user_id,
        created_at=now,
        gas=gas,
    )


async def add_photo(
    *, actor: Principal, work_order_id: int, photo: bytes, stage: PhotoStage
) -> PhotoRead:
    order = await queries.get_work_order(actor, work_order_id)
    _may_contribute(actor)
    _not_closed_for_work(order)
    stored = await anyio.to_thread.run_sync(partial(uploads.store_image, photo, field="photo"))
    now = clock.now()
    try:
        async with transaction():
            order = await queries.get_work_order(actor, work_order_id)
            row = WorkOrderPhoto(
                work_order=work_order_id,
                stage=stage.value,
                storage_key=stored.key,
                content_type=stored.content_type,
                size=stored.size,
                uploaded_by=actor.user_id,
                created_at=now,
            )
            await row.save()
            await audit.record(
                actor=actor,
                action="work_order.photo",
                object_type="work_order",
                object_id=work_order_id,
                summary=f"{order.title} ({stage.value})",
                site_id=order.site_id,
            )
    except BaseException:
        uploads.delete(stored.key)
        raise
    return PhotoRead(
        id=int(row.id),
        stage=stage,
        content_type=stored.content_type,
        size=stored.size,
        uploaded_by_id=actor.user_id,
        created_at=now,
    )

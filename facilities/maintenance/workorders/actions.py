"""Writes of work orders: one transaction each, scoped, audited, version-checked.

Every change names the ``version`` it was based on; the UPDATE runs ``WHERE id = ? AND
version = ?`` and bumps it, so of two concurrent edits exactly one wins and the other gets
409. Every lifecycle step goes through ``lifecycle.check`` and leaves a ``WorkOrderEvent``.

Creation, single or in bulk, has one path: ``create_work_orders`` (``creation.py``,
re-exported here with ``NewWorkOrder`` and ``record_events``); every creator uses it.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

import msgspec

from facilities.accounts import audit, cache
from facilities.accounts.enums import Role, Trade
from facilities.accounts.principal import Principal
from facilities.accounts.tables import PartnerOrganisation, User
from facilities.assets.tables import Asset
from facilities.db import transaction
from facilities.kit import clock
from facilities.kit.errors import Conflict, RuleViolation
from facilities.kit.i18n import _, in_installation_language
from facilities.maintenance import checklists, hooks, lifecycle
from facilities.maintenance.enums import ReportStatus
from facilities.maintenance.lifecycle import CLOSED_STATES, OPEN_STATES, STATUS_LABELS
from facilities.maintenance.lifecycle import WorkOrderStatus as S
from facilities.maintenance.pm import compliance_summary
from facilities.maintenance.reports.schemas import ProblemReportRead
from facilities.maintenance.tables import (
    ChecklistTemplate,
    ProblemReport,
    ProblemReportPhoto,
    WorkOrder,
    WorkOrderPhoto,
)
from facilities.maintenance.workorders import queries
from facilities.maintenance.workorders.creation import (
    Created,
    EventRow,
    NewWorkOrder,
    assignee_labels,
    create_work_orders,
    follow_asset,
    record_events,
)
from facilities.maintenance.workorders.schemas import (
    URGENCY_PRIORITY,
    Origin,
    PhotoStage,
    TransitionRequest,
    WorkOrderCreate,
    WorkOrderKind,
    WorkOrderRead,
    WorkOrderUpdate,
)
from facilities.sites import scope
from facilities.sites.tables import Site, Space

__all__ = [
    "Created",
    "EventRow",
    "NewWorkOrder",
    "create_from_report",
    "create_work_order",
    "create_work_orders",
    "record_events",
    "transition",
    "update_work_order",
]

# ---- rules ----------------------------------------------------------------------------


async def _check_site(actor: Principal, site_id: int) -> None:
    """An unknown site and a site outside the caller's scope look the same: 422 on site_id."""
    if not await Site.exists().where(Site.id == site_id) or not await scope.can_see_site(
        actor, site_id
    ):
        raise RuleViolation("site_id", _("Unknown site."))


async def _check_place(site_id: int, space_id: int | None, asset_id: int | None) -> None:
    if space_id is not None:
        row = await Space.select(Space.site).where(Space.id == space_id).first()
        if row is None or row["site"] != site_id:
            raise RuleViolation("space_id", _("The space must belong to the work order's site."))
    if asset_id is not None:
        row = await Asset.select(Asset.site).where(Asset.id == asset_id).first()
        if row is None or row["site"] != site_id:
            raise RuleViolation("asset_id", _("The asset must be at the work order's site."))


async def _check_partner(partner_id: int | None, assignee_id: int | None) -> None:
    if partner_id is None:
        if assignee_id is not None:
            raise RuleViolation(
                "partner_organisation_id", _("Choose the partner organisation of this person.")
            )
        return
    if not await PartnerOrganisation.exists().where(
        (PartnerOrganisation.id == partner_id) & (PartnerOrganisation.active == True)  # noqa: E712
    ):
        raise RuleViolation("partner_organisation_id", _("Unknown partner organisation."))
    if assignee_id is not None:
        row = (
            await User.select(User.partner_organisation, User.role, User.active)
            .where(User.id == assignee_id)
            .first()
        )
        if (
            row is None
            or row["role"] != Role.partner.value
            or row["partner_organisation"] != partner_id
            or not row["active"]
        ):
            raise RuleViolation(
                "assignee_id", _("This person does not work for the chosen partner organisation.")
            )


def milliseconds_since(start: datetime, moment: datetime | None) -> int | None:
    """``moment - start`` in whole milliseconds (half up), as ``work_order.response_ms`` /
    ``resolution_ms`` keep it; None without a moment."""
    if moment is None:
        return None
    return (_microseconds(moment - start) + 500) // 1000


def _microseconds(delta: timedelta) -> int:
    return (delta.days * 86_400 + delta.seconds) * 1_000_000 + delta.microseconds


async def _bump(order_id: int, version: int, values: dict[Any, Any]) -> None:
    """Apply ``values`` if nobody changed the order since ``version`` (else 409)."""
    values[WorkOrder.version] = WorkOrder.version + 1
    values[WorkOrder.updated_at] = clock.now()
    changed = (
        await WorkOrder.update(values)
        .where((WorkOrder.id == order_id) & (WorkOrder.version == version))
        .returning(WorkOrder.id)
    )
    if not changed:
        raise Conflict(
            _("Someone else changed this work order meanwhile. Reload it and try again."),
            field="version",
        )


async def _event(
    order_id: int,
    actor: Principal | None,
    action: str,
    from_status: S | None,
    to_status: S | None,
    note: str = "",
    assigned: str = "",
) -> None:
    await record_events(
        [
            EventRow(
                order_id,
                action,
                actor,
                from_status.value if from_status else None,
                to_status.value if to_status else None,
                note,
                assigned=assigned,
            )
        ]
    )


async def _follow_report(report_id: int | None, status: S, order_id: int, site_id: int) -> None:
    """The report is resolved when its work is completed (or verified), open again on reopen."""
    if report_id is None:
        return
    now = clock.now()
    if status in (S.completed, S.verified):
        changed = (
            await ProblemReport.update(
                {ProblemReport.status: ReportStatus.resolved.value, ProblemReport.updated_at: now}
            )
            .where(
                (ProblemReport.id == report_id)
                & (ProblemReport.status == ReportStatus.accepted.value)
            )
            .returning(ProblemReport.id)
        )
        action = "resolved"
    elif status in OPEN_STATES:
        changed = (
            await ProblemReport.update(
                {ProblemReport.status: ReportStatus.accepted.value, ProblemReport.updated_at: now}
            )
            .where(
                (ProblemReport.id == report_id)
                & (ProblemReport.status == ReportStatus.resolved.value)
            )
            .returning(ProblemReport.id)
        )
        action = "reopened"
    else:
        return
    if changed:
        await hooks.report_changed(
            hooks.ReportChange(
                report_id=report_id, action=action, site_id=site_id, work_order_id=order_id
            )
        )


# ---- create ---------------------------------------------------------------------------


async def _give_checklist(order_id: int, asset_id: int | None, template_id: int | None) -> None:
    """The chosen template's current version, else the default of the asset's category (if
    any), copied into the new order (in the caller's transaction). The order keeps that
    version when the template changes later."""
    if template_id is not None:
        active = await ChecklistTemplate.exists().where(
            (ChecklistTemplate.id == template_id) & (ChecklistTemplate.active == True)  # noqa: E712
        )
        version_id = await checklists.latest_version_id(template_id) if active else None
        if version_id is None:
            raise RuleViolation("checklist_template_id", _("Unknown checklist template."))
    else:
        category = None
        if asset_id is not None:
            row = await Asset.select(Asset.category).where(Asset.id == asset_id).first()
            category = row["category"] if row else None
        version_id = await checklists.default_version_for_category(category)
        if version_id is None:
            return
    await checklists.instantiate_checklist(work_order_id=order_id, version_id=version_id)


async def _category_trade(asset_id: int | None) -> str | None:
    """The default trade of the asset's category (``AssetCategory.trade``), if any."""
    if asset_id is None:
        return None
    row = await Asset.select(Asset.category.trade).where(Asset.id == asset_id).first()
    return row["category.trade"] if row else None


# A report's category stands in when the asset's category has no trade (or there is no asset).
REPORT_CATEGORY_TRADE = {
    "connectivity": Trade.it_network,
    "leak": Trade.plumbing,
    "dirty": Trade.cleaning,
}


async def _report_trade(report: ProblemReportRead) -> Trade | None:
    trade = await _category_trade(report.asset_id)
    if trade:
        try:
            return Trade(trade)
        except ValueError:
            pass
    return REPORT_CATEGORY_TRADE.get(report.category.value)


async def _insert(
    *,
    actor: Principal,
    data: WorkOrderCreate,
    origin: Origin,
    problem_report_id: int | None = None,
    note: str = "",
) -> int:
    """Insert one order (inside the caller's transaction) through the one write path,
    ``creation.create_work_orders``: trade, routing, first event, audit, hooks."""
    [created] = await create_work_orders(
        actor=actor,
        orders=[
            NewWorkOrder(data=data, origin=origin, note=note, problem_report_id=problem_report_id)
        ],
    )
    return created.id


async def create_work_order(*, actor: Principal, data: WorkOrderCreate) -> WorkOrderRead:
    """A work order created by hand at one of the caller's sites."""
    if not data.title.strip():
        raise RuleViolation("title", _("Give the work order a title."))
    async with transaction():
        await _check_site(actor, data.site_id)
        await _check_place(data.site_id, data.space_id, data.asset_id)
        await _check_partner(data.partner_organisation_id, data.assignee_id)
        order_id = await _insert(actor=actor, data=data, origin=Origin.manual)
        await _give_checklist(order_id, data.asset_id, data.checklist_template_id)
    order = await queries.get_work_order(actor, order_id)
    if order.partner_organisation_id is not None:
        cache.clear()  # after the commit: the partner's visible sites may have grown
    return order


async def create_from_report(*, actor: Principal, report: ProblemReportRead) -> int:
    """The work order an accepted problem report becomes; runs in the caller's transaction.

    Title, description, site, asset and reporter (through the report link) carry over; the
    urgency becomes the priority. The report's photos become the order's "before" photos by
    reference: stored files are immutable and nothing deletes them, so both rows may point
    at the same storage key (no copy on disk, no second clean-up path).
    """
    data = WorkOrderCreate(
        title=report.title,
        site_id=report.site_id,
        kind=WorkOrderKind.corrective,
        description=report.description,
        asset_id=report.asset_id,
        priority=URGENCY_PRIORITY[report.urgency.value],
        trade=await _report_trade(report),
    )
    with in_installation_language():  # the history line is stored (kit.i18n)
        reporter = report.reporter_name or _("anonymous")
        note = _("From problem report #%(id)d (reported by %(who)s)") % {
            "id": report.id,
            "who": reporter,
        }
    order_id = await _insert(
        actor=actor,
        data=data,
        origin=Origin.problem_report,
        problem_report_id=report.id,
        note=note,
    )
    await _give_checklist(order_id, report.asset_id, None)
    photos = (
        await ProblemReportPhoto.select()
        .where(ProblemReportPhoto.report == report.id)
        .order_by(ProblemReportPhoto.id)
    )
    for photo in photos:
        await WorkOrderPhoto.insert(
            WorkOrderPhoto(
                work_order=order_id,
                stage=PhotoStage.before.value,
                storage_key=photo["storage_key"],
                content_type=photo["content_type"],
                size=photo["size"],
                uploaded_by=report.reporter_user_id,
                created_at=photo["created_at"],
            )
        ).run()
    return order_id


# ---- edit -----------------------------------------------------------------------------

_EDITABLE = (
    "title",
    "description",
    "kind",
    "space_id",
    "asset_id",
    "priority",
    "due_at",
    "estimated_minutes",
    "asset_down",
    "trade",
)
_COLUMN = {
    "title": WorkOrder.title,
    "description": WorkOrder.description,
    "kind": WorkOrder.kind,
    "space_id": WorkOrder.space,
    "asset_id": WorkOrder.asset,
    "priority": WorkOrder.priority,
    "due_at": WorkOrder.due_at,
    "estimated_minutes": WorkOrder.estimated_minutes,
    "asset_down": WorkOrder.asset_down,
    "trade": WorkOrder.trade,
}


async def update_work_order(
    *, actor: Principal, work_order_id: int, data: WorkOrderUpdate
) -> WorkOrderRead:
    """Change the facts of an open order (staff)."""
    async with transaction():
        before = await queries.get_work_order(actor, work_order_id)
        if before.status in CLOSED_STATES:
            raise Conflict(_("A closed work order cannot be edited."), field="status")
        changes = {k: getattr(data, k) for k in _EDITABLE if getattr(data, k) is not msgspec.UNSET}
        if "title" in changes:
            changes["title"] = changes["title"].strip()
            if not changes["title"]:
                raise RuleViolation("title", _("Give the work order a title."))
        space_id = changes.get("space_id", before.space_id)
        asset_id = changes.get("asset_id", before.asset_id)
        await _check_place(before.site_id, space_id, asset_id)
        values: dict[Any, Any] = {}
        for key, value in changes.items():
            values[_COLUMN[key]] = value.value if hasattr(value, "value") else value
        await _bump(work_order_id, data.version, values)
        old = {k: getattr(before, k) for k in changes}
        old_audit, new_audit = audit.diff(old, changes)
        await audit.record(
            actor=actor,
            action="work_order.update",
            object_type="work_order",
            object_id=work_order_id,
            summary=changes.get("title", before.title),
            site_id=before.site_id,
            before=old_audit,
            after=new_audit,
        )
        if "due_at" in changes or "kind" in changes:  # no hook hears edits
            await compliance_summary.refresh_edit(
                before.site_id, before.due_at, changes.get("due_at", before.due_at)
            )
        down = changes.get("asset_down", before.asset_down)
        title = changes.get("title", before.title)
        if before.asset_down and (not down or asset_id != before.asset_id):
            await follow_asset(
                actor, before.asset_id, down=False, title=title, order_id=work_order_id
            )
        if down:
            await follow_asset(actor, asset_id, down=True, title=title, order_id=work_order_id)
    return await queries.get_work_order(actor, work_order_id)


# ---- lifecycle ------------------------------------------------------------------------


async def transition(
    *, actor: Principal, work_order_id: int, data: TransitionRequest
) -> WorkOrderRead:
    """One lifecycle step: role (403), state (409), note (422), version (409)."""
    note = data.note.strip()
    async with transaction():
        order = await queries.get_work_order(actor, work_order_id)
        step = lifecycle.check(data.action, order.status, actor.role, note)
        now = clock.now()
        values: dict[Any, Any] = {WorkOrder.status: step.target.value}
        assignment_changed = False
        match step.name:
            case "assign":
                if data.partner_organisation_id is None:
                    raise RuleViolation(
                        "partner_organisation_id", _("Choose the partner organisation.")
                    )
                await _check_partner(data.partner_organisation_id, data.assignee_id)
                values[WorkOrder.partner_organisation] = data.partner_organisation_id
                values[WorkOrder.assignee] = data.assignee_id
                assignment_changed = True
            case "unassign" | "decline":
                values[WorkOrder.partner_organisation] = None
                values[WorkOrder.assignee] = None
                values[WorkOrder.accepted_at] = None
                assignment_changed = True
            case "accept":
                values[WorkOrder.accepted_at] = now
                if order.assignee_id is None and actor.role is Role.partner:
                    values[WorkOrder.assignee] = actor.user_id
            case "start":
                values[WorkOrder.started_at] = order.started_at or now
                if order.accepted_at is None:
                    values[WorkOrder.accepted_at] = now
                if order.assignee_id is None and actor.role is Role.partner:
                    values[WorkOrder.assignee] = actor.user_id
            case "hold":
                if data.hold_reason is None:
                    raise RuleViolation("hold_reason", _("Say why the work is on hold."))
                values[WorkOrder.hold_reason] = data.hold_reason.value
            case "resume":
                values[WorkOrder.hold_reason] = ""
            case "complete":
                values[WorkOrder.completed_at] = now
                values[WorkOrder.completion_note] = note
                values[WorkOrder.hold_reason] = ""
            case "verify":
                values[WorkOrder.verified_at] = now
            case "reopen":
                values[WorkOrder.completed_at] = None
                values[WorkOrder.verified_at] = None
            case "cancel":
                values[WorkOrder.cancel_reason] = note[:500]
        for moment, duration in (
            (WorkOrder.accepted_at, WorkOrder.response_ms),
            (WorkOrder.completed_at, WorkOrder.resolution_ms),
        ):
            if moment in values:  # the durations scorecards read, kept with their times
                values[duration] = milliseconds_since(order.created_at, values[moment])
        await _bump(work_order_id, data.version, values)
        if step.name == "complete":  # after the row lock of the UPDATE: race-free
            missing = await checklists.unanswered_required(work_order_id)
            if missing:
                raise RuleViolation(
                    "checklist",
                    _("Answer the required checklist items first: %(items)s")
                    % {"items": ", ".join(missing)},
                )
        event_note = note
        if step.name == "hold" and data.hold_reason is not None:
            event_note = f"{data.hold_reason.value}: {note}" if note else data.hold_reason.value
        assigned = ""
        if step.name == "assign":
            pair = (data.partner_organisation_id, data.assignee_id)
            assigned = (await assignee_labels({pair}))[pair]
        await _event(
            work_order_id, actor, step.name, order.status, step.target, event_note, assigned
        )
        with in_installation_language():  # the summary is stored (kit.i18n)
            change = f"{_(STATUS_LABELS[order.status])} → {_(STATUS_LABELS[step.target])}"
        await audit.record(
            actor=actor,
            action=f"work_order.{step.name}",
            object_type="work_order",
            object_id=work_order_id,
            summary=f"{order.title}: {change}",
            site_id=order.site_id,
            before={"status": order.status},
            after={"status": step.target, "note": event_note},
        )
        if order.asset_down:
            await follow_asset(
                actor,
                order.asset_id,
                down=step.target in OPEN_STATES,
                title=order.title,
                order_id=work_order_id,
            )
        await _follow_report(order.problem_report_id, step.target, work_order_id, order.site_id)
        await hooks.work_order_changed(
            hooks.WorkOrderChange(
                work_order_id=work_order_id,
                action=step.name,
                actor=actor,
                site_id=order.site_id,
                from_status=order.status.value,
                to_status=step.target.value,
                partner_organisation_id=values.get(
                    WorkOrder.partner_organisation, order.partner_organisation_id
                ),
                note=event_note,
            )
        )
    if assignment_changed:
        cache.clear()  # after the commit: partners' visible sites changed
    # Unscoped on purpose: after declining, the order is no longer the partner's to see.
    return await queries.work_order_by_id(work_order_id, actor.role)

"""Work-order pages, phone first: "My work" for partners, the order page with big buttons
for the allowed steps, comments, photos, time and costs; the new-order form for staff."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any
from zoneinfo import ZoneInfo

from litestar import Controller, get, post
from litestar.di import NamedDependency
from litestar.params import FromPath, FromQuery, QueryParameter
from litestar.response import Response, Template

from facilities.accounts import audit
from facilities.accounts.enums import TRADE_LABELS, Role
from facilities.accounts.principal import actor
from facilities.assets.enums import ASSET_STATUS_LABELS
from facilities.kit import clock, forms
from facilities.kit.errors import FacilitiesError, RuleViolation
from facilities.kit.i18n import _
from facilities.kit.listing import provide, view
from facilities.kit.templating import page, redirect
from facilities.kit.web import (
    Form,
    Multipart,
    Req,
    optional_upload,
    pdf_response,
    stored_file_response,
)
from facilities.maintenance import hooks
from facilities.maintenance.checklists import queries as checklist_queries
from facilities.maintenance.checklists.view import checklist_context
from facilities.maintenance.lifecycle import (
    OPEN_STATES,
    STATUS_LABELS,
    TRANSITIONS,
)
from facilities.maintenance.reports.view import labels, time_ago
from facilities.maintenance.workorders import actions, context, queries, sheet, work
from facilities.maintenance.workorders.schemas import (
    ACTION_LABELS,
    HOLD_REASON_LABELS,
    KIND_LABELS,
    ORIGIN_LABELS,
    PHOTO_STAGE_LABELS,
    PRIORITY_LABELS,
    CommentCreate,
    CostCreate,
    PhotoStage,
    TimeCreate,
    TransitionRequest,
    WorkOrderCreate,
    event_words,
)
from facilities.sites import queries as site_queries

NEW_FIELDS = (
    "title",
    "site_id",
    "kind",
    "description",
    "space_id",
    "asset_id",
    "priority",
    "due_at",
    "partner_organisation_id",
    "assignee_id",
    "estimated_minutes",
    "asset_down",
    "trade",
    "checklist_template_id",
)
NOTE_ACTIONS = frozenset(name for name, t in TRANSITIONS.items() if t.note_required)
OPEN_STATUS_VALUES = frozenset(s.value for s in OPEN_STATES)
PAGE_SIZE = 50


def page_labels() -> dict[str, Any]:
    return {
        "wo_status_labels": {k.value: _(v) for k, v in STATUS_LABELS.items()},
        "kind_labels": {k.value: _(v) for k, v in KIND_LABELS.items()},
        "priority_labels": {k.value: _(v) for k, v in PRIORITY_LABELS.items()},
        "origin_labels": {k.value: _(v) for k, v in ORIGIN_LABELS.items()},
        "hold_labels": {k.value: _(v) for k, v in HOLD_REASON_LABELS.items()},
        "action_labels": {k: _(v) for k, v in ACTION_LABELS.items()},
        "event_words": event_words,
        "actor_words": audit.actor_words,
        "asset_status_labels": {k.value: _(v) for k, v in ASSET_STATUS_LABELS.items()},
        "note_actions": NOTE_ACTIONS,
        "trade_labels": {k.value: _(v) for k, v in TRADE_LABELS.items()},
        "stage_labels": {k.value: _(v) for k, v in PHOTO_STAGE_LABELS.items()},
        "ago": time_ago,
    }


def due_at_value(value: str, time_zone: str) -> str:
    """A ``datetime-local`` value (site wall time) as an aware ISO string."""
    try:
        local = datetime.fromisoformat(value)
    except ValueError:
        raise RuleViolation("due_at", _("Enter a date and time.")) from None
    if local.tzinfo is None:
        local = local.replace(tzinfo=ZoneInfo(time_zone))
    return local.isoformat()


class WorkOrderPages(Controller):
    include_in_schema = False

    @get(
        "/work-orders",
        opt={"permission": "workorders.view"},
        dependencies={"filters": provide(queries.WorkOrderFilters)},
    )
    async def list_page(
        self,
        request: Req,
        filters: NamedDependency[queries.WorkOrderFilters],
        closed: FromQuery[bool] = False,
        offset: Annotated[int, QueryParameter(ge=0)] = 0,
        cursor: Annotated[str | None, QueryParameter(max_length=400)] = None,
    ) -> Template:
        me = actor(request)
        # Next pages follow the cursor (as fast as the first); ``offset`` then only says
        # where in the list this page is (for "Previous" and the position).
        result = await queries.list_work_orders(
            me,
            **filters.arguments(),
            active_only=not closed and filters.status is None,
            limit=PAGE_SIZE,
            offset=0 if cursor else offset,
            cursor=cursor,
        )
        orders = result.items
        if me.role is Role.partner and filters.sort == "priority":  # mine first
            orders.sort(key=lambda o: o.assignee_id not in (None, me.user_id))
        listing = view(
            filters,
            total=result.total,
            offset=offset,
            limit=PAGE_SIZE,
            next_cursor=result.next_cursor,
            max_offset=queries.MAX_OFFSET,
            exact=result.total_exact,
            shown=len(orders),
        )
        if closed:
            listing.values["closed"] = "true"
        now = clock.now()
        return page(
            request,
            "maintenance/workorders/list.html",
            {
                "orders": orders,
                "site_zones": await site_queries.time_zones(o.site_id for o in orders),
                "closed": closed,
                "filters": listing.values,
                "listing": listing,
                "total": result.total,  # None after a cursor (not counted)
                "total_exact": result.total_exact,
                "overdue_ids": {
                    o.id
                    for o in orders
                    if o.due_at is not None and o.due_at < now and o.status in OPEN_STATUS_VALUES
                },
                "marks": await hooks.list_marks(me, orders),
                "sites": await context.choosable_sites(me),
                "partners": []
                if me.role is Role.partner
                else await context.partner_organisations(),
                "partner": me.role is Role.partner,
                **page_labels(),
            },
        )

    # ---- new --------------------------------------------------------------------------

    async def _new_form(
        self, request: Req, values: dict[str, Any], errors: dict[str, str], status: int = 200
    ) -> Template:
        me = actor(request)
        sites = await context.choosable_sites(me)
        raw_site = str(values.get("site_id") or "")
        site_id = int(raw_site) if raw_site.isdigit() else None
        if site_id is not None and not any(s["id"] == site_id for s in sites):
            site_id = None
        spaces = await site_queries.list_spaces(me, site_id) if site_id else []
        assets = await context.site_assets(site_id) if site_id else []
        return page(
            request,
            "maintenance/workorders/new.html",
            {
                "sites": sites,
                "site_id": site_id,
                "spaces": spaces,
                "assets": assets,
                "partners": await context.partner_organisations(),
                "people": await context.partner_people(),
                "checklist_templates": await checklist_queries.choosable_templates(),
                "values": values,
                "errors": errors,
                **page_labels(),
            },
            status_code=status,
        )

    @get("/work-orders/new", opt={"permission": "workorders.create"})
    async def new_form(
        self,
        request: Req,
        site_id: FromQuery[int | None] = None,
        asset_id: FromQuery[int | None] = None,
    ) -> Template:
        values: dict[str, Any] = {"kind": "corrective", "priority": "p3"}
        if site_id is not None:
            values["site_id"] = site_id
        if asset_id is not None:
            values["asset_id"] = asset_id
        return await self._new_form(request, values, {})

    @post(
        "/work-orders/new",
        opt={"permission": "workorders.create", "form": WorkOrderCreate},
        status_code=303,
    )
    async def create(self, request: Req, data: Form) -> Response[Any]:
        me = actor(request)
        entered = {k: v for k, v in data.items() if k in NEW_FIELDS and isinstance(v, str)}
        values = forms.clean(entered)
        converted = dict(values)
        converted["asset_down"] = values.get("asset_down") == "on"
        errors: dict[str, str] = {}
        status = 422
        try:
            if "due_at" in converted and str(values.get("site_id", "")).isdigit():
                site = await context.site_facts(int(values["site_id"]))
                converted["due_at"] = due_at_value(converted["due_at"], site["time_zone"])
            order, errors = forms.convert(converted, WorkOrderCreate)
            if order is not None:
                created = await actions.create_work_order(actor=me, data=order)
                return redirect(
                    f"/work-orders/{created.id}",
                    _("Work order created: %(title)s") % {"title": created.title},
                )
        except FacilitiesError as error:
            errors = forms.errors_of(error)
            status = error.status_code if error.status_code != 404 else 422
        return await self._new_form(request, values, errors, status)

    # ---- the order --------------------------------------------------------------------

    async def _detail(
        self,
        request: Req,
        work_order_id: int,
        errors: dict[str, str] | None = None,
        status: int = 200,
        values: dict[str, Any] | None = None,
    ) -> Template:
        me = actor(request)
        order = await queries.get_work_order(me, work_order_id)
        asset = await context.asset_facts(order.asset_id) if order.asset_id else None
        history = (
            await context.asset_history(order.asset_id, exclude_id=order.id)
            if order.asset_id
            else {"work_orders": [], "reports": []}
        )
        can_add = me.can("workorders.work") or me.can("workorders.manage")
        return page(
            request,
            "maintenance/workorders/detail.html",
            {
                # The checklist section (``_checklist.html``) is the checklists work's.
                **await checklist_context(me, work_order_id),
                "work_order": order,
                "order": order,
                "site": await context.site_facts(order.site_id),
                "asset": asset,
                "history": history,
                "events": await queries.events(me, work_order_id),
                "comments": await queries.comments(me, work_order_id),
                "times": await queries.time_entries(me, work_order_id),
                "costs": await queries.costs(me, work_order_id),
                "totals": await queries.totals(me, work_order_id),
                "photos": await queries.photos(me, work_order_id),
                "partners": await context.partner_organisations()
                if "assign" in order.allowed_actions
                else [],
                "people": await context.partner_people()
                if "assign" in order.allowed_actions
                else [],
                "can_add": can_add,
                "open_for_work": order.status.value not in ("verified", "cancelled"),
                "errors": errors or {},
                "values": values or {},
                "panels": await hooks.order_panels(me, work_order_id),
                **labels(),
                **page_labels(),
            },
            status_code=status,
        )

    @get("/work-orders/{work_order_id:int}", opt={"permission": "workorders.view"})
    async def detail(self, request: Req, work_order_id: FromPath[int]) -> Template:
        return await self._detail(request, work_order_id)

    async def _attempt(
        self,
        request: Req,
        work_order_id: int,
        data: dict[str, Any],
        run: Any,
        message: str,
        target: str | None = None,
    ) -> Response[Any]:
        """Run an action; on a rule error show the page again with the error (404 stays)."""
        try:
            await run()
        except FacilitiesError as error:
            if error.status_code == 404:
                raise
            return await self._detail(
                request, work_order_id, forms.errors_of(error), error.status_code, data
            )
        return redirect(target or f"/work-orders/{work_order_id}", message)

    @post(
        "/work-orders/{work_order_id:int}/transition",
        opt={"permission": "workorders.view", "form": TransitionRequest},
    )
    async def transition(
        self, request: Req, work_order_id: FromPath[int], data: Form
    ) -> Response[Any]:
        values = forms.clean({k: v for k, v in data.items() if isinstance(v, str)})
        values.setdefault("note", "")
        step, errors = forms.convert(values, TransitionRequest)
        if step is None:
            return await self._detail(request, work_order_id, errors, 422, values)
        checked = step
        label = _(ACTION_LABELS.get(checked.action, checked.action))

        async def run() -> None:
            await actions.transition(
                actor=actor(request), work_order_id=work_order_id, data=checked
            )

        # A declined order is no longer the partner's: back to their list.
        target = "/work-orders" if checked.action == "decline" else None
        return await self._attempt(
            request, work_order_id, values, run, _("Done: %(action)s") % {"action": label}, target
        )

    @post(
        "/work-orders/{work_order_id:int}/comments",
        opt={"permission": "workorders.view", "form": CommentCreate},
    )
    async def comment(
        self, request: Req, work_order_id: FromPath[int], data: Form
    ) -> Response[Any]:
        comment, _errors = forms.convert(
            {"body": str(data.get("body") or "").strip()}, CommentCreate
        )
        if comment is None:
            return await self._detail(request, work_order_id, {"body": _("Write a comment.")}, 422)
        checked = comment

        async def run() -> None:
            await work.add_comment(actor=actor(request), work_order_id=work_order_id, data=checked)

        return await self._attempt(request, work_order_id, data, run, _("Comment added."))

    @post(
        "/work-orders/{work_order_id:int}/time",
        opt={"permission": "workorders.view", "form": TimeCreate},
    )
    async def time(self, request: Req, work_order_id: FromPath[int], data: Form) -> Response[Any]:
        values = forms.clean({k: data.get(k) or "" for k in ("minutes", "work_date", "note")})
        entry, errors = forms.convert(values, TimeCreate)
        if entry is None:
            return await self._detail(request, work_order_id, errors, 422, values)
        checked = entry

        async def run() -> None:
            await work.add_time(actor=actor(request), work_order_id=work_order_id, data=checked)

        return await self._attempt(request, work_order_id, values, run, _("Time logged."))

    @post(
        "/work-orders/{work_order_id:int}/costs",
        opt={"permission": "workorders.view", "form": CostCreate},
    )
    async def cost(self, request: Req, work_order_id: FromPath[int], data: Form) -> Response[Any]:
        keys = ("kind", "description", "quantity", "unit_cost", "gas")
        values = forms.clean({k: data.get(k) or "" for k in keys})
        for key in ("quantity", "unit_cost"):
            if key in values:
                values[key] = str(values[key]).replace(",", ".")
        entry, errors = forms.convert(values, CostCreate)
        if entry is None:
            return await self._detail(request, work_order_id, errors, 422, values)
        checked = entry

        async def run() -> None:
            await work.add_cost(actor=actor(request), work_order_id=work_order_id, data=checked)

        return await self._attempt(request, work_order_id, values, run, _("Cost added."))

    @post("/work-orders/{work_order_id:int}/photos", opt={"permission": "workorders.view"})
    async def photo(
        self, request: Req, work_order_id: FromPath[int], data: Multipart
    ) -> Response[Any]:
        content = await optional_upload(data.get("photo"))

        async def run() -> None:
            if content is None:
                raise RuleViolation("photo", _("Choose a photo."))
            try:
                stage = PhotoStage(str(data.get("stage") or "other"))
            except ValueError:
                raise RuleViolation("stage", _("Choose before, after or other.")) from None
            await work.add_photo(
                actor=actor(request), work_order_id=work_order_id, photo=content, stage=stage
            )

        return await self._attempt(request, work_order_id, {}, run, _("Photo added."))

    @get(
        "/work-orders/{work_order_id:int}/photos/{photo_id:int}",
        opt={"permission": "workorders.view"},
    )
    async def photo_file(
        self, request: Req, work_order_id: FromPath[int], photo_id: FromPath[int]
    ) -> Response[bytes]:
        key, content_type = await queries.photo_file(actor(request), work_order_id, photo_id)
        return await stored_file_response(key, content_type)

    @get("/work-orders/{work_order_id:int}/sheet.pdf", opt={"permission": "workorders.view"})
    async def sheet(self, request: Req, work_order_id: FromPath[int]) -> Response[bytes]:
        content = await sheet.render(actor(request), work_order_id)
        return pdf_response(content, f"work-order-{work_order_id}.pdf")

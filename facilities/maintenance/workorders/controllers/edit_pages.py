"""The staff form that changes a work order's facts; the hidden ``version`` makes a stale
form answer 409 instead of overwriting someone else's change."""

from __future__ import annotations

from typing import Any

from litestar import Controller, get, post
from litestar.params import FromPath
from litestar.response import Response, Template

from facilities.accounts.principal import actor
from facilities.kit import forms, timefmt
from facilities.kit.errors import FacilitiesError
from facilities.kit.i18n import _
from facilities.kit.templating import page, redirect
from facilities.kit.web import Form, Req
from facilities.maintenance.workorders import actions, context, queries
from facilities.maintenance.workorders.controllers.pages import due_at_value, page_labels
from facilities.maintenance.workorders.schemas import WorkOrderRead, WorkOrderUpdate
from facilities.sites import queries as site_queries

TEXT_FIELDS = ("title", "description", "kind", "priority")
OPTIONAL_FIELDS = ("space_id", "asset_id", "due_at", "estimated_minutes", "trade")


def _values_of(order: WorkOrderRead, time_zone: str) -> dict[str, Any]:
    due = order.due_at
    return {
        "version": order.version,
        "title": order.title,
        "description": order.description,
        "kind": order.kind.value,
        "priority": order.priority.value,
        "space_id": order.space_id or "",
        "asset_id": order.asset_id or "",
        "due_at": timefmt.local_input(due, time_zone),
        "estimated_minutes": order.estimated_minutes or "",
        "asset_down": order.asset_down,
        "trade": order.trade.value if order.trade else "",
    }


class WorkOrderEditPages(Controller):
    include_in_schema = False

    async def _form(
        self,
        request: Req,
        order: WorkOrderRead,
        values: dict[str, Any],
        errors: dict[str, str],
        status: int = 200,
    ) -> Template:
        me = actor(request)
        return page(
            request,
            "maintenance/workorders/edit.html",
            {
                "order": order,
                "values": values,
                "errors": errors,
                "spaces": await site_queries.list_spaces(me, order.site_id),
                "assets": await context.site_assets(order.site_id),
                **page_labels(),
            },
            status_code=status,
        )

    @get("/work-orders/{work_order_id:int}/edit", opt={"permission": "workorders.manage"})
    async def edit_form(self, request: Req, work_order_id: FromPath[int]) -> Template:
        order = await queries.get_work_order(actor(request), work_order_id)
        site = await context.site_facts(order.site_id)
        return await self._form(request, order, _values_of(order, site["time_zone"]), {})

    @post(
        "/work-orders/{work_order_id:int}/edit",
        opt={"permission": "workorders.manage", "form": WorkOrderUpdate},
        status_code=303,
    )
    async def edit(self, request: Req, work_order_id: FromPath[int], data: Form) -> Response[Any]:
        me = actor(request)
        order = await queries.get_work_order(me, work_order_id)
        site = await context.site_facts(order.site_id)
        raw = {k: str(data.get(k) or "").strip() for k in (*TEXT_FIELDS, *OPTIONAL_FIELDS)}
        raw["version"] = str(data.get("version") or "")
        values: dict[str, Any] = {**raw, "asset_down": data.get("asset_down") == "on"}
        try:
            converted: dict[str, Any] = {
                k: raw[k] for k in ("version", *TEXT_FIELDS) if k != "version" or raw[k]
            }
            converted["description"] = raw["description"]
            for key in OPTIONAL_FIELDS:
                converted[key] = raw[key] or None
            if converted["due_at"]:
                converted["due_at"] = due_at_value(converted["due_at"], site["time_zone"])
            converted["asset_down"] = values["asset_down"]
            change, errors = forms.convert(converted, WorkOrderUpdate)
            if change is not None:
                await actions.update_work_order(actor=me, work_order_id=work_order_id, data=change)
                return redirect(f"/work-orders/{work_order_id}", _("Saved."))
            status = 422
        except FacilitiesError as error:
            if error.status_code == 404:
                raise
            errors, status = forms.errors_of(error), error.status_code
        return await self._form(request, order, values, errors, status)

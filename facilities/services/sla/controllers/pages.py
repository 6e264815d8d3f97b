"""SLA pages ``/sla-policies`` and ``/escalations`` (the work-order page's SLA card is in
``services/sla/panel.py``)."""

from __future__ import annotations

from datetime import date
from typing import Any

from litestar import Controller, get, post
from litestar.params import FromPath, FromQuery
from litestar.response import Response, Template

from facilities.accounts.enums import Trade
from facilities.accounts.principal import actor
from facilities.kit import forms
from facilities.kit.errors import FacilitiesError
from facilities.kit.i18n import _
from facilities.kit.pagination import Offset
from facilities.kit.templating import page, redirect
from facilities.kit.web import Form, Req
from facilities.maintenance.lifecycle import HoldReason
from facilities.maintenance.workorders.schemas import Priority
from facilities.services.sla import actions, contract_sla, queries
from facilities.services.sla.enums import (
    SlaCalendar,
    Target,
)
from facilities.services.sla.panel import duration, labels
from facilities.services.sla.schemas import (
    PolicyCreate,
    PolicyRead,
    PolicyUpdate,
)
from facilities.sites import queries as site_queries


def _policy_values(form: dict[str, Any]) -> dict[str, Any]:
    values = forms.clean(form)
    values["pause_reasons"] = [r.value for r in HoldReason if values.pop(f"pause_{r.value}", "")]
    return values


class SlaPages(Controller):
    include_in_schema = False

    async def _list(
        self,
        request: Req,
        values: dict[str, Any] | None = None,
        errors: dict[str, str] | None = None,
        status: int = 200,
    ) -> Template:
        return page(
            request,
            "services/sla/policies.html",
            {
                "policies": await queries.list_policies(),
                "contracts": await queries.contract_choices(),
                "priorities": list(Priority),
                "trades": list(Trade),
                "calendars": list(SlaCalendar),
                "hold_reasons": list(HoldReason),
                "values": values or {"calendar": SlaCalendar.business_hours.value},
                "errors": errors or {},
                "duration": duration,
                **labels(),
            },
            status_code=status,
        )

    @get("/contracts/{contract_id:int}/sla", opt={"permission": "sla.view"})
    async def contract_sla_page(
        self,
        request: Req,
        contract_id: FromPath[int],
        start: FromQuery[date | None] = None,
        end: FromQuery[date | None] = None,
    ) -> Template:
        """The contract's SLA attainment and its sites' internet outages (ISP contracts)."""
        sla = await contract_sla.contract_sla(actor(request), contract_id, start, end)
        return page(request, "services/sla/contract.html", {**labels(), "sla": sla})

    @get("/sla-policies", opt={"permission": "sla.manage"})
    async def policies(self, request: Req) -> Template:
        return await self._list(request)

    @post("/sla-policies", opt={"permission": "sla.manage", "form": PolicyCreate})
    async def create(self, request: Req, data: Form) -> Response[Any]:
        values = _policy_values(data)
        policy, errors = forms.convert(values, PolicyCreate)
        if policy is not None:
            try:
                await actions.create_policy(actor=actor(request), data=policy)
                return redirect("/sla-policies", _("SLA policy saved."))
            except FacilitiesError as error:
                errors = forms.errors_of(error)
        return await self._list(request, values, errors, 422)

    async def _edit(
        self,
        request: Req,
        policy: PolicyRead,
        values: dict[str, Any],
        errors: dict[str, str],
        status: int = 200,
    ) -> Template:
        return page(
            request,
            "services/sla/policy_form.html",
            {
                "policy": policy,
                "values": values,
                "errors": errors,
                "calendars": list(SlaCalendar),
                "hold_reasons": list(HoldReason),
                **labels(),
            },
            status_code=status,
        )

    @get("/sla-policies/{policy_id:int}", opt={"permission": "sla.manage"})
    async def edit_form(self, request: Req, policy_id: FromPath[int]) -> Template:
        policy = await queries.get_policy(policy_id)
        values: dict[str, Any] = {
            "response_minutes": policy.response_minutes,
            "attendance_minutes": policy.attendance_minutes,
            "resolution_minutes": policy.resolution_minutes,
            "calendar": policy.calendar.value,
            "pause_reasons": [r.value for r in policy.pause_reasons],
            "overrun_percent": policy.overrun_percent,
            "version": policy.version,
        }
        return await self._edit(request, policy, values, {})

    @post("/sla-policies/{policy_id:int}", opt={"permission": "sla.manage", "form": PolicyUpdate})
    async def update(self, request: Req, policy_id: FromPath[int], data: Form) -> Response[Any]:
        policy = await queries.get_policy(policy_id)
        values = _policy_values(data)
        for name in ("response_minutes", "attendance_minutes", "resolution_minutes"):
            values.setdefault(name, None)  # an emptied field clears the target
        update, errors = forms.convert(values, PolicyUpdate)
        if update is not None:
            try:
                await actions.update_policy(actor=actor(request), policy_id=policy_id, data=update)
                return redirect("/sla-policies", _("SLA policy saved."))
            except FacilitiesError as error:
                errors = forms.errors_of(error)
        return await self._edit(request, policy, values, errors, 422)

    @post("/sla-policies/{policy_id:int}/delete", opt={"permission": "sla.manage"})
    async def remove(self, request: Req, policy_id: FromPath[int]) -> Response[Any]:
        await actions.delete_policy(actor=actor(request), policy_id=policy_id)
        return redirect("/sla-policies", _("SLA policy deleted."))

    @get("/escalations", opt={"permission": "sla.view"})
    async def escalations(
        self,
        request: Req,
        site_id: FromQuery[int | None] = None,
        level: FromQuery[int | None] = None,
        offset: Offset = 0,
    ) -> Template:
        me = actor(request)
        result = await queries.list_escalations(
            me, site_id=site_id, level=level, limit=50, offset=offset
        )
        sites = await site_queries.list_sites(me, limit=200) if me.can("sites.view") else None
        return page(
            request,
            "services/sla/escalations.html",
            {
                "page": result,
                "sites": sites.items if sites else [],
                "filters": {"site_id": site_id, "level": level},
                "targets": list(Target),
                **labels(),
            },
        )

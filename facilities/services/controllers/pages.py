"""Pages: contracts (list with filters, detail with documents, visit plans and visits,
create/edit forms without JavaScript), visits and the phone-friendly sign-off, scorecards."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import msgspec
from litestar import Controller, get, post
from litestar.di import NamedDependency
from litestar.params import FromPath, FromQuery, Parameter
from litestar.response import Response, Template

from facilities.accounts.enums import TRADE_LABELS, Trade
from facilities.accounts.principal import actor
from facilities.kit import clock, forms, recurrence_form
from facilities.kit.errors import FacilitiesError
from facilities.kit.i18n import _
from facilities.kit.listing import PAGE_SIZE, provide, view
from facilities.kit.templating import page, redirect
from facilities.kit.web import Multipart, Req, document_response, upload_bytes
from facilities.services import actions, queries, scorecards
from facilities.services.actions import OverlapWarning
from facilities.services.enums import (
    CONTRACT_STATUS_LABELS,
    CONTRACT_TYPE_LABELS,
    PRICE_MODEL_LABELS,
    VISIT_STATUS_LABELS,
    ContractStatus,
    VisitStatus,
)
from facilities.services.schemas import (
    ContractCreate,
    ContractSummary,
    ContractUpdate,
    VisitPlanCreate,
    VisitPlanUpdate,
    VisitSignOff,
)

CONTRACT_FIELDS = (
    "provider_id",
    "name",
    "reference",
    "contract_type",
    "start_date",
    "end_date",
    "scope",
    "notice_days",
    "renewal_term_months",
    "price_model",
    "price",
    "currency",
    "budget_per_year",
    "status",
)
LABELS = {
    "type_labels": CONTRACT_TYPE_LABELS,
    "status_labels": CONTRACT_STATUS_LABELS,
    "price_labels": PRICE_MODEL_LABELS,
    "visit_labels": VISIT_STATUS_LABELS,
    "trade_labels": TRADE_LABELS,
}


def _contract_values(form: Any) -> dict[str, Any]:
    values = forms.clean({k: form.get(k) for k in form})
    values["trades"] = [v for v in form.getall("trades", []) if v]
    values["site_ids"] = [v for v in form.getall("site_ids", []) if v]
    values["auto_renew"] = form.get("auto_renew") == "on"
    values["confirm_overlap"] = form.get("confirm_overlap") == "on"
    return values


def _contract_payload(values: dict[str, Any]) -> dict[str, Any]:
    payload = {k: values[k] for k in CONTRACT_FIELDS if k in values}
    payload["trades"] = values.get("trades", [])
    payload["site_ids"] = values.get("site_ids", [])
    payload["auto_renew"] = values.get("auto_renew", False)
    payload["confirm_overlap"] = values.get("confirm_overlap", False)
    return payload


class ContractPages(Controller):
    include_in_schema = False

    # ---- contracts ----------------------------------------------------------------------

    @get(
        "/contracts",
        opt={"permission": "contracts.view"},
        dependencies={"filters": provide(queries.ContractFilters)},
    )
    async def list_contracts(
        self,
        request: Req,
        filters: NamedDependency[queries.ContractFilters],
        offset: int = Parameter(default=0, ge=0),
    ) -> Template:
        me = actor(request)
        result = await queries.list_contracts(
            me, **filters.arguments(), limit=PAGE_SIZE, offset=offset
        )
        listing = view(filters, total=result.total, offset=offset)
        return page(
            request,
            "services/contracts.html",
            {
                **LABELS,
                "contracts": result.items,
                "listing": listing,
                "filters": listing.values,
                "providers": await queries.providers(),
                "sites": await queries.site_options(me),
            },
        )

    async def _form(
        self,
        request: Req,
        values: dict[str, Any],
        errors: dict[str, str],
        *,
        contract_id: int | None = None,
        overlaps: list[ContractSummary] | None = None,
        status: int = 200,
    ) -> Template:
        me = actor(request)
        return page(
            request,
            "services/contract_form.html",
            {
                **LABELS,
                "values": values,
                "errors": errors,
                "contract_id": contract_id,
                "overlaps": overlaps or [],
                "providers": await queries.providers(),
                "sites": await queries.site_options(me),
                "trades": list(Trade),
            },
            status_code=status,
        )

    @get("/contracts/new", opt={"permission": "contracts.manage"})
    async def new_contract(self, request: Req) -> Template:
        today = clock.now().date()
        values = {
            "contract_type": "cleaning",
            "start_date": today.isoformat(),
            "end_date": today.replace(year=today.year + 1).isoformat()
            if not (today.month == 2 and today.day == 29)
            else (today + timedelta(days=365)).isoformat(),
            "notice_days": 90,
            "renewal_term_months": 12,
            "price_model": "fixed_monthly",
            "currency": "EUR",
            "status": "draft",
            "trades": [],
            "site_ids": [],
        }
        return await self._form(request, values, {})

    @post("/contracts/new", opt={"permission": "contracts.manage", "form": ContractCreate})
    async def create_contract(self, request: Req) -> Response[Any]:
        form = await request.form()
        values = _contract_values(form)
        data, errors = forms.convert(_contract_payload(values), ContractCreate)
        overlaps: list[ContractSummary] = []
        if data is not None:
            try:
                created = await actions.create_contract(actor=actor(request), data=data)
                return redirect(f"/contracts/{created.id}", _("Contract saved."))
            except OverlapWarning as warning:
                overlaps = warning.overlaps
                errors = forms.errors_of(warning)
            except FacilitiesError as error:
                errors = forms.errors_of(error)
        return await self._form(request, values, errors, overlaps=overlaps, status=422)

    async def _contract_page(
        self,
        request: Req,
        contract_id: int,
        plan_values: dict[str, Any] | None = None,
        plan_errors: dict[str, str] | None = None,
        status: int = 200,
    ) -> Template:
        me = actor(request)
        contract = await queries.get_contract(me, contract_id)
        now = clock.now()
        visits = await queries.list_visits(
            me, contract_id=contract_id, start=now - timedelta(days=30), limit=200
        )
        return page(
            request,
            "services/contract_detail.html",
            {
                **LABELS,
                "contract": contract,
                "site_names": await queries.site_names(contract.site_ids),
                "documents": await queries.list_documents(me, contract_id),
                "plans": await queries.list_plans(me, contract_id),
                "visits": visits,
                "plan_values": plan_values
                or {
                    "window_minutes": 120,
                    "lead_days": 14,
                    "dtstart_local": (now + timedelta(days=1)).strftime("%Y-%m-%dT08:00"),
                    "frequency": "weekly",
                    "interval": 1,
                    "weekdays": ["MO"],
                    "ends": "never",
                },
                "plan_errors": plan_errors or {},
                "rec": recurrence_form.choices(),
            },
            status_code=status,
        )

    @get("/contracts/{contract_id:int}", opt={"permission": "contracts.view"})
    async def contract_detail(self, request: Req, contract_id: FromPath[int]) -> Template:
        return await self._contract_page(request, contract_id)

    @get("/contracts/{contract_id:int}/edit", opt={"permission": "contracts.manage"})
    async def edit_contract(self, request: Req, contract_id: FromPath[int]) -> Template:
        contract = await queries.get_contract(actor(request), contract_id)
        values = msgspec.to_builtins(contract)
        values["status"] = "draft" if contract.status is ContractStatus.draft else "active"
        return await self._form(request, values, {}, contract_id=contract_id)

    @post(
        "/contracts/{contract_id:int}/edit",
        opt={"permission": "contracts.manage", "form": ContractUpdate},
    )
    async def update_contract(self, request: Req, contract_id: FromPath[int]) -> Response[Any]:
        form = await request.form()
        values = _contract_values(form)
        payload = _contract_payload(values)
        payload["version"] = values.get("version")
        for key in ("price", "budget_per_year"):
            payload.setdefault(key, None)
        payload.setdefault("reference", "")
        payload.setdefault("scope", "")
        data, errors = forms.convert(payload, ContractUpdate)
        overlaps: list[ContractSummary] = []
        if data is not None:
            try:
                await actions.update_contract(
                    actor=actor(request), contract_id=contract_id, data=data
                )
                return redirect(f"/contracts/{contract_id}", _("Contract saved."))
            except OverlapWarning as warning:
                overlaps = warning.overlaps
                errors = forms.errors_of(warning)
            except FacilitiesError as error:
                errors = forms.errors_of(error)
        return await self._form(
            request, values, errors, contract_id=contract_id, overlaps=overlaps, status=422
        )

    # ---- documents ----------------------------------------------------------------------

    @post("/contracts/{contract_id:int}/documents", opt={"permission": "contracts.manage"})
    async def add_document(
        self, request: Req, contract_id: FromPath[int], data: Multipart
    ) -> Response[Any]:
        await queries.contract_row(actor(request), contract_id)
        try:
            filename, content = await upload_bytes(data, "file")
            await actions.add_document(
                actor=actor(request), contract_id=contract_id, filename=filename, content=content
            )
        except FacilitiesError as error:
            return redirect(f"/contracts/{contract_id}", error.message, "error")
        return redirect(f"/contracts/{contract_id}", _("Document added."))

    @get(
        "/contracts/{contract_id:int}/documents/{document_id:int}",
        opt={"permission": "contracts.view"},
    )
    async def document(
        self, request: Req, contract_id: FromPath[int], document_id: FromPath[int]
    ) -> Response[Any]:
        meta, key = await queries.get_document(actor(request), contract_id, document_id)
        return await document_response(key, meta.content_type, meta.filename)

    @post(
        "/contracts/{contract_id:int}/documents/{document_id:int}/delete",
        opt={"permission": "contracts.manage"},
    )
    async def delete_document(
        self, request: Req, contract_id: FromPath[int], document_id: FromPath[int]
    ) -> Response[Any]:
        await actions.delete_document(
            actor=actor(request), contract_id=contract_id, document_id=document_id
        )
        return redirect(f"/contracts/{contract_id}", _("Document deleted."))

    # ---- visit plans --------------------------------------------------------------------

    @post(
        "/contracts/{contract_id:int}/visit-plans",
        opt={"permission": "contracts.manage", "form": VisitPlanCreate},
    )
    async def create_plan(self, request: Req, contract_id: FromPath[int]) -> Response[Any]:
        form = await request.form()
        values = forms.clean({k: form.get(k) for k in form})
        values["site_ids"] = [v for v in form.getall("site_ids", []) if v]
        values["weekdays"] = [v for v in form.getall("weekdays", []) if v]
        values["months"] = [v for v in form.getall("months", []) if v]
        values["skip_closed_days"] = form.get("skip_closed_days") == "on"
        payload: dict[str, Any] = {
            k: values[k]
            for k in ("name", "dtstart_local", "window_minutes", "lead_days", "site_ids")
            if k in values
        }
        payload["skip_closed_days"] = values["skip_closed_days"]
        if values.get("ends") == "on" and values.get("end_date"):
            payload["end_date"] = values["end_date"]
        start = payload.get("dtstart_local")
        if isinstance(start, str) and len(start) == 16:
            payload["dtstart_local"] = start + ":00"
        errors: dict[str, str] = {}
        try:
            payload["rrule"] = recurrence_form.rule_from_values(values, with_count=True)
        except FacilitiesError as error:
            errors = forms.errors_of(error)
        data, convert_errors = forms.convert(payload, VisitPlanCreate)
        errors = {**convert_errors, **errors}
        if data is not None and not errors:
            try:
                await actions.create_plan(actor=actor(request), contract_id=contract_id, data=data)
                return redirect(f"/contracts/{contract_id}", _("Visit plan saved."))
            except FacilitiesError as error:
                errors = forms.errors_of(error)
        return await self._contract_page(request, contract_id, values, errors, 422)

    @post("/visit-plans/{plan_id:int}/active", opt={"permission": "contracts.manage"})
    async def toggle_plan(self, request: Req, plan_id: FromPath[int]) -> Response[Any]:
        """Pause or resume a plan (visits already generated stay)."""
        me = actor(request)
        plan = await queries.get_plan(me, plan_id)
        await actions.update_plan(
            actor=me, plan_id=plan_id, data=VisitPlanUpdate(active=not plan.active)
        )
        message = _("Visit plan resumed.") if not plan.active else _("Visit plan paused.")
        return redirect(f"/contracts/{plan.contract_id}", message)

    # ---- visits -------------------------------------------------------------------------

    @get("/visits", opt={"permission": "contracts.view"})
    async def list_visits(
        self,
        request: Req,
        site_id: FromQuery[int | None] = None,
        contract_id: FromQuery[int | None] = None,
        status: FromQuery[str | None] = None,
    ) -> Template:
        me = actor(request)
        status_value = status if status in VisitStatus.__members__ else None
        visits = await queries.list_visits(
            me,
            site_id=site_id,
            contract_id=contract_id,
            status=VisitStatus(status_value) if status_value else None,
            start=clock.now() - timedelta(days=60),
        )
        return page(
            request,
            "services/visits.html",
            {
                **LABELS,
                "visits": visits,
                "title": _("Service visits"),
                "sites": await queries.site_options(me),
                "filters": {"site_id": site_id, "contract_id": contract_id, "status": status or ""},
            },
        )

    @get("/visits/today", opt={"permission": "contracts.view"})
    async def todays_visits(self, request: Req) -> Template:
        me = actor(request)
        return page(
            request,
            "services/visits.html",
            {
                **LABELS,
                "visits": await queries.todays_visits(me),
                "title": _("Today's visits"),
                "today": True,
                "sites": [],
                "filters": {},
            },
        )

    async def _visit_page(
        self, request: Req, visit_id: int, errors: dict[str, str], status: int = 200
    ) -> Template:
        visit = await queries.get_visit(actor(request), visit_id)
        return page(
            request,
            "services/visit.html",
            {**LABELS, "visit": visit, "errors": errors, "now": clock.now()},
            status_code=status,
        )

    @get("/visits/{visit_id:int}", opt={"permission": "contracts.view"})
    async def visit_detail(self, request: Req, visit_id: FromPath[int]) -> Template:
        return await self._visit_page(request, visit_id, {})

    @post(
        "/visits/{visit_id:int}/sign-off",
        opt={"permission": "visits.signoff", "form": VisitSignOff},
    )
    async def sign_off(self, request: Req, visit_id: FromPath[int]) -> Response[Any]:
        form = await request.form()
        values = forms.clean({k: form.get(k) for k in form})
        values["done"] = values.get("outcome") != "not_done"
        values.pop("outcome", None)
        data, errors = forms.convert(values, VisitSignOff)
        if data is not None:
            try:
                await actions.sign_off(actor=actor(request), visit_id=visit_id, data=data)
                return redirect(f"/visits/{visit_id}", _("Visit signed off."))
            except FacilitiesError as error:
                errors = forms.errors_of(error)
        return await self._visit_page(request, visit_id, errors, 422)

    @post("/visits/{visit_id:int}/cancel", opt={"permission": "contracts.manage"})
    async def cancel_visit(self, request: Req, visit_id: FromPath[int]) -> Response[Any]:
        try:
            await actions.cancel_visit(actor=actor(request), visit_id=visit_id)
        except FacilitiesError as error:
            if error.status_code == 404:
                raise
            return redirect(f"/visits/{visit_id}", error.message, "error")
        return redirect(f"/visits/{visit_id}", _("Visit cancelled."))

    # ---- scorecards ---------------------------------------------------------------------

    @get("/scorecards", opt={"permission": "scorecards.view"})
    async def list_scorecards(
        self,
        request: Req,
        start: FromQuery[date | None] = None,
        end: FromQuery[date | None] = None,
    ) -> Response[Any]:
        me = actor(request)
        if me.partner_organisation_id is not None and not me.can("contracts.manage"):
            query = f"?start={start}&end={end}" if start and end else ""
            return redirect(f"/scorecards/{me.partner_organisation_id}{query}")
        errors: dict[str, str] = {}
        cards = []
        first: date | None
        last: date | None
        try:
            cards = await scorecards.scorecards(me, start, end)
            first, last = scorecards.default_period(start, end)
        except FacilitiesError as error:
            errors = forms.errors_of(error)
            first, last = start, end
        return page(
            request,
            "services/scorecards.html",
            {"cards": cards, "start": first, "end": last, "errors": errors},
            status_code=422 if errors else 200,
        )

    @get("/scorecards/{partner_id:int}", opt={"permission": "scorecards.view"})
    async def scorecard(
        self,
        request: Req,
        partner_id: FromPath[int],
        start: FromQuery[date | None] = None,
        end: FromQuery[date | None] = None,
    ) -> Template:
        card = await scorecards.scorecard(actor(request), partner_id, start, end)
        return page(request, "services/scorecard.html", {"card": card})

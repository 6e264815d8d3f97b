"""The quarterly budget report page (web, PDF, XLSX) and its two forms: set a budget, add an
expense line with its invoice."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from typing import Any

from litestar import Controller, get, post
from litestar.params import FromPath, FromQuery, Parameter
from litestar.response import Response, Stream, Template

from facilities.accounts.principal import actor
from facilities.kit import clock, forms
from facilities.kit.errors import FacilitiesError
from facilities.kit.i18n import _
from facilities.kit.openapi import XLSX
from facilities.kit.templating import page, redirect
from facilities.kit.web import (
    Req,
    content_disposition,
    document_response,
    optional_upload,
    pdf_response,
)
from facilities.reporting import charts, exports, subscriptions
from facilities.reporting.budgets import actions, output
from facilities.reporting.budgets.report import budget_report
from facilities.reporting.enums import COST_CATEGORY_LABELS, FREQUENCY_LABELS, REPORT_LABELS
from facilities.reporting.queries import scope_sites
from facilities.reporting.schemas import BudgetSet, ExpenseCreate, SubscriptionCreate
from facilities.settings import get_settings


def split_scope(choice: str | None) -> tuple[int | None, int | None]:
    """``region:3`` / ``site:7`` (the forms' one select) → (region id, site id)."""
    kind, _sep, number = (choice or "").partition(":")
    if not number.isdigit() or len(number) > 9:
        return None, None
    if kind == "region":
        return int(number), None
    return (None, int(number)) if kind == "site" else (None, None)


def _amount(text: str) -> Decimal:
    text = text.replace(" ", "").replace("\u202f", "").replace("\xa0", "")
    if "," in text and text.rfind(",") > text.rfind("."):
        text = text.replace(".", "").replace(",", ".")
    else:
        text = text.replace(",", "")
    return Decimal(text)


def _current_quarter() -> tuple[int, int]:
    today = clock.now().date()
    return today.year, (today.month - 1) // 3 + 1


async def _page(
    request: Req,
    *,
    year: int,
    quarter: int,
    choice: str | None,
    errors: dict[str, str] | None = None,
    status: int = 200,
) -> Template:
    me = actor(request)
    region_id, site_id = split_scope(choice)
    report = None
    errors = dict(errors or {})
    try:
        report = await budget_report(
            me, year=year, quarter=quarter, region_id=region_id, site_id=site_id
        )
    except FacilitiesError as error:
        errors.update(forms.errors_of(error))
        status = 422
    _label, sites = await scope_sites(me)
    regions = sorted({(int(str(s["region"])), str(s["region_name"])) for s in sites}, key=str)
    query = {"year": year, "quarter": quarter, **({"sites": choice} if choice else {})}
    return page(
        request,
        "reporting/budget.html",
        {
            "report": report,
            "chart": charts.budget_bars(report) if report else "",
            "errors": errors,
            "year": year,
            "quarter": quarter,
            "sites_choice": choice or "",
            "sites": sites,
            "regions": regions,
            "categories": [(k.value, _(v)) for k, v in COST_CATEGORY_LABELS.items()],
            "currency": get_settings().currency,
            "query": query,
        },
        status_code=status,
    )


class BudgetPages(Controller):
    include_in_schema = False

    @get("/reporting/budget", opt={"permission": "reporting.view"})
    async def budget_page(
        self,
        request: Req,
        year: FromQuery[int | None] = None,
        quarter: FromQuery[int | None] = None,
        sites: str | None = Parameter(default=None, max_length=30),
    ) -> Template:
        this_year, this_quarter = _current_quarter()
        return await _page(
            request, year=year or this_year, quarter=quarter or this_quarter, choice=sites
        )

    @get("/reporting/budget.pdf", opt={"permission": "reporting.view"})
    async def budget_pdf(
        self,
        request: Req,
        year: FromQuery[int],
        quarter: FromQuery[int],
        sites: str | None = Parameter(default=None, max_length=30),
    ) -> Response[bytes]:
        region_id, site_id = split_scope(sites)
        report = await budget_report(
            actor(request), year=year, quarter=quarter, region_id=region_id, site_id=site_id
        )
        return pdf_response(await output.render_pdf(report), f"budget-{year}-q{quarter}.pdf")

    @get("/reporting/budget.xlsx", opt={"permission": "reporting.view"})
    async def budget_xlsx(
        self,
        request: Req,
        year: FromQuery[int],
        quarter: FromQuery[int],
        sites: str | None = Parameter(default=None, max_length=30),
    ) -> Stream:
        region_id, site_id = split_scope(sites)
        report = await budget_report(
            actor(request), year=year, quarter=quarter, region_id=region_id, site_id=site_id
        )
        path = output.write_xlsx(report)
        return Stream(
            exports.stream_file(path),
            media_type=XLSX,
            headers={
                "Content-Disposition": content_disposition(
                    "attachment", f"budget-{year}-q{quarter}.xlsx"
                ),
                "Cache-Control": "private, no-store",
            },
        )

    @post("/reporting/budgets", opt={"permission": "budgets.manage"})
    async def set_budget(self, request: Req) -> Any:
        me = actor(request)
        raw = forms.clean(dict(await request.form()))
        year_text = str(raw.get("year", ""))
        year = int(year_text) if year_text.isdigit() and len(year_text) == 4 else clock.now().year
        region_id, site_id = split_scope(str(raw.get("sites", "")))
        errors: dict[str, str] = {}
        payload: dict[str, Any] = {
            "year": year,
            "category": raw.get("category", ""),
            "site_id": site_id,
            "region_id": region_id,
        }
        try:
            payload["amount"] = _amount(str(raw.get("amount", "")))
        except InvalidOperation:
            errors["amount"] = _("Type an amount, e.g. 12000 or 12.000,50.")
        if raw.get("quarters"):
            try:
                payload["quarters"] = [_amount(q) for q in str(raw["quarters"]).split(";")]
                payload["split"] = "manual"
            except InvalidOperation:
                errors["quarters"] = _("Type four amounts separated by ;")
        if not errors:
            data, errors = forms.convert(payload, BudgetSet)
            if data is not None:
                try:
                    await actions.set_budget(actor=me, data=data)
                    return redirect(f"/reporting/budget?year={year}", _("Budget saved."))
                except FacilitiesError as error:
                    errors = forms.errors_of(error)
        _y, quarter = _current_quarter()
        return await _page(
            request, year=year, quarter=quarter, choice=None, errors=errors, status=422
        )

    @post("/reporting/expenses", opt={"permission": "budgets.manage"})
    async def add_expense(self, request: Req) -> Any:
        me = actor(request)
        form = await request.form()
        attachment = await optional_upload(form.get("attachment"))
        upload = form.get("attachment")
        filename = getattr(upload, "filename", None)
        raw = forms.clean({k: v for k, v in form.items() if k != "attachment"})
        errors: dict[str, str] = {}
        payload: dict[str, Any] = {
            k: raw[k]
            for k in ("site_id", "category", "spent_on", "currency", "description")
            if k in raw
        }
        try:
            payload["amount"] = _amount(str(raw.get("amount", "")))
        except InvalidOperation:
            errors["amount"] = _("Type an amount, e.g. 12000 or 12.000,50.")
        if not errors:
            data, errors = forms.convert(payload, ExpenseCreate)
            if data is not None:
                try:
                    await actions.add_expense(
                        actor=me, data=data, attachment=attachment, filename=filename
                    )
                    return redirect(
                        f"/reporting/budget?year={data.spent_on.year}", _("Expense added.")
                    )
                except FacilitiesError as error:
                    errors = forms.errors_of(error)
        year, quarter = _current_quarter()
        return await _page(
            request, year=year, quarter=quarter, choice=None, errors=errors, status=422
        )

    @get("/reporting/expenses/{expense_id:int}/attachment", opt={"permission": "reporting.view"})
    async def expense_attachment(self, request: Req, expense_id: FromPath[int]) -> Response[bytes]:
        key, media_type, filename = await actions.require_expense_file(actor(request), expense_id)
        return await document_response(key, media_type, filename)


class SubscriptionPages(Controller):
    """Reports by e-mail: the caller's subscriptions, subscribe, unsubscribe."""

    include_in_schema = False

    async def _page(
        self, request: Req, errors: dict[str, str] | None = None, status: int = 200
    ) -> Template:
        me = actor(request)
        _label, sites = await scope_sites(me)
        regions = sorted({(int(str(s["region"])), str(s["region_name"])) for s in sites}, key=str)
        names = {f"site:{s['id']}": str(s["name"]) for s in sites} | {
            f"region:{rid}": name for rid, name in regions
        }
        return page(
            request,
            "reporting/subscriptions.html",
            {
                "subscriptions": await subscriptions.my_subscriptions(me),
                "sites": sites,
                "regions": regions,
                "names": names,
                "reports": [(k.value, _(v)) for k, v in REPORT_LABELS.items()],
                "frequencies": [(k.value, _(v)) for k, v in FREQUENCY_LABELS.items()],
                "report_labels": {k.value: _(v) for k, v in REPORT_LABELS.items()},
                "frequency_labels": {k.value: _(v) for k, v in FREQUENCY_LABELS.items()},
                "errors": errors or {},
            },
            status_code=status,
        )

    @get("/reporting/subscriptions", opt={"permission": "reporting.view"})
    async def list_page(self, request: Req) -> Template:
        return await self._page(request)

    @post("/reporting/subscriptions", opt={"permission": "reporting.view"})
    async def subscribe(self, request: Req) -> Any:
        raw = forms.clean(dict(await request.form()))
        region_id, site_id = split_scope(str(raw.get("sites", "")))
        payload = {
            "report": raw.get("report", ""),
            "frequency": raw.get("frequency", ""),
            "locale": raw.get("locale", "en"),
            "site_id": site_id,
            "region_id": region_id,
        }
        data, errors = forms.convert(payload, SubscriptionCreate)
        if data is not None:
            try:
                await subscriptions.subscribe(actor=actor(request), data=data)
                return redirect("/reporting/subscriptions", _("Subscribed."))
            except FacilitiesError as error:
                errors = forms.errors_of(error)
        return await self._page(request, errors, 422)

    @post(
        "/reporting/subscriptions/{subscription_id:int}/delete",
        opt={"permission": "reporting.view"},
    )
    async def unsubscribe(self, request: Req, subscription_id: FromPath[int]) -> Any:
        await subscriptions.unsubscribe(actor=actor(request), subscription_id=subscription_id)
        return redirect("/reporting/subscriptions", _("Unsubscribed."))

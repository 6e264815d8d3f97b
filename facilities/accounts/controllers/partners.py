"""Partner organisation pages for ops and admins: list (filter by trade), new, edit
(contact, trades, service area, weekly capacity in hours)."""

from __future__ import annotations

from typing import Any

from litestar import Controller, get, post
from litestar.params import FromPath, FromQuery
from litestar.response import Response, Template

from facilities.accounts import actions, queries
from facilities.accounts.controllers._capacity import capacity_hours, capacity_minutes
from facilities.accounts.enums import TRADE_LABELS, Trade
from facilities.accounts.principal import actor
from facilities.accounts.schemas import PartnerOrganisationCreate, PartnerOrganisationUpdate
from facilities.kit import forms
from facilities.kit.errors import FacilitiesError, RuleViolation
from facilities.kit.i18n import _
from facilities.kit.templating import page, redirect
from facilities.kit.web import Req

TEXT_FIELDS = ("name", "email", "phone", "contact_name", "notes", "weekly_capacity_hours")
LIST_FIELDS = ("trades", "site_ids", "region_ids")


def trade_labels() -> dict[str, str]:
    return {t.value: _(label) for t, label in TRADE_LABELS.items()}


async def _posted(request: Req) -> dict[str, Any]:
    """The posted form: text fields stripped, multi-selects as lists."""
    form = await request.form()
    values: dict[str, Any] = {k: str(form.get(k) or "").strip() for k in TEXT_FIELDS}
    for key in LIST_FIELDS:
        values[key] = [v for v in form.getall(key, []) if str(v).strip()]
    values["active"] = form.get("active") == "on"
    return values


def _schema_values(values: dict[str, Any]) -> dict[str, Any]:
    converted = dict(values)
    converted["email"] = converted["email"] or None
    for key in ("site_ids", "region_ids"):
        converted[key] = [int(v) if str(v).isdigit() else v for v in converted[key]]
    converted["weekly_capacity_minutes"] = capacity_minutes(
        converted.pop("weekly_capacity_hours", "")
    )
    return converted


class PartnerPages(Controller):
    include_in_schema = False

    async def _list(
        self,
        request: Req,
        trade: Trade | None,
        errors: dict[str, str],
        values: dict[str, Any],
        status: int = 200,
    ) -> Template:
        return page(
            request,
            "accounts/partners.html",
            {
                "partners": await queries.list_partner_organisations(trade=trade),
                "trade": trade.value if trade else "",
                "trades": list(Trade),
                "trade_labels": trade_labels(),
                "choices": await queries.area_choices(),
                "errors": errors,
                "values": values,
            },
            status_code=status,
        )

    @get("/admin/partners", opt={"permission": "partners.view"})
    async def partners(self, request: Req, trade: FromQuery[Trade | None] = None) -> Template:
        return await self._list(
            request, trade, {}, {"trades": [], "site_ids": [], "region_ids": []}
        )

    @post(
        "/admin/partners",
        opt={"permission": "partners.manage", "form": PartnerOrganisationCreate},
        status_code=303,
    )
    async def create(self, request: Req) -> Response[Any]:
        values = await _posted(request)
        try:
            converted = _schema_values(values)
        except RuleViolation as error:
            return await self._list(request, None, forms.errors_of(error), values, 422)
        converted.pop("active")
        data, errors = forms.convert(converted, PartnerOrganisationCreate)
        if data is None:
            return await self._list(request, None, errors, values, 422)
        try:
            created = await actions.create_partner_organisation(actor=actor(request), data=data)
        except FacilitiesError as error:
            return await self._list(request, None, forms.errors_of(error), values, 422)
        return redirect(f"/admin/partners/{created.id}", _("Partner organisation created."))

    async def _detail(
        self,
        request: Req,
        partner_id: int,
        errors: dict[str, str],
        values: dict[str, Any] | None = None,
        status: int = 200,
    ) -> Template:
        partner = await queries.get_partner_organisation(partner_id)
        shown = values or {
            "name": partner.name,
            "email": partner.email,
            "phone": partner.phone,
            "contact_name": partner.contact_name,
            "notes": partner.notes,
            "active": partner.active,
            "trades": [t.value for t in partner.trades],
            "site_ids": [str(i) for i in partner.site_ids],
            "region_ids": [str(i) for i in partner.region_ids],
            "weekly_capacity_hours": capacity_hours(partner.weekly_capacity_minutes),
        }
        return page(
            request,
            "accounts/partner.html",
            {
                "partner": partner,
                "values": shown,
                "trades": list(Trade),
                "trade_labels": trade_labels(),
                "choices": await queries.area_choices(),
                "errors": errors,
            },
            status_code=status,
        )

    @get("/admin/partners/{partner_id:int}", opt={"permission": "partners.view"})
    async def partner(self, request: Req, partner_id: FromPath[int]) -> Template:
        return await self._detail(request, partner_id, {})

    @post(
        "/admin/partners/{partner_id:int}",
        opt={"permission": "partners.manage", "form": PartnerOrganisationUpdate},
        status_code=303,
    )
    async def update(self, request: Req, partner_id: FromPath[int]) -> Response[Any]:
        values = await _posted(request)
        try:
            converted = _schema_values(values)
        except RuleViolation as error:
            return await self._detail(request, partner_id, forms.errors_of(error), values, 422)
        data, errors = forms.convert(converted, PartnerOrganisationUpdate)
        if data is None:
            return await self._detail(request, partner_id, errors, values, 422)
        try:
            await actions.update_partner_organisation(
                actor=actor(request), partner_id=partner_id, data=data
            )
        except FacilitiesError as error:
            if error.status_code == 404:
                raise
            return await self._detail(request, partner_id, forms.errors_of(error), values, 422)
        return redirect(f"/admin/partners/{partner_id}", _("Partner organisation saved."))

"""Management pages of meters: create, edit, retire and replace; meter QR labels (PDF); bill
entry. Every write goes through ``sustainability.actions``; a refused form is shown again
with the user's input and the message next to its field. The library pages (factors,
targets, occupancy, CSV uploads) are in ``library.py``; the helpers here serve both."""

from __future__ import annotations

from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from litestar import Controller, get, post
from litestar.params import FromPath, FromQuery
from litestar.response import Response, Template

from facilities.accounts.principal import actor
from facilities.assets import queries as asset_queries
from facilities.kit import forms
from facilities.kit.errors import FacilitiesError, NotFound, RuleViolation
from facilities.kit.i18n import _
from facilities.kit.templating import page, redirect
from facilities.kit.web import Req, pdf_response
from facilities.sites import queries as site_queries
from facilities.sustainability import actions, labels, queries
from facilities.sustainability.controllers.pages import LABELS, _number, meter_page
from facilities.sustainability.enums import CARRIER_UNITS, Carrier
from facilities.sustainability.schemas import (
    LabelRequest,
    MeterCreate,
    MeterReplace,
    MeterUpdate,
    PeriodCreate,
)

NUMBERS = ("register_digits", "correction_factor", "calorific_value", "market_factor")
METER_TEXT = ("name", "number", "market_factor_source")


def form_values(form: Any) -> dict[str, Any]:
    return forms.clean({k: form.get(k) for k in form})


def typed_numbers(raw: dict[str, Any], names: tuple[str, ...], errors: dict[str, str]) -> None:
    """Turn typed numbers (decimal comma or point) into numbers in place, noting errors."""
    for key in names:
        if key in raw:
            try:
                raw[key] = float(_number(str(raw[key])))
            except ValueError:
                errors[key] = _("Type a number, e.g. 12345,6.")


def field_errors(error: FacilitiesError) -> dict[str, str]:
    return forms.errors_of(error)  # re-raises 403/404


class SustainabilityManagePages(Controller):
    include_in_schema = False

    # ---- meters: create, edit, retire, replace ------------------------------------------

    async def _meter_form(
        self,
        request: Req,
        *,
        meter_id: int | None,
        site_id: int | None,
        values: dict[str, Any],
        errors: dict[str, str] | None = None,
        status_code: int = 200,
    ) -> Template:
        me = actor(request)
        meter = await queries.get_meter(me, meter_id) if meter_id is not None else None
        site = None
        if site_id is not None:
            try:
                site = await site_queries.get_site(me, site_id)
            except NotFound:  # a refused form naming a foreign site: choose again
                if meter is not None:
                    raise
                site_id = None
        assets = await asset_queries.all_visible_assets(me, site_id=site_id) if site else []
        spaces = await site_queries.list_spaces(me, site_id) if site_id is not None else []
        return page(
            request,
            "sustainability/meter_form.html",
            {
                **LABELS,
                "meter": meter,
                "site": site,
                "sites": (await site_queries.list_sites(me, limit=500)).items,
                "assets": assets,
                "spaces": spaces,
                "values": values,
                "errors": errors or {},
                "carrier_units": CARRIER_UNITS,
                "supplier_carriers": [Carrier.electricity_grid, Carrier.district_heating],
            },
            status_code=status_code,
        )

    @get("/sustainability/meters/new", opt={"permission": "sustainability.manage"})
    async def new_meter(self, request: Req, site_id: FromQuery[int | None] = None) -> Template:
        return await self._meter_form(
            request,
            meter_id=None,
            site_id=site_id,
            values={"carrier": "electricity_grid", "unit": "kWh"},
        )

    @post(
        "/sustainability/meters/new",
        opt={"permission": "sustainability.manage", "form": MeterCreate},
    )
    async def create_meter(self, request: Req) -> Response[Any]:
        raw = form_values(await request.form())
        values = dict(raw)
        errors: dict[str, str] = {}
        typed_numbers(raw, NUMBERS, errors)
        site_id = int(raw["site_id"]) if str(raw.get("site_id", "")).isdigit() else None
        if not errors:
            data, errors = forms.convert(raw, MeterCreate)
            if data is not None:
                try:
                    created = await actions.create_meter(actor=actor(request), data=data)
                    return redirect(f"/sustainability/meters/{created.id}", _("Meter created."))
                except FacilitiesError as error:
                    errors = field_errors(error)
        return await self._meter_form(
            request,
            meter_id=None,
            site_id=site_id,
            values=values,
            errors=errors,
            status_code=422,
        )

    @get("/sustainability/meters/{meter_id:int}/edit", opt={"permission": "sustainability.manage"})
    async def edit_meter(self, request: Req, meter_id: FromPath[int]) -> Template:
        meter = await queries.get_meter(actor(request), meter_id)
        values = {
            k: getattr(meter, k)
            for k in (*METER_TEXT, *NUMBERS, "installed_on", "asset_id", "space_id")
        }
        return await self._meter_form(
            request,
            meter_id=meter_id,
            site_id=meter.site_id,
            values={k: ("" if v is None else v) for k, v in values.items()},
        )

    @post(
        "/sustainability/meters/{meter_id:int}/edit",
        opt={"permission": "sustainability.manage", "form": MeterUpdate},
    )
    async def update_meter(self, request: Req, meter_id: FromPath[int]) -> Response[Any]:
        me = actor(request)
        meter = await queries.get_meter(me, meter_id)
        form = await request.form()
        raw = forms.clean({k: form.get(k) for k in form}, keep_empty=frozenset(METER_TEXT))
        values = dict(raw)
        errors: dict[str, str] = {}
        typed_numbers(raw, NUMBERS, errors)
        # An emptied optional field clears it.
        for key in (*NUMBERS, "installed_on", "asset_id", "space_id"):
            raw.setdefault(key, None)
        if not errors:
            data, errors = forms.convert(raw, MeterUpdate)
            if data is not None:
                try:
                    await actions.update_meter(actor=me, meter_id=meter_id, data=data)
                    return redirect(f"/sustainability/meters/{meter_id}", _("Meter saved."))
                except FacilitiesError as error:
                    errors = field_errors(error)
        return await self._meter_form(
            request,
            meter_id=meter_id,
            site_id=meter.site_id,
            values=values,
            errors=errors,
            status_code=422,
        )

    @post(
        "/sustainability/meters/{meter_id:int}/retire",
        opt={"permission": "sustainability.manage"},
    )
    async def retire_meter(self, request: Req, meter_id: FromPath[int]) -> Response[Any]:
        """Retired meters keep their history and stay in the results; they take no more
        readings. Posting ``active=1`` brings one back."""
        form = await request.form()
        active = form.get("active") == "1"
        await actions.update_meter(
            actor=actor(request), meter_id=meter_id, data=MeterUpdate(active=active)
        )
        message = _("Meter back in use.") if active else _("Meter retired. Its history stays.")
        return redirect(f"/sustainability/meters/{meter_id}", message)

    async def _replace_page(
        self,
        request: Req,
        meter_id: int,
        values: dict[str, Any],
        errors: dict[str, str] | None = None,
        status_code: int = 200,
    ) -> Template:
        me = actor(request)
        meter = await queries.get_meter(me, meter_id)
        return page(
            request,
            "sustainability/meter_replace.html",
            {
                **LABELS,
                "meter": meter,
                "site": await site_queries.get_site(me, meter.site_id),
                "values": values,
                "errors": errors or {},
            },
            status_code=status_code,
        )

    @get(
        "/sustainability/meters/{meter_id:int}/replace",
        opt={"permission": "sustainability.enter"},
    )
    async def replace_form(self, request: Req, meter_id: FromPath[int]) -> Template:
        return await self._replace_page(request, meter_id, {"start_value": "0"})

    @post(
        "/sustainability/meters/{meter_id:int}/replace",
        opt={"permission": "sustainability.enter", "form": MeterReplace},
    )
    async def replace_meter(self, request: Req, meter_id: FromPath[int]) -> Response[Any]:
        me = actor(request)
        meter = await queries.get_meter(me, meter_id)
        site = await site_queries.get_site(me, meter.site_id)
        raw = form_values(await request.form())
        values = dict(raw)
        errors: dict[str, str] = {}
        typed_numbers(raw, ("final_value", "start_value", "register_digits"), errors)
        for key in ("final_value", "start_value"):
            if key not in raw:
                errors[key] = _("Type the number shown on the meter.")
        if "read_at" in raw:
            try:
                local = datetime.fromisoformat(str(raw["read_at"]))
                raw["read_at"] = local.replace(tzinfo=ZoneInfo(site.time_zone))
            except ValueError:
                errors["read_at"] = _("Give a date and time, e.g. 2026-03-01 08:00.")
        if not errors:
            data, errors = forms.convert(raw, MeterReplace)
            if data is not None:
                try:
                    await actions.replace_meter(actor=me, meter_id=meter_id, data=data)
                    return redirect(
                        f"/sustainability/meters/{meter_id}", _("Meter replacement saved.")
                    )
                except FacilitiesError as error:
                    errors = field_errors(error)
                    for ours, theirs in (
                        ("start_value", "value"),
                        ("final_value", "replaced_final"),
                    ):
                        if theirs in errors:
                            errors[ours] = errors.pop(theirs)
        return await self._replace_page(request, meter_id, values, errors, 422)

    # ---- bills and period entries ---------------------------------------------------------

    @post(
        "/sustainability/meters/{meter_id:int}/periods",
        opt={"permission": "sustainability.enter", "form": PeriodCreate},
    )
    async def add_period(self, request: Req, meter_id: FromPath[int]) -> Response[Any]:
        me = actor(request)
        raw = form_values(await request.form())
        values = {f"period_{k}": v for k, v in raw.items()}
        errors: dict[str, str] = {}
        typed_numbers(raw, ("quantity", "cost"), errors)
        raw["estimated"] = raw.get("estimated") == "on"
        if not errors:
            data, errors = forms.convert(raw, PeriodCreate)
            if data is not None:
                try:
                    await actions.add_period(actor=me, meter_id=meter_id, data=data)
                    return redirect(f"/sustainability/meters/{meter_id}", _("Bill saved."))
                except FacilitiesError as error:
                    errors = field_errors(error)
        # The meter page shows the bill form's errors under its own field names.
        shown = {f"period_{k}": v for k, v in errors.items()}
        return await meter_page(request, meter_id, shown, values, 422)

    # ---- labels -----------------------------------------------------------------------

    @get(
        "/sustainability/meters/{meter_id:int}/label.pdf",
        opt={"permission": "sustainability.enter"},
    )
    async def meter_label(
        self, request: Req, meter_id: FromPath[int], layout: FromQuery[str] = "single"
    ) -> Response[bytes]:
        """One meter's label (``single``: 62 mm tape; ``sheet``: the first cell of an A4
        sheet). Only reads (the code was issued with the meter)."""
        me = actor(request)
        await queries.get_meter(me, meter_id)  # 404 out of scope (the path names it)
        request_data = LabelRequest(
            meter_ids=[meter_id], layout="sheet" if layout == "sheet" else "single"
        )
        content = await labels.label_pdf(me, request_data)
        return pdf_response(content, f"meter-{meter_id}-label.pdf")

    @get(
        "/sustainability/sites/{site_id:int}/meter-labels.pdf",
        opt={"permission": "sustainability.enter"},
    )
    async def site_labels(
        self,
        request: Req,
        site_id: FromPath[int],
        layout: FromQuery[str] = "sheet",
        skip: FromQuery[int] = 0,
    ) -> Response[bytes]:
        """The labels of every active meter of a site, an A4 sheet of 3×8 (``skip`` leaves
        the used cells of a started sheet empty) or single labels."""
        if not 0 <= skip <= 23:
            raise RuleViolation("skip", _("Skip between 0 and 23 labels."))
        me = actor(request)
        await site_queries.get_site(me, site_id)  # 404 out of scope (the path names it)
        request_data = LabelRequest(
            site_id=site_id, layout="single" if layout == "single" else "sheet", skip=skip
        )
        content = await labels.label_pdf(me, request_data)
        return pdf_response(content, f"meter-labels-site-{site_id}.pdf")

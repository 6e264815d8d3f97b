"""Management pages: create, edit, retire and replace meters; meter QR labels (PDF); bill
entry; the emission-factor library; targets; occupancy per site; CSV uploads (interval data,
occupancy). Every write goes through ``sustainability.actions`` (or ``targets``); a refused
form is shown again with the user's input and the message next to its field."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

from litestar import Controller, get, post
from litestar.datastructures import UploadFile
from litestar.params import FromPath, FromQuery
from litestar.response import Response, Template

from facilities.accounts.principal import actor
from facilities.assets import queries as asset_queries
from facilities.kit import clock, forms
from facilities.kit.errors import FacilitiesError, NotFound, RuleViolation
from facilities.kit.i18n import _
from facilities.kit.templating import page, redirect
from facilities.kit.web import Multipart, Req, pdf_response
from facilities.sites import queries as site_queries
from facilities.sustainability import actions, labels, queries, targets
from facilities.sustainability.controllers.pages import LABELS, _number, meter_page
from facilities.sustainability.enums import CARRIER_UNITS, SCOPE_1, SCOPE_2, Carrier
from facilities.sustainability.schemas import (
    FactorCreate,
    LabelRequest,
    MeterCreate,
    MeterReplace,
    MeterUpdate,
    PeriodCreate,
    TargetCreate,
    TargetMetric,
)

# Uploads through the page are read whole by the form parser: larger files go to the API,
# which streams (POST /api/v1/sustainability/intervals).
UPLOAD_LIMIT = 64 * 1024**2
OCCUPANCY_LIMIT = 1024**2
NUMBERS = ("register_digits", "correction_factor", "calorific_value", "market_factor")
METER_TEXT = ("name", "number", "market_factor_source")


def _form(form: Any) -> dict[str, Any]:
    return forms.clean({k: form.get(k) for k in form})


def _numbers(raw: dict[str, Any], names: tuple[str, ...], errors: dict[str, str]) -> None:
    """Turn typed numbers (decimal comma or point) into numbers in place, noting errors."""
    for key in names:
        if key in raw:
            try:
                raw[key] = float(_number(str(raw[key])))
            except ValueError:
                errors[key] = _("Type a number, e.g. 12345,6.")


def _fail(error: FacilitiesError) -> dict[str, str]:
    return forms.errors_of(error)  # re-raises 403/404


async def _chunks(upload: UploadFile, size: int = 256 * 1024) -> AsyncIterator[bytes]:
    while chunk := await upload.read(size):
        yield chunk


def _upload(data: dict[str, Any], field: str) -> UploadFile | None:
    value = data.get(field)
    if isinstance(value, list):
        value = value[0] if value else None
    return value if isinstance(value, UploadFile) and value.filename else None


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
        raw = _form(await request.form())
        values = dict(raw)
        errors: dict[str, str] = {}
        _numbers(raw, NUMBERS, errors)
        site_id = int(raw["site_id"]) if str(raw.get("site_id", "")).isdigit() else None
        if not errors:
            data, errors = forms.convert(raw, MeterCreate)
            if data is not None:
                try:
                    created = await actions.create_meter(actor=actor(request), data=data)
                    return redirect(f"/sustainability/meters/{created.id}", _("Meter created."))
                except FacilitiesError as error:
                    errors = _fail(error)
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
        _numbers(raw, NUMBERS, errors)
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
                    errors = _fail(error)
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
        raw = _form(await request.form())
        values = dict(raw)
        errors: dict[str, str] = {}
        _numbers(raw, ("final_value", "start_value", "register_digits"), errors)
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
                    errors = _fail(error)
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
        raw = _form(await request.form())
        values = {f"period_{k}": v for k, v in raw.items()}
        errors: dict[str, str] = {}
        _numbers(raw, ("quantity", "cost"), errors)
        raw["estimated"] = raw.get("estimated") == "on"
        if not errors:
            data, errors = forms.convert(raw, PeriodCreate)
            if data is not None:
                try:
                    await actions.add_period(actor=me, meter_id=meter_id, data=data)
                    return redirect(f"/sustainability/meters/{meter_id}", _("Bill saved."))
                except FacilitiesError as error:
                    errors = _fail(error)
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
        sheet). A meter made before meters had labels gets its code now."""
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

    # ---- emission factors ---------------------------------------------------------------

    async def _factors_page(
        self,
        request: Req,
        values: dict[str, Any] | None = None,
        errors: dict[str, str] | None = None,
        status_code: int = 200,
    ) -> Template:
        return page(
            request,
            "sustainability/factors.html",
            {
                **LABELS,
                "factors": await queries.list_factors(),
                "factor_carriers": [c for c in Carrier if c in SCOPE_1 or c in SCOPE_2],
                "values": values or {"region": "DE", "year": clock.now().year},
                "errors": errors or {},
            },
            status_code=status_code,
        )

    @get("/sustainability/factors", opt={"permission": "sustainability.view"})
    async def factors(self, request: Req) -> Template:
        return await self._factors_page(request)

    @post(
        "/sustainability/factors",
        opt={"permission": "sustainability.manage", "form": FactorCreate},
    )
    async def create_factor(self, request: Req) -> Response[Any]:
        raw = _form(await request.form())
        values = dict(raw)
        errors: dict[str, str] = {}
        _numbers(raw, ("value",), errors)
        if "source" not in raw and "source" not in errors:
            errors["source"] = _("Name the source of the factor (publisher, publication, year).")
        if "region" in raw:
            raw["region"] = str(raw["region"]).upper()
        if not errors:
            data, errors = forms.convert(raw, FactorCreate)
            if data is not None:
                try:
                    created = await actions.create_factor(actor=actor(request), data=data)
                    return redirect(
                        "/sustainability/factors",
                        _("Factor saved as version %(version)s.") % {"version": created.version},
                    )
                except FacilitiesError as error:
                    errors = _fail(error)
        return await self._factors_page(request, values, errors, 422)

    # ---- targets ------------------------------------------------------------------------

    async def _targets_page(
        self,
        request: Req,
        values: dict[str, Any] | None = None,
        errors: dict[str, str] | None = None,
        status_code: int = 200,
    ) -> Template:
        me = actor(request)
        year = clock.now().year
        return page(
            request,
            "sustainability/targets.html",
            {
                **LABELS,
                "targets": await targets.list_targets(me, year=year),
                "year": year,
                "sites": (await site_queries.list_sites(me, limit=500)).items,
                "regions": await site_queries.list_regions(me),
                "metrics": list(TargetMetric),
                "values": values
                or {"metric": "co2e", "baseline_year": year - 1, "target_year": year + 5},
                "errors": errors or {},
            },
            status_code=status_code,
        )

    @get("/sustainability/targets", opt={"permission": "sustainability.view"})
    async def targets_list(self, request: Req) -> Template:
        return await self._targets_page(request)

    @post(
        "/sustainability/targets",
        opt={"permission": "sustainability.manage", "form": TargetCreate},
    )
    async def create_target(self, request: Req) -> Response[Any]:
        raw = _form(await request.form())
        values = dict(raw)
        errors: dict[str, str] = {}
        _numbers(raw, ("reduction_pct",), errors)
        where = str(raw.pop("scope", ""))
        kind, _sep, ident = where.partition(":")
        if kind == "site" and ident.isdigit():
            raw["site_id"] = int(ident)
        elif kind == "region" and ident.isdigit():
            raw["region_id"] = int(ident)
        else:
            errors["scope"] = _("Choose a site or a region for the target.")
        if not errors:
            data, errors = forms.convert(raw, TargetCreate)
            if data is not None:
                try:
                    await targets.create_target(actor=actor(request), data=data)
                    return redirect("/sustainability/targets", _("Target saved."))
                except FacilitiesError as error:
                    errors = _fail(error)
                    for key in ("site_id", "region_id"):
                        if key in errors:
                            errors["scope"] = errors.pop(key)
        return await self._targets_page(request, values, errors, 422)

    @post(
        "/sustainability/targets/{target_id:int}/delete",
        opt={"permission": "sustainability.manage"},
    )
    async def delete_target(self, request: Req, target_id: FromPath[int]) -> Response[Any]:
        await targets.delete_target(actor=actor(request), target_id=target_id)
        return redirect("/sustainability/targets", _("Target deleted."))

    # ---- occupancy ----------------------------------------------------------------------

    async def _occupancy_page(
        self,
        request: Req,
        site_id: int | None,
        year: int,
        values: dict[str, Any] | None = None,
        errors: dict[str, str] | None = None,
        status_code: int = 200,
    ) -> Template:
        me = actor(request)
        sites = (await site_queries.list_sites(me, limit=500)).items
        if site_id is None and sites:
            site_id = sites[0].id
        site = await site_queries.get_site(me, site_id) if site_id is not None else None
        stored = await queries.list_occupancy(me, site_id, year) if site_id is not None else []
        by_month = {o.month: o.visits for o in stored}
        months = [date(year, m, 1) for m in range(1, 13)]
        shown = values or {f"m{d:%Y-%m}": by_month.get(d, "") for d in months}
        return page(
            request,
            "sustainability/occupancy.html",
            {
                **LABELS,
                "site": site,
                "site_id": site_id,
                "sites": sites,
                "year": year,
                "months": months,
                "visits": by_month,
                "values": shown,
                "errors": errors or {},
            },
            status_code=status_code,
        )

    @get("/sustainability/occupancy", opt={"permission": "sustainability.view"})
    async def occupancy(
        self,
        request: Req,
        site_id: FromQuery[int | None] = None,
        year: FromQuery[int | None] = None,
    ) -> Template:
        wanted = year or clock.now().year
        if not 1990 <= wanted <= 2100:
            raise RuleViolation("year", _("Choose a year between 1990 and 2100."))
        return await self._occupancy_page(request, site_id, wanted)

    @post("/sustainability/occupancy", opt={"permission": "sustainability.enter"})
    async def save_occupancy(self, request: Req) -> Response[Any]:
        form = await request.form()
        raw = {k: str(form.get(k) or "").strip() for k in form}
        site = raw.get("site_id", "")
        year_text = raw.get("year", "")
        if not site.isdigit() or not year_text.isdigit() or not 1990 <= int(year_text) <= 2100:
            raise RuleViolation("site_id", _("Choose a site and a year."))
        site_id, year = int(site), int(year_text)
        try:
            await site_queries.get_site(actor(request), site_id)
        except NotFound:  # named in the form: answered like a bad value, leaking nothing
            raise RuleViolation("site_id", _("Unknown site: %(id)s.") % {"id": site_id}) from None
        errors: dict[str, str] = {}
        months: dict[date, int] = {}
        for number in range(1, 13):
            key = f"m{year}-{number:02d}"
            text = raw.get(key, "").replace(".", "").replace(",", "").replace(" ", "")
            if not text:
                continue
            if not text.isdigit() or int(text) > 10_000_000:
                errors[key] = _("Give the visits as a whole number.")
                continue
            months[date(year, number, 1)] = int(text)
        values = {k: v for k, v in raw.items() if k.startswith("m")}
        if not errors:
            try:
                await actions.set_occupancy_months(
                    actor=actor(request), site_id=site_id, months=months
                )
                return redirect(
                    f"/sustainability/occupancy?site_id={site_id}&year={year}",
                    _("Occupancy saved."),
                )
            except FacilitiesError as error:
                errors = _fail(error)
        return await self._occupancy_page(request, site_id, year, values, errors, 422)

    # ---- CSV uploads --------------------------------------------------------------------

    async def _imports_page(
        self,
        request: Req,
        *,
        errors: dict[str, str] | None = None,
        row_errors: list[str] | None = None,
        which: str = "",
        status_code: int = 200,
    ) -> Template:
        return page(
            request,
            "sustainability/imports.html",
            {
                **LABELS,
                "errors": errors or {},
                "row_errors": row_errors or [],
                "which": which,
                "upload_mb": UPLOAD_LIMIT // 1024**2,
            },
            status_code=status_code,
        )

    @get("/sustainability/imports", opt={"permission": "sustainability.enter"})
    async def imports(self, request: Req) -> Template:
        return await self._imports_page(request)

    async def _refused(self, request: Req, which: str, error: FacilitiesError) -> Template:
        if error.status_code in (403, 404):
            raise error
        prefix = _("Line %(line)s: %(message)s").split("%(line)s")[0]
        listed = [f.message for f in error.fields if f.message.startswith(prefix)]
        fields = {f.field: f.message for f in error.fields if f.message not in listed}
        return await self._imports_page(
            request,
            errors={"form": error.message, **{f"{which}_{k}": v for k, v in fields.items()}},
            row_errors=listed,
            which=which,
            status_code=error.status_code,
        )

    @post(
        "/sustainability/imports/intervals",
        opt={"permission": "sustainability.manage"},
        request_max_body_size=UPLOAD_LIMIT,
    )
    async def import_intervals(self, request: Req, data: Multipart) -> Response[Any]:
        upload = _upload(data, "file")
        if upload is None:
            return await self._refused(
                request, "intervals", RuleViolation("file", _("Choose a file to upload."))
            )
        interval = 60 if str(data.get("interval", "15")) == "60" else 15
        try:
            created = await actions.import_intervals(
                actor=actor(request),
                chunks=_chunks(upload),
                filename=upload.filename or "",
                interval=interval,
            )
        except FacilitiesError as error:
            return await self._refused(request, "intervals", error)
        return redirect(
            "/sustainability/imports",
            _("Imported %(rows)s values of %(meters)s meters (import %(id)s).")
            % {"rows": created.rows, "meters": created.meters, "id": created.id},
        )

    @post(
        "/sustainability/imports/occupancy",
        opt={"permission": "sustainability.enter"},
        request_max_body_size=OCCUPANCY_LIMIT + 64 * 1024,
    )
    async def import_occupancy(self, request: Req, data: Multipart) -> Response[Any]:
        upload = _upload(data, "file")
        try:
            if upload is None:
                raise RuleViolation("file", _("Choose a file to upload."))
            content = await upload.read(OCCUPANCY_LIMIT + 1)
            if len(content) > OCCUPANCY_LIMIT:
                raise RuleViolation("file", _("The file is too large (at most 1 MB)."))
            saved = await actions.import_occupancy(
                actor=actor(request), text=content.decode("utf-8", errors="replace")
            )
        except FacilitiesError as error:
            return await self._refused(request, "occupancy", error)
        return redirect(
            "/sustainability/imports",
            _("Imported %(n)s months of occupancy.") % {"n": len(saved)},
        )

"""Library pages: the emission-factor library, targets, occupancy per site and the CSV
uploads (interval data, occupancy). Every write goes through ``sustainability.actions`` or
``targets``; a refused form is shown again with the user's input and the message next to
its field."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import date
from typing import Any

from litestar import Controller, get, post
from litestar.datastructures import UploadFile
from litestar.params import FromPath, FromQuery
from litestar.response import Response, Template

from facilities.accounts.principal import actor
from facilities.kit import clock, forms
from facilities.kit.errors import FacilitiesError, NotFound, RuleViolation
from facilities.kit.i18n import _
from facilities.kit.templating import page, redirect
from facilities.kit.web import Multipart, Req
from facilities.sites import queries as site_queries
from facilities.sustainability import actions, queries, targets
from facilities.sustainability.controllers.manage import (
    field_errors,
    form_values,
    typed_numbers,
)
from facilities.sustainability.controllers.pages import LABELS
from facilities.sustainability.enums import SCOPE_1, SCOPE_2, Carrier
from facilities.sustainability.schemas import FactorCreate, TargetCreate, TargetMetric

# Uploads through the page are read whole by the form parser: larger files go to the API,
# which streams (POST /api/v1/sustainability/intervals).
UPLOAD_LIMIT = 64 * 1024**2
OCCUPANCY_LIMIT = 1024**2


async def _chunks(upload: UploadFile, size: int = 256 * 1024) -> AsyncIterator[bytes]:
    while chunk := await upload.read(size):
        yield chunk


def _upload(data: dict[str, Any], field: str) -> UploadFile | None:
    value = data.get(field)
    if isinstance(value, list):
        value = value[0] if value else None
    return value if isinstance(value, UploadFile) and value.filename else None


class SustainabilityLibraryPages(Controller):
    include_in_schema = False

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
        raw = form_values(await request.form())
        values = dict(raw)
        errors: dict[str, str] = {}
        typed_numbers(raw, ("value",), errors)
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
                    errors = field_errors(error)
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
        raw = form_values(await request.form())
        values = dict(raw)
        errors: dict[str, str] = {}
        typed_numbers(raw, ("reduction_pct",), errors)
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
                    errors = field_errors(error)
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
                errors = field_errors(error)
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
        "/sustainability/imports/bills",
        opt={"permission": "sustainability.enter"},
        request_max_body_size=OCCUPANCY_LIMIT + 64 * 1024,
    )
    async def import_bills(self, request: Req, data: Multipart) -> Response[Any]:
        upload = _upload(data, "file")
        try:
            if upload is None:
                raise RuleViolation("file", _("Choose a file to upload."))
            content = await upload.read(OCCUPANCY_LIMIT + 1)
            if len(content) > OCCUPANCY_LIMIT:
                raise RuleViolation("file", _("The file is too large (at most 1 MB)."))
            saved = await actions.import_periods(
                actor=actor(request), text=content.decode("utf-8", errors="replace")
            )
        except FacilitiesError as error:
            return await self._refused(request, "bills", error)
        return redirect("/sustainability/imports", _("Imported %(n)s bills.") % {"n": len(saved)})

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

"""Pages: meters per site, a meter with "enter a reading" (works on a phone without
JavaScript), and the results of a site or the caller's scope by month."""

from __future__ import annotations

import os
from datetime import date, datetime
from pathlib import Path
from typing import Any
from urllib.parse import urlencode
from zoneinfo import ZoneInfo

from litestar import Controller, get, post
from litestar.background_tasks import BackgroundTask
from litestar.params import FromPath, FromQuery
from litestar.response import File, Response, Stream, Template

from facilities.accounts.principal import actor
from facilities.kit import clock, forms
from facilities.kit.errors import FacilitiesError, RuleViolation
from facilities.kit.i18n import _
from facilities.kit.openapi import XLSX
from facilities.kit.templating import page, redirect
from facilities.kit.web import Req, pdf_response
from facilities.sites import queries as site_queries
from facilities.sustainability import actions, anomalies, queries, report, results
from facilities.sustainability.enums import (
    CARRIER_LABELS,
    FACTOR_METHOD_LABELS,
    READING_KIND_LABELS,
    SCOPE_1,
    SCOPE_2,
    UNIT_LABELS,
    USAGE,
    Carrier,
    reporting_unit,
)
from facilities.sustainability.schemas import ReadingCreate

LABELS = {
    "carrier_labels": CARRIER_LABELS,
    "kind_labels": READING_KIND_LABELS,
    "method_labels": FACTOR_METHOD_LABELS,
    "unit_labels": UNIT_LABELS,
    "usage_carriers": USAGE,  # an asset's operating hours or counter: no bills, no figures
}


def _number(text: str) -> str:
    """Accept a number as people type it: "1234,5" and "1.234,5" (German) as well as
    "1,234.5" (English); the last separator is the decimal one."""
    text = text.replace(" ", "").replace("\u202f", "").replace("\xa0", "")
    comma, dot = text.rfind(","), text.rfind(".")
    if comma > dot:  # 1.234,5 or 1234,5
        return text.replace(".", "").replace(",", ".")
    if comma >= 0:  # 1,234.5
        return text.replace(",", "")
    return text


def _report_year(year: int | None) -> int:
    wanted = year or clock.now().year
    if not 1991 <= wanted <= 2100:
        raise RuleViolation("year", _("Choose a year between 1991 and 2100."))
    return wanted


async def _sites(request: Req) -> list[Any]:
    return (await site_queries.list_sites(actor(request), limit=500)).items


# The offline queue's service worker (static/offline.js), served here so its scope is
# /sustainability/meters/: it keeps the meter pages for a reload without signal.
OFFLINE_WORKER = Path(__file__).resolve().parents[2] / "static" / "offline-sw.js"


async def meter_page(
    request: Req,
    meter_id: int,
    errors: dict[str, str] | None = None,
    values: dict[str, Any] | None = None,
    status_code: int = 200,
) -> Template:
    me = actor(request)
    meter = await queries.get_meter(me, meter_id)
    site = await site_queries.get_site(me, meter.site_id)
    return page(
        request,
        "sustainability/meter.html",
        {
            **LABELS,
            "meter": meter,
            "site": site,
            "readings": await queries.list_readings(me, meter_id, limit=20),
            "periods": (await queries.list_periods(me, meter_id))[:12],
            "errors": errors or {},
            "values": values or {},
            "jump": bool(errors and "confirm_jump" in errors),
            "carrier": Carrier(meter.carrier),
            "can_manage": me.can("sustainability.manage"),
        },
        status_code=status_code,
    )


class SustainabilityPages(Controller):
    include_in_schema = False

    @get("/sustainability", opt={"permission": "sustainability.view"})
    async def results_page(
        self,
        request: Req,
        year: FromQuery[int | None] = None,
        site_id: FromQuery[int | None] = None,
    ) -> Template:
        me = actor(request)
        wanted = year or clock.now().year
        errors: dict[str, str] = {}
        figures = None
        try:
            figures = await results.results(me, year=wanted, site_id=site_id)
        except FacilitiesError as error:
            if error.status_code == 404:
                raise
            errors = forms.errors_of(error)
        return page(
            request,
            "sustainability/results.html",
            {
                **LABELS,
                "results": figures,
                "errors": errors,
                "year": wanted,
                "site_id": site_id,
                "sites": await _sites(request),
                "scope1": SCOPE_1,
                "scope2": SCOPE_2,
                "reporting_unit": reporting_unit,
                "factors": {f.id: f for f in await queries.list_factors()},
            },
        )

    # ---- the report and its exports -----------------------------------------------------

    @get("/sustainability/report", opt={"permission": "sustainability.view"})
    async def report_page(
        self,
        request: Req,
        year: FromQuery[int | None] = None,
        site_id: FromQuery[int | None] = None,
        region_id: FromQuery[int | None] = None,
    ) -> Template:
        me = actor(request)
        wanted = _report_year(year)
        values = await report.context(me, year=wanted, site_id=site_id, region_id=region_id)
        query = urlencode(
            {
                k: v
                for k, v in (("year", wanted), ("site_id", site_id), ("region_id", region_id))
                if v is not None
            }
        )
        return page(
            request,
            "sustainability/report.html",
            {
                **values,
                "query": query,
                "sites": await _sites(request),
                "regions": await site_queries.list_regions(me),
            },
        )

    @get("/sustainability/report.pdf", opt={"permission": "sustainability.view"})
    async def report_pdf(
        self,
        request: Req,
        year: FromQuery[int | None] = None,
        site_id: FromQuery[int | None] = None,
        region_id: FromQuery[int | None] = None,
    ) -> Response[bytes]:
        wanted = _report_year(year)
        content = await report.pdf(
            actor(request), year=wanted, site_id=site_id, region_id=region_id
        )
        return pdf_response(content, f"sustainability-{wanted}.pdf")

    @get("/sustainability/report.csv", opt={"permission": "sustainability.view"})
    async def report_csv(
        self,
        request: Req,
        year: FromQuery[int | None] = None,
        site_id: FromQuery[int | None] = None,
        region_id: FromQuery[int | None] = None,
    ) -> Stream:
        wanted = _report_year(year)
        rows = await report.export_rows(
            actor(request), year=wanted, site_id=site_id, region_id=region_id
        )
        return Stream(
            report.csv_stream(rows),
            media_type="text/csv; charset=utf-8",
            headers={
                "Content-Disposition": f'attachment; filename="sustainability-{wanted}.csv"',
                "Cache-Control": "private, no-store",
            },
        )

    @get("/sustainability/report.xlsx", opt={"permission": "sustainability.view"})
    async def report_xlsx(
        self,
        request: Req,
        year: FromQuery[int | None] = None,
        site_id: FromQuery[int | None] = None,
        region_id: FromQuery[int | None] = None,
    ) -> File:
        wanted = _report_year(year)
        rows = await report.export_rows(
            actor(request), year=wanted, site_id=site_id, region_id=region_id
        )
        path = await report.xlsx(rows)
        return File(
            path=path,
            filename=f"sustainability-{wanted}.xlsx",
            media_type=XLSX,
            headers={"Cache-Control": "private, no-store"},
            background=BackgroundTask(os.unlink, path),
        )

    # ---- anomalies ------------------------------------------------------------------------

    @get("/sustainability/anomalies", opt={"permission": "sustainability.view"})
    async def anomalies_page(self, request: Req, show: FromQuery[str | None] = None) -> Template:
        status = None if show == "all" else "open"
        found = await anomalies.list_anomalies(actor(request), status=status)
        return page(
            request,
            "sustainability/anomalies.html",
            {"anomalies": found, "kind_labels": anomalies.KIND_LABELS, "show": show or "open"},
        )

    @post(
        "/sustainability/anomalies/{anomaly_id:int}/acknowledge",
        opt={"permission": "sustainability.enter"},
    )
    async def acknowledge_anomaly(self, request: Req, anomaly_id: FromPath[int]) -> Response[Any]:
        form = await request.form()
        raw = forms.clean({k: form.get(k) for k in ("cause", "muted_until")})
        until = None
        if raw.get("muted_until"):
            try:
                until = date.fromisoformat(str(raw["muted_until"]))
            except ValueError:
                raise RuleViolation("muted_until", _("Give a date, e.g. 2026-12-31.")) from None
        await anomalies.acknowledge(
            actor=actor(request),
            anomaly_id=anomaly_id,
            cause=str(raw.get("cause") or ""),
            muted_until=until,
        )
        return redirect(
            "/sustainability/anomalies", _("Known cause saved; it will not alert again.")
        )

    @post(
        "/sustainability/anomalies/{anomaly_id:int}/work-order",
        opt={"permission": "sustainability.enter"},
    )
    async def anomaly_work_order(self, request: Req, anomaly_id: FromPath[int]) -> Response[Any]:
        created = await anomalies.open_work_order(actor=actor(request), anomaly_id=anomaly_id)
        return redirect(f"/work-orders/{created}", _("Work order created."))

    @get("/sustainability/meters", opt={"permission": "sustainability.view"})
    async def meters_page(self, request: Req, site_id: FromQuery[int | None] = None) -> Template:
        meters = await queries.list_meters(actor(request), site_id=site_id)
        return page(
            request,
            "sustainability/meters.html",
            {
                **LABELS,
                "meters": meters,
                "site_id": site_id,
                "sites": await _sites(request),
            },
        )

    @get("/sustainability/meters/offline-sw.js", opt={"permission": "sustainability.view"})
    async def offline_worker(self) -> File:
        """The offline queue's service worker for the meter pages (scope
        /sustainability/meters/; docs/architecture.md, "The offline queue")."""
        return File(
            path=OFFLINE_WORKER,
            media_type="text/javascript",
            content_disposition_type="inline",
            headers={"Cache-Control": "no-cache"},
        )

    @get("/sustainability/meters/{meter_id:int}", opt={"permission": "sustainability.view"})
    async def meter_page(self, request: Req, meter_id: FromPath[int]) -> Template:
        return await meter_page(request, meter_id)

    @post(
        "/sustainability/meters/{meter_id:int}/readings",
        opt={"permission": "sustainability.enter", "form": ReadingCreate},
    )
    async def enter_reading(self, request: Req, meter_id: FromPath[int]) -> Response[Any]:
        me = actor(request)
        meter = await queries.get_meter(me, meter_id)
        site = await site_queries.get_site(me, meter.site_id)
        form = await request.form()
        raw = forms.clean({k: form.get(k) for k in form})
        values = dict(raw)
        payload: dict[str, Any] = {
            k: raw[k] for k in ("value", "kind", "replaced_final", "note", "client_key") if k in raw
        }
        errors: dict[str, str] = {}
        for key in ("value", "replaced_final"):
            if key in payload:
                try:
                    payload[key] = float(_number(str(payload[key])))
                except ValueError:
                    errors[key] = _("Type a number, e.g. 12345,6.")
                    continue
                if payload[key] < 0:
                    errors[key] = _("A meter reading cannot be negative.")
        if payload.get("kind", "regular") not in READING_KIND_LABELS:
            errors["kind"] = _("Choose what kind of reading this is.")
        payload["confirm_jump"] = raw.get("confirm_jump") == "on"
        if "read_at" in raw:
            try:
                local = datetime.fromisoformat(str(raw["read_at"]))
                payload["read_at"] = local.replace(tzinfo=ZoneInfo(site.time_zone))
            except ValueError:
                errors["read_at"] = _("Give a date and time, e.g. 2026-03-01 08:00.")
        if "value" not in payload:
            errors["value"] = _("Type the number shown on the meter.")
        if not errors:
            data, errors = forms.convert(payload, ReadingCreate)
            if data is not None:
                try:
                    await actions.record_reading(actor=me, meter_id=meter_id, data=data)
                    return redirect(f"/sustainability/meters/{meter_id}", _("Reading saved."))
                except FacilitiesError as error:
                    if error.status_code == 404:
                        raise
                    errors = forms.errors_of(error)
        status = 409 if "confirm_jump" in errors else 422
        return await meter_page(request, meter_id, errors, values, status)

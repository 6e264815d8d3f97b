"""Pages that read across domains: the home page per role, the calendar, the audit trail."""

from __future__ import annotations

import dataclasses
from datetime import date, datetime, time, timedelta
from typing import Any

from litestar import Controller, get
from litestar.di import NamedDependency
from litestar.params import FromPath, FromQuery, Parameter
from litestar.response import Template

from facilities.accounts import audit
from facilities.accounts.principal import actor
from facilities.kit import forms, timefmt
from facilities.kit import kpi as kpi_registry
from facilities.kit.errors import FacilitiesError
from facilities.kit.i18n import _
from facilities.kit.listing import PAGE_SIZE, provide, view
from facilities.kit.pagination import Offset
from facilities.kit.templating import page
from facilities.kit.web import Req
from facilities.maintenance.lifecycle import STATUS_LABELS
from facilities.maintenance.pm import actions as pm_actions
from facilities.maintenance.workorders.schemas import PRIORITY_LABELS
from facilities.reporting import (
    benchmark,
    calendar,
    capacity,
    charts,
    dashboard,
    home,
    kpi_help,
    present,
)
from facilities.reporting.audit_labels import (
    action_label,
    action_options,
    object_type_label,
    object_type_options,
)
from facilities.reporting.queries import AuditFilters, audit_page, scope_sites
from facilities.services import queries as service_queries
from facilities.services.sla.enums import STATE_LABELS, TARGET_LABELS
from facilities.services.sla.panel import duration


class AuditPages(Controller):
    include_in_schema = False

    @get(
        "/audit",
        opt={"permission": "audit.view"},
        dependencies={"filters": provide(AuditFilters)},
    )
    async def audit(
        self,
        request: Req,
        filters: NamedDependency[AuditFilters],
        from_date: FromQuery[date | None] = None,
        to_date: FromQuery[date | None] = None,
        offset: int = Parameter(default=0, ge=0),
    ) -> Template:
        """The audit trail; the page's dates are whole days in the reader's time zone."""
        zone = timefmt.reader_zone()
        if from_date is not None:
            start = datetime.combine(from_date, time.min, tzinfo=zone)
            filters = dataclasses.replace(filters, since=start)
        if to_date is not None:
            end = datetime.combine(to_date + timedelta(days=1), time.min, tzinfo=zone)
            filters = dataclasses.replace(filters, until=end)
        events = await audit_page(
            actor(request), **filters.arguments(), limit=PAGE_SIZE, offset=offset
        )
        listing = view(filters, total=events.total, offset=offset)
        for name in ("since", "until"):
            listing.values.pop(name)
        listing.values["from_date"] = from_date.isoformat() if from_date else ""
        listing.values["to_date"] = to_date.isoformat() if to_date else ""
        return page(
            request,
            "audit.html",
            {
                "events": events,
                "listing": listing,
                "filters": listing.values,
                "action_label": action_label,
                "actor_words": audit.actor_words,
                "object_type_label": object_type_label,
                "object_types": object_type_options(),
                "actions": action_options(),
            },
        )


def _labels() -> dict[str, Any]:
    return {
        "status_labels": {k.value: _(v) for k, v in STATUS_LABELS.items()},
        "priority_labels": {k.value: _(v) for k, v in PRIORITY_LABELS.items()},
        "sla_state_labels": {k.value: _(v) for k, v in STATE_LABELS.items()},
        "sla_target_labels": {k.value: _(v) for k, v in TARGET_LABELS.items()},
        "duration": duration,
    }


class HomePages(Controller):
    include_in_schema = False

    @get("/", opt={"permission": "profile.use"})
    async def home(self, request: Req) -> Template:
        me = actor(request)
        return page(request, "home.html", {"home": await home.home(me), **_labels()})


class CalendarPages(Controller):
    include_in_schema = False

    @get("/calendar", opt={"permission": "calendar.use"})
    async def calendar_page(
        self,
        request: Req,
        view: FromQuery[str] = "month",
        day: FromQuery[date | None] = None,
        month: FromQuery[str | None] = None,
        week: FromQuery[date | None] = None,
        site_id: FromQuery[int | None] = None,
        partner_id: FromQuery[int | None] = None,
    ) -> Template:
        me = actor(request)
        anchor = day or week or _month(month)
        context = await calendar.calendar(
            me, view=view, anchor=anchor, site_id=site_id, partner_id=partner_id
        )
        context["sites"] = await service_queries.site_options(me)
        context["partners"] = (
            [] if me.partner_organisation_id else await service_queries.providers()
        )
        context["feeds"] = await pm_actions.list_feeds(me)
        return page(request, "reporting/calendar.html", context)


def _month(value: str | None) -> date | None:
    """``2027-01`` → 1 January 2027; anything else → None (this month)."""
    try:
        year, month = (int(p) for p in (value or "").split("-"))
        return date(year, month, 1)
    except ValueError:
        return None


class KpiHelpPages(Controller):
    """What each figure means and how it is computed (``/help/kpis``)."""

    include_in_schema = False

    @get("/help/kpis", opt={"permission": "profile.use"})
    async def kpis(self, request: Req) -> Template:
        return page(request, "reporting/kpis.html", {"sections": kpi_help.sections()})


def _figures() -> dict[str, Any]:
    return {
        "show": present.show,
        "parts": present.parts,
        "change": present.change,
        "sparkline": charts.sparkline,
    }


async def _dashboard_page(
    request: Req,
    *,
    start: date | None,
    end: date | None,
    region_id: int | None,
    site_id: int | None,
) -> Template:
    me = actor(request)
    board = None
    errors: dict[str, str] = {}
    try:
        board = await dashboard.dashboard(
            me, start=start, end=end, region_id=region_id, site_id=site_id
        )
    except FacilitiesError as error:
        errors = forms.errors_of(error)  # 404 (a foreign scope) propagates
    _label, sites = await scope_sites(me)
    regions = sorted({(int(str(s["region"])), str(s["region_name"])) for s in sites}, key=str)
    return page(
        request,
        "reporting/dashboard.html",
        {
            "board": board,
            "errors": errors,
            "form": {
                "start": start.isoformat() if start else (board.start.isoformat() if board else ""),
                "end": end.isoformat() if end else (board.end.isoformat() if board else ""),
                "sites": f"site:{site_id}"
                if site_id
                else (f"region:{region_id}" if region_id else ""),
            },
            "sites": sites,
            "regions": regions,
            "drillable": dashboard.DRILLABLE,
            **_figures(),
        },
        status_code=422 if errors else 200,
    )


def _scope(scope: str | None) -> tuple[int | None, int | None]:
    """``region:3`` / ``site:7`` from the form's one select (anything else: every site)."""
    kind, _sep, number = (scope or "").partition(":")
    if not number.isdigit() or len(number) > 9:
        return None, None
    return (
        (int(number), None)
        if kind == "region"
        else (None, int(number))
        if kind == "site"
        else (None, None)
    )


class ReportingPages(Controller):
    """The dashboards (all my sites, a region, a site) and the records behind a figure."""

    include_in_schema = False

    @get("/reporting", opt={"permission": "reporting.view"})
    async def dashboard_page(
        self,
        request: Req,
        start: FromQuery[date | None] = None,
        end: FromQuery[date | None] = None,
        sites: str | None = Parameter(default=None, max_length=30),
    ) -> Template:
        region_id, site_id = _scope(sites)
        return await _dashboard_page(
            request, start=start, end=end, region_id=region_id, site_id=site_id
        )

    @get("/reporting/regions/{region_id:int}", opt={"permission": "reporting.view"})
    async def region_page(
        self,
        request: Req,
        region_id: FromPath[int],
        start: FromQuery[date | None] = None,
        end: FromQuery[date | None] = None,
    ) -> Template:
        return await _dashboard_page(
            request, start=start, end=end, region_id=region_id, site_id=None
        )

    @get("/reporting/sites/{site_id:int}", opt={"permission": "reporting.view"})
    async def site_page(
        self,
        request: Req,
        site_id: FromPath[int],
        start: FromQuery[date | None] = None,
        end: FromQuery[date | None] = None,
    ) -> Template:
        return await _dashboard_page(request, start=start, end=end, region_id=None, site_id=site_id)

    @get("/reporting/records", opt={"permission": "reporting.view"})
    async def records_page(
        self,
        request: Req,
        kpi: str = Parameter(max_length=60),
        start: FromQuery[date | None] = None,
        end: FromQuery[date | None] = None,
        region_id: FromQuery[int | None] = None,
        site_id: FromQuery[int | None] = None,
        offset: Offset = 0,
    ) -> Template:
        me = actor(request)
        found = await dashboard.drill_down(
            me,
            name=kpi,
            start=start,
            end=end,
            region_id=region_id,
            site_id=site_id,
            limit=50,
            offset=offset,
        )
        unit, columns = dashboard.record_columns(kpi)
        definition = kpi_registry.get(kpi)
        query = {"kpi": kpi, "start": found.start.isoformat(), "end": found.end.isoformat()}
        if site_id is not None:
            query["site_id"] = str(site_id)
        elif region_id is not None:
            query["region_id"] = str(region_id)
        return page(
            request,
            "reporting/records.html",
            {
                "found": found,
                "title": _(definition.title),
                "unit": unit,
                "columns": [(c, _(h)) for c, h in columns],
                "query": query,
                **_figures(),
            },
        )


class BenchmarkPages(Controller):
    """Sites compared: a ranking table and chart for one figure, normalised."""

    include_in_schema = False

    @get("/reporting/benchmark", opt={"permission": "reporting.view"})
    async def benchmark_page(
        self,
        request: Req,
        kpi: str = Parameter(default="backlog", max_length=60),
        per: str = Parameter(default="none", max_length=10),
        start: FromQuery[date | None] = None,
        end: FromQuery[date | None] = None,
        sites: str | None = Parameter(default=None, max_length=30),
    ) -> Template:
        me = actor(request)
        region_id, _site_id = _scope(sites)
        found = None
        errors: dict[str, str] = {}
        try:
            found = await benchmark.benchmark(
                me, name=kpi, per=per, start=start, end=end, region_id=region_id
            )
        except FacilitiesError as error:
            errors = forms.errors_of(error)
        _label, all_sites = await scope_sites(me)
        regions = sorted(
            {(int(str(s["region"])), str(s["region_name"])) for s in all_sites}, key=str
        )
        return page(
            request,
            "reporting/benchmark.html",
            {
                "found": found,
                "chart": charts.benchmark_bars(found) if found else "",
                "errors": errors,
                "metrics": benchmark.metrics(),
                "pers": [(k, _(v)) for k, v in benchmark.PER.items()],
                "form": {
                    "kpi": kpi,
                    "per": per,
                    "start": found["start"].isoformat() if found else (start or ""),
                    "end": found["end"].isoformat() if found else (end or ""),
                    "sites": sites or "",
                },
                "regions": regions,
            },
            status_code=422 if errors else 200,
        )

    @get("/reporting/capacity", opt={"permission": "reporting.view"})
    async def capacity_page(
        self, request: Req, sites: str | None = Parameter(default=None, max_length=30)
    ) -> Template:
        me = actor(request)
        region_id, _site_id = _scope(sites)
        found = await capacity.capacity(me, region_id=region_id)
        _label, all_sites = await scope_sites(me)
        regions = sorted(
            {(int(str(s["region"])), str(s["region_name"])) for s in all_sites}, key=str
        )
        return page(
            request,
            "reporting/capacity.html",
            {"found": found, "regions": regions, "form": {"sites": sites or ""}},
        )

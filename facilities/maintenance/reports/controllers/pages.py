"""Staff pages: report a problem, the triage queue, a report with its triage actions."""

from __future__ import annotations

import dataclasses
from typing import Any

from litestar import Controller, get, post
from litestar.di import NamedDependency
from litestar.params import FromPath, FromQuery, Parameter
from litestar.response import Response, Template

from facilities.accounts.principal import actor
from facilities.kit import forms
from facilities.kit.errors import FacilitiesError, RuleViolation
from facilities.kit.i18n import _
from facilities.kit.listing import PAGE_SIZE, provide, view
from facilities.kit.templating import page, redirect
from facilities.kit.web import Form, Multipart, Req, optional_upload, stored_file_response
from facilities.maintenance.enums import ReportSource, ReportStatus
from facilities.maintenance.reports import actions, queries
from facilities.maintenance.reports.schemas import ProblemReportCreate, RejectRequest
from facilities.maintenance.reports.view import labels, time_ago
from facilities.settings import get_settings
from facilities.sites import queries as site_queries

REPORT_FIELDS = (
    "site_id",
    "asset_id",
    "category",
    "description",
    "urgency",
    "title",
)


class ReportPages(Controller):
    include_in_schema = False

    # ---- report a problem (signed in) ------------------------------------------------

    async def _report_form(
        self,
        request: Req,
        site_id: int | None,
        values: dict[str, Any],
        errors: dict[str, str],
        status: int = 200,
    ) -> Template:
        me = actor(request)
        sites = await queries.reportable_sites(me)
        if site_id is not None and not any(s["id"] == site_id for s in sites):
            site_id = None
        assets = await queries.reportable_assets(me, site_id) if site_id is not None else []
        return page(
            request,
            "maintenance/report_form.html",
            {
                "sites": sites,
                "site_id": site_id,
                "assets": assets,
                "values": values,
                "errors": errors,
                **labels(),
            },
            status_code=status,
        )

    @get("/report", opt={"permission": "reports.create"})
    async def report_form(
        self,
        request: Req,
        site_id: FromQuery[int | None] = None,
        asset_id: FromQuery[int | None] = None,
    ) -> Template:
        values: dict[str, Any] = {"category": "broken", "urgency": "normal"}
        if asset_id is not None:
            asset_site = await queries.asset_site(asset_id)
            if asset_site is not None:
                site_id = asset_site
                values["asset_id"] = asset_id
        return await self._report_form(request, site_id, values, {})

    @post(
        "/report",
        opt={"permission": "reports.create", "form": ProblemReportCreate},
        status_code=303,
    )
    async def report(self, request: Req, data: Multipart) -> Response[Any]:
        me = actor(request)
        entered = {k: v for k, v in data.items() if k in REPORT_FIELDS and isinstance(v, str)}
        values = forms.clean(entered, keep_empty=frozenset({"description"}))
        values.setdefault("description", "")
        report, errors = forms.convert(values, ProblemReportCreate)
        status = 422
        if report is not None:
            try:
                created = await actions.create_report(
                    actor=me,
                    data=report,
                    source=ReportSource.web,
                    photo=await optional_upload(data.get("photo")),
                )
                link = f"{get_settings().base_url}/r/{created.token}"
                target = (
                    f"/problem-reports/{created.report.id}" if me.can("reports.view") else "/report"
                )
                return redirect(
                    target,
                    _("Report sent. Its status link for the reporter: %(link)s") % {"link": link},
                )
            except FacilitiesError as error:
                errors = forms.errors_of(error)
                status = error.status_code
        site_id = report.site_id if report is not None else None
        if site_id is None and str(values.get("site_id", "")).isdigit():
            site_id = int(values["site_id"])
        return await self._report_form(request, site_id, values, errors, status)

    # ---- triage queue --------------------------------------------------------------

    @get(
        "/triage",
        opt={"permission": "reports.triage"},
        dependencies={"filters": provide(queries.ReportFilters)},
    )
    async def triage(
        self,
        request: Req,
        filters: NamedDependency[queries.ReportFilters],
        offset: int = Parameter(default=0, ge=0),
    ) -> Template:
        """The problem-report list. A first visit (no query at all) is the triage queue:
        new reports, oldest first. The filter form always sends its sort, so "any status"
        stays any status."""
        me = actor(request)
        if not request.query_params:  # a first visit: the queue
            filters = dataclasses.replace(filters, status=ReportStatus.new)
        result = await queries.list_reports(
            me, **filters.arguments(), limit=PAGE_SIZE, offset=offset
        )
        listing = view(filters, total=result.total, offset=offset)
        return page(
            request,
            "maintenance/triage.html",
            {
                "page": result,
                "listing": listing,
                "filters": listing.values,
                "sites": await queries.reportable_sites(me),
                "ago": time_ago,
                **labels(),
            },
        )

    # ---- one report ----------------------------------------------------------------

    async def _detail(
        self, request: Req, report_id: int, errors: dict[str, str], status: int = 200
    ) -> Template:
        me = actor(request)
        report = await queries.get_report(me, report_id)
        merged_into = (
            await queries.get_report(me, report.merged_into_id) if report.merged_into_id else None
        )
        return page(
            request,
            "maintenance/report_detail.html",
            {
                "report": report,
                "site_tz": (await site_queries.time_zones([report.site_id])).get(report.site_id),
                "merged_into": merged_into,
                "votes": await queries.list_votes(me, report_id),
                "candidates": (
                    await queries.merge_candidates(report)
                    if report.status is ReportStatus.new and me.can("reports.triage")
                    else []
                ),
                "errors": errors,
                "ago": time_ago,
                **labels(),
            },
            status_code=status,
        )

    @get("/problem-reports/{report_id:int}", opt={"permission": "reports.view"})
    async def detail(self, request: Req, report_id: FromPath[int]) -> Template:
        return await self._detail(request, report_id, {})

    @get(
        "/problem-reports/{report_id:int}/photos/{photo_id:int}", opt={"permission": "reports.view"}
    )
    async def photo(
        self, request: Req, report_id: FromPath[int], photo_id: FromPath[int]
    ) -> Response[Any]:
        key, content_type = await queries.report_photo(actor(request), report_id, photo_id)
        return await stored_file_response(key, content_type, cache="private, max-age=3600")

    async def _after_triage(self, data: dict[str, Any], message: str) -> Response[Any]:
        back = str(data.get("next") or "")
        target = back if back.startswith("/triage") else "/triage"
        return redirect(target, message)

    @post("/problem-reports/{report_id:int}/accept", opt={"permission": "reports.triage"})
    async def accept(self, request: Req, report_id: FromPath[int], data: Form) -> Response[Any]:
        try:
            report = await actions.accept_report(actor=actor(request), report_id=report_id)
        except FacilitiesError as error:
            if error.status_code == 404:
                raise
            return await self._detail(request, report_id, forms.errors_of(error), 409)
        return await self._after_triage(data, _("Accepted: %(title)s") % {"title": report.title})

    @post("/problem-reports/{report_id:int}/merge", opt={"permission": "reports.triage"})
    async def merge(self, request: Req, report_id: FromPath[int], data: Form) -> Response[Any]:
        into = str(data.get("into_id") or "").strip()
        try:
            if not into.isdigit():
                raise RuleViolation("into_id", _("Choose the report this one duplicates."))
            report = await actions.merge_report(
                actor=actor(request), report_id=report_id, into_id=int(into)
            )
        except FacilitiesError as error:
            if error.status_code == 404:
                raise
            return await self._detail(request, report_id, forms.errors_of(error), error.status_code)
        return await self._after_triage(
            data, _("Merged as a duplicate: %(title)s") % {"title": report.title}
        )

    @post(
        "/problem-reports/{report_id:int}/reject",
        opt={"permission": "reports.triage", "form": RejectRequest},
    )
    async def reject(self, request: Req, report_id: FromPath[int], data: Form) -> Response[Any]:
        try:
            report = await actions.reject_report(
                actor=actor(request), report_id=report_id, reason=str(data.get("reason") or "")
            )
        except FacilitiesError as error:
            if error.status_code == 404:
                raise
            return await self._detail(request, report_id, forms.errors_of(error), error.status_code)
        return await self._after_triage(data, _("Rejected: %(title)s") % {"title": report.title})

"""Pages: the safety report (filters, sections with their SVG charts, PDF download, share
links) and the shared read-only report behind a secret link (no sign-in)."""

from __future__ import annotations

from datetime import date
from typing import Any
from urllib.parse import urlencode

from litestar import Controller, get, post
from litestar.params import FromPath, FromQuery
from litestar.response import Response, Template

from facilities.accounts.principal import actor
from facilities.kit import forms
from facilities.kit.errors import FacilitiesError
from facilities.kit.i18n import _
from facilities.kit.templating import page, redirect
from facilities.kit.web import Form, Req, pdf_response
from facilities.safety.report import links, queries, render
from facilities.safety.report.schemas import LinkCreate
from facilities.safety.report.sections import sections_of
from facilities.sites import queries as site_queries

PRIVATE = {"Cache-Control": "private, no-store", "Referrer-Policy": "no-referrer"}


class SafetyReportPages(Controller):
    include_in_schema = False

    async def _page(
        self,
        request: Req,
        site_id: int | None,
        region_id: int | None,
        period_from: date | None,
        period_to: date | None,
        *,
        new_url: str | None = None,
        errors: dict[str, str] | None = None,
        status_code: int = 200,
    ) -> Template:
        me = actor(request)
        start, end = queries.default_period()
        period_from, period_to = period_from or start, period_to or end
        errors = dict(errors or {})
        report = None
        try:
            report = await queries.build_report(
                me,
                period_from=period_from,
                period_to=period_to,
                site_id=site_id,
                region_id=region_id,
            )
        except FacilitiesError as error:
            errors.update(forms.errors_of(error))
            status_code = error.status_code
        params = {
            k: v
            for k, v in {
                "site_id": site_id,
                "region_id": region_id,
                "period_from": period_from.isoformat(),
                "period_to": period_to.isoformat(),
            }.items()
            if v is not None
        }
        return page(
            request,
            "safety/report.html",
            {
                "report": report,
                "sections": sections_of(report) if report else [],
                "errors": errors,
                "site_id": site_id,
                "region_id": region_id,
                "period_from": period_from.isoformat(),
                "period_to": period_to.isoformat(),
                "query": urlencode(params),
                "sites": (await site_queries.list_sites(me, limit=500)).items,
                "regions": await site_queries.list_regions(me),
                "links": await links.list_links(me),
                "new_url": new_url,
            },
            status_code=status_code,
        )

    @get("/safety/report", opt={"permission": "safety_reports.view"})
    async def report_page(
        self,
        request: Req,
        site_id: FromQuery[int | None] = None,
        region_id: FromQuery[int | None] = None,
        period_from: FromQuery[date | None] = None,
        period_to: FromQuery[date | None] = None,
    ) -> Template:
        return await self._page(request, site_id, region_id, period_from, period_to)

    @get("/safety/report/pdf", opt={"permission": "safety_reports.view"})
    async def report_pdf(
        self,
        request: Req,
        site_id: FromQuery[int | None] = None,
        region_id: FromQuery[int | None] = None,
        period_from: FromQuery[date | None] = None,
        period_to: FromQuery[date | None] = None,
    ) -> Response[bytes]:
        start, end = queries.default_period()
        report = await queries.build_report(
            actor(request),
            period_from=period_from or start,
            period_to=period_to or end,
            site_id=site_id,
            region_id=region_id,
        )
        return pdf_response(await render.render_pdf(report), "safety-report.pdf")

    @post("/safety/report/links", opt={"permission": "safety_reports.view"}, status_code=200)
    async def create_link(self, request: Req, data: Form) -> Template:
        values = forms.clean(dict(data))
        link, errors = forms.convert(values, LinkCreate)
        site_id = _int(values.get("site_id"))
        region_id = _int(values.get("region_id"))
        start = _day(values.get("period_from"))
        end = _day(values.get("period_to"))
        if link is not None:
            try:
                created = await links.create_link(actor=actor(request), data=link)
                return await self._page(
                    request, site_id, region_id, start, end, new_url=created.url
                )
            except FacilitiesError as error:
                errors = forms.errors_of(error)
        return await self._page(
            request, site_id, region_id, start, end, errors=errors, status_code=422
        )

    @post(
        "/safety/report/links/{link_id:int}/revoke",
        opt={"permission": "safety_reports.view"},
        status_code=303,
    )
    async def revoke_link(self, request: Req, link_id: FromPath[int]) -> Response[Any]:
        await links.revoke_link(actor=actor(request), link_id=link_id)
        return redirect("/safety/report", _("The link is revoked: it shows nothing any more."))

    @get("/safety/shared/{token:str}", opt={"public": True})
    async def shared(self, request: Req, token: FromPath[str]) -> Template:
        """The shared report: read-only, nothing but what the report shows."""
        try:
            shared = await links.report_for_token(token)
        except links.LinkGone as gone:
            response = page(
                request, "safety/report/gone.html", {"message": gone.message}, status_code=410
            )
            response.headers.update(PRIVATE)
            return response
        response = page(
            request,
            "safety/report/shared.html",
            {
                "report": shared.report,
                "link": shared.link,
                "sections": sections_of(shared.report),
            },
        )
        response.headers.update({**PRIVATE, "X-Robots-Tag": "noindex"})
        return response


def _int(value: Any) -> int | None:
    try:
        return int(value) if value not in (None, "") else None
    except (TypeError, ValueError):
        return None


def _day(value: Any) -> date | None:
    try:
        return date.fromisoformat(str(value)) if value else None
    except ValueError:
        return None

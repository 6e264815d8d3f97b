"""``/api/v1/safety/report``: the safety report's figures (JSON and PDF) and its share
links. A site or region outside the caller's scope answers 404."""

from __future__ import annotations

from datetime import date

from litestar import Controller, get, post
from litestar.params import FromPath, FromQuery, JSONBody
from litestar.response import Response

from facilities.accounts.principal import actor
from facilities.kit.openapi import PDF
from facilities.kit.web import Req, pdf_response
from facilities.safety.report import links, queries, render
from facilities.safety.report.schemas import LinkCreate, LinkRead, ReportRead


class SafetyReportApi(Controller):
    path = "/api/v1/safety/report"
    tags = ["safety"]

    async def _report(
        self,
        request: Req,
        site_id: int | None,
        region_id: int | None,
        period_from: date | None,
        period_to: date | None,
    ) -> ReportRead:
        start, end = queries.default_period()
        return await queries.build_report(
            actor(request),
            period_from=period_from or start,
            period_to=period_to or end,
            site_id=site_id,
            region_id=region_id,
        )

    @get("", opt={"permission": "safety_reports.view"})
    async def get_report(
        self,
        request: Req,
        site_id: FromQuery[int | None] = None,
        region_id: FromQuery[int | None] = None,
        period_from: FromQuery[date | None] = None,
        period_to: FromQuery[date | None] = None,
    ) -> ReportRead:
        """One site, one region or every site the caller sees; the period defaults to the
        last twelve months (formulas: docs/kpis.md, "Safety")."""
        return await self._report(request, site_id, region_id, period_from, period_to)

    @get("/pdf", opt={"permission": "safety_reports.view"}, media_type=PDF)
    async def get_pdf(
        self,
        request: Req,
        site_id: FromQuery[int | None] = None,
        region_id: FromQuery[int | None] = None,
        period_from: FromQuery[date | None] = None,
        period_to: FromQuery[date | None] = None,
    ) -> Response[bytes]:
        report = await self._report(request, site_id, region_id, period_from, period_to)
        return pdf_response(await render.render_pdf(report), "safety-report.pdf")

    @get("/links", opt={"permission": "safety_reports.view"})
    async def list_links(self, request: Req) -> list[LinkRead]:
        """The caller's share links (admins: everyone's)."""
        return await links.list_links(actor(request))

    @post("/links", opt={"permission": "safety_reports.view"})
    async def create_link(self, request: Req, data: JSONBody[LinkCreate]) -> Response[LinkRead]:
        """A read-only link without sign-in (``url``, shown once), expiring after ``days``."""
        created = await links.create_link(actor=actor(request), data=data)
        return Response(content=created, status_code=201)

    @post("/links/{link_id:int}/revoke", opt={"permission": "safety_reports.view"})
    async def revoke_link(self, request: Req, link_id: FromPath[int]) -> LinkRead:
        return await links.revoke_link(actor=actor(request), link_id=link_id)

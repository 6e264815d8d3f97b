"""``/api/v1/problem-reports``: report, "same problem", triage - scoped like the pages."""

from __future__ import annotations

from litestar import Controller, get, post
from litestar.di import NamedDependency
from litestar.params import FromPath, JSONBody
from litestar.response import Response

from facilities.accounts.principal import actor
from facilities.kit.errors import RuleViolation
from facilities.kit.i18n import _
from facilities.kit.listing import provide
from facilities.kit.openapi import IMAGE
from facilities.kit.pagination import Limit, Offset
from facilities.kit.schema import Page
from facilities.kit.web import Multipart, Req, optional_upload, stored_file_response
from facilities.maintenance.enums import ReportSource
from facilities.maintenance.reports import actions, queries
from facilities.maintenance.reports.schemas import (
    MergeRequest,
    ProblemReportCreate,
    ProblemReportCreated,
    ProblemReportRead,
    RejectRequest,
    VoteCreate,
    VoteRead,
)
from facilities.settings import get_settings


class ProblemReportsApi(Controller):
    path = "/api/v1/problem-reports"
    tags = ["problem reports"]

    @get(
        "/",
        opt={"permission": "reports.view"},
        dependencies={"filters": provide(queries.ReportFilters)},
    )
    async def list_reports(
        self,
        request: Req,
        filters: NamedDependency[queries.ReportFilters],
        limit: Limit = 50,
        offset: Offset = 0,
    ) -> Page[ProblemReportRead]:
        """Reports of the caller's sites; ``status=new`` is the triage queue. Filters
        combine; ``q`` searches the title, the description and the number ("#12");
        ``sort``: newest, oldest, urgency (the queue's default: oldest first)."""
        return await queries.list_reports(
            actor(request), **filters.arguments(), limit=limit, offset=offset
        )

    @post("/", opt={"permission": "reports.create"})
    async def create_report(
        self, request: Req, data: JSONBody[ProblemReportCreate]
    ) -> ProblemReportCreated:
        """A new report; the answer holds the reporter's private status link (shown once)."""
        created = await actions.create_report(
            actor=actor(request), data=data, source=ReportSource.api
        )
        return ProblemReportCreated(
            report=created.report, status_url=f"{get_settings().base_url}/r/{created.token}"
        )

    @get("/{report_id:int}", opt={"permission": "reports.view"})
    async def get_report(self, request: Req, report_id: FromPath[int]) -> ProblemReportRead:
        return await queries.get_report(actor(request), report_id)

    @post("/{report_id:int}/photos", opt={"permission": "reports.create"})
    async def add_photo(
        self, request: Req, report_id: FromPath[int], data: Multipart
    ) -> ProblemReportRead:
        """Attach a photo (multipart field ``photo``; JPEG, PNG or WebP; re-encoded)."""
        content = await optional_upload(data.get("photo"))
        if content is None:
            raise RuleViolation("photo", _("Send a photo in the multipart field “photo”."))
        return await actions.add_photo(actor=actor(request), report_id=report_id, photo=content)

    @get(
        "/{report_id:int}/photos/{photo_id:int}",
        opt={"permission": "reports.view"},
        media_type=IMAGE,
    )
    async def get_photo(
        self, request: Req, report_id: FromPath[int], photo_id: FromPath[int]
    ) -> Response[bytes]:
        key, content_type = await queries.report_photo(actor(request), report_id, photo_id)
        return await stored_file_response(key, content_type, cache=None)

    @get("/{report_id:int}/votes", opt={"permission": "reports.view"})
    async def list_votes(self, request: Req, report_id: FromPath[int]) -> list[VoteRead]:
        return await queries.list_votes(actor(request), report_id)

    @post("/{report_id:int}/votes", opt={"permission": "reports.create"})
    async def add_vote(
        self, request: Req, report_id: FromPath[int], data: JSONBody[VoteCreate]
    ) -> VoteRead:
        """ "Same problem": +1 with an optional comment, instead of a duplicate report."""
        return await actions.add_vote(actor=actor(request), report_id=report_id, data=data)

    @post("/{report_id:int}/accept", opt={"permission": "reports.triage"}, status_code=200)
    async def accept(self, request: Req, report_id: FromPath[int]) -> ProblemReportRead:
        return await actions.accept_report(actor=actor(request), report_id=report_id)

    @post("/{report_id:int}/merge", opt={"permission": "reports.triage"}, status_code=200)
    async def merge(
        self, request: Req, report_id: FromPath[int], data: JSONBody[MergeRequest]
    ) -> ProblemReportRead:
        return await actions.merge_report(
            actor=actor(request), report_id=report_id, into_id=data.into_id
        )

    @post("/{report_id:int}/reject", opt={"permission": "reports.triage"}, status_code=200)
    async def reject(
        self, request: Req, report_id: FromPath[int], data: JSONBody[RejectRequest]
    ) -> ProblemReportRead:
        return await actions.reject_report(
            actor=actor(request), report_id=report_id, reason=data.reason
        )

"""``/api/v1/pm``: schedules (with preview), meter readings, compliance, calendar feeds;
and the public ``/calendar/{token}.ics`` feed (the token is the access)."""

from __future__ import annotations

from datetime import date, timedelta

from litestar import Controller, get, patch, post
from litestar.di import NamedDependency
from litestar.params import FromPath, FromQuery, JSONBody
from litestar.response import Response

from facilities.accounts.principal import actor
from facilities.kit import clock
from facilities.kit.errors import NotFound
from facilities.kit.listing import provide
from facilities.kit.pagination import Limit, Offset
from facilities.kit.schema import Page
from facilities.kit.web import Req, conditional_response
from facilities.maintenance.pm import actions, compliance, ical, queries
from facilities.maintenance.pm.schemas import (
    ComplianceRead,
    FeedCreate,
    FeedRead,
    PreviewRead,
    PreviewRequest,
    ScheduleCreate,
    ScheduleRead,
    ScheduleUpdate,
)


class PMApi(Controller):
    path = "/api/v1"
    tags = ["preventive maintenance"]

    @get(
        "/pm/schedules",
        opt={"permission": "schedules.view"},
        dependencies={"filters": provide(queries.ScheduleFilters)},
    )
    async def list_schedules(
        self,
        request: Req,
        filters: NamedDependency[queries.ScheduleFilters],
        limit: Limit = 50,
        offset: Offset = 0,
    ) -> Page[ScheduleRead]:
        """Schedules covering one of the caller's sites. Filters combine; ``q`` searches
        the name and description; ``sort``: name, newest, updated."""
        return await queries.list_schedules(
            actor(request), **filters.arguments(), limit=limit, offset=offset
        )

    @post("/pm/schedules", opt={"permission": "schedules.manage"})
    async def create_schedule(self, request: Req, data: JSONBody[ScheduleCreate]) -> ScheduleRead:
        return await actions.create_schedule(actor=actor(request), data=data)

    @post("/pm/schedules/preview", opt={"permission": "schedules.view"}, status_code=200)
    async def preview(self, request: Req, data: JSONBody[PreviewRequest]) -> PreviewRead:
        return await queries.preview(actor(request), data)

    @get("/pm/schedules/{schedule_id:int}", opt={"permission": "schedules.view"})
    async def get_schedule(self, request: Req, schedule_id: FromPath[int]) -> ScheduleRead:
        return await queries.get_schedule(actor(request), schedule_id)

    @patch("/pm/schedules/{schedule_id:int}", opt={"permission": "schedules.manage"})
    async def update_schedule(
        self, request: Req, schedule_id: FromPath[int], data: JSONBody[ScheduleUpdate]
    ) -> ScheduleRead:
        return await actions.update_schedule(
            actor=actor(request), schedule_id=schedule_id, data=data
        )

    @get("/pm/compliance", opt={"permission": "schedules.view"})
    async def compliance(
        self,
        request: Req,
        start: FromQuery[date | None] = None,
        end: FromQuery[date | None] = None,
        group_by: FromQuery[str] = "site",
    ) -> ComplianceRead:
        today = clock.now().date()
        return await compliance.compute(
            actor(request),
            start=start or today - timedelta(days=90),
            end=end or today + timedelta(days=1),
            group_by=group_by,
        )

    @get("/calendar-feeds", opt={"permission": "calendar.use"})
    async def list_feeds(
        self, request: Req, created_by: FromQuery[int | None] = None
    ) -> list[FeedRead]:
        """Your feeds; an admin sees every user's (``created_by`` narrows to one user)."""
        return await actions.list_feeds(actor(request), created_by=created_by)

    @post("/calendar-feeds", opt={"permission": "calendar.use"})
    async def create_feed(self, request: Req, data: JSONBody[FeedCreate]) -> FeedRead:
        return await actions.create_feed(actor=actor(request), data=data)

    @post(
        "/calendar-feeds/{feed_id:int}/revoke", opt={"permission": "calendar.use"}, status_code=200
    )
    async def revoke_feed(self, request: Req, feed_id: FromPath[int]) -> FeedRead:
        return await actions.revoke_feed(actor=actor(request), feed_id=feed_id)


class CalendarFeedPublic(Controller):
    include_in_schema = False

    @get("/calendar/{token:str}", opt={"public": True})
    async def feed(self, request: Req, token: FromPath[str]) -> Response[bytes]:
        """The feed (cached while unchanged); ``304`` for a client that has it already."""
        if not token.endswith(".ics"):
            raise NotFound()
        found = await ical.feed(token.removesuffix(".ics"))
        return conditional_response(
            request,
            found.body,
            "text/calendar; charset=utf-8",
            etag=found.etag,
            last_modified=found.last_modified,
        )

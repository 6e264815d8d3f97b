"""``/api/v1``: device event ingestion (public, authenticated by the source's secret or an
HMAC signature), monitoring settings, status boards, event logs and sources."""

from __future__ import annotations

from datetime import date

from litestar import Controller, get, post, put
from litestar.params import FromPath, FromQuery, JSONBody
from litestar.response import Response

from facilities.accounts.principal import actor
from facilities.assets.monitoring import actions, availability, queries
from facilities.assets.monitoring.schemas import (
    EventRead,
    IngestAnswer,
    MonitorRead,
    MonitorSettings,
    OutageRead,
    SourceCreate,
    SourceRead,
    SourceSecret,
)
from facilities.kit import clock
from facilities.kit.errors import NotFound
from facilities.kit.web import Req


class MonitoringApi(Controller):
    path = "/api/v1"
    tags = ["monitoring"]

    @post(
        "/device-events/{source_id:int}", opt={"public": True, "own_secret": True}, status_code=200
    )
    async def receive(self, request: Req, source_id: FromPath[int]) -> IngestAnswer:
        """Events from a source, in its kind's shape (``docs/device-events.md``): generic
        JSON with ``Authorization: Bearer <secret>`` or ``X-Facilities-Timestamp`` +
        ``X-Facilities-Signature``, or a Cisco Meraki alert with its ``sharedSecret``."""
        body = await request.body()
        return await actions.ingest(source_id=source_id, headers=dict(request.headers), body=body)

    @get("/sites/{site_id:int}/devices", opt={"permission": "monitoring.view"})
    async def site_devices(self, request: Req, site_id: FromPath[int]) -> list[MonitorRead]:
        return await queries.site_monitors(actor(request), site_id)

    @get("/assets/{asset_id:int}/monitoring", opt={"permission": "monitoring.view"})
    async def get_monitor(self, request: Req, asset_id: FromPath[int]) -> MonitorRead:
        found = await queries.monitor_for_asset(actor(request), asset_id)
        if found is None:
            raise NotFound()
        return found

    @put("/assets/{asset_id:int}/monitoring", opt={"permission": "monitoring.manage"})
    async def set_monitor(
        self, request: Req, asset_id: FromPath[int], data: JSONBody[MonitorSettings]
    ) -> MonitorRead:
        return await actions.set_monitor(actor=actor(request), asset_id=asset_id, data=data)

    @get("/assets/{asset_id:int}/device-events", opt={"permission": "monitoring.view"})
    async def device_events(self, request: Req, asset_id: FromPath[int]) -> list[EventRead]:
        return await queries.device_events(actor(request), asset_id)

    @get("/assets/{asset_id:int}/outages", opt={"permission": "monitoring.view"})
    async def outages(
        self, request: Req, asset_id: FromPath[int], month: FromQuery[date | None] = None
    ) -> list[OutageRead]:
        """The device's outages in the month of ``month`` (default: this month), oldest
        first; an outage still going on has ``ended_at`` null."""
        found = await availability.device_month(
            actor(request), asset_id, (month or clock.now().date()).replace(day=1)
        )
        return [
            OutageRead(
                started_at=o.started_at,
                ended_at=o.ended_at,
                ongoing=o.ongoing,
                seconds=int(o.seconds),
            )
            for o in (found.outage_list if found else [])
        ]

    @get("/device-sources", opt={"permission": "monitoring.manage"})
    async def list_sources(self, request: Req) -> list[SourceRead]:
        return await queries.list_sources(actor(request))

    @post("/device-sources", opt={"permission": "monitoring.manage"})
    async def create_source(
        self, request: Req, data: JSONBody[SourceCreate]
    ) -> Response[SourceSecret]:
        made = await actions.create_source(actor=actor(request), data=data)
        return Response(made, status_code=201)

    @post(
        "/device-sources/{source_id:int}/rotate",
        opt={"permission": "monitoring.manage"},
        status_code=200,
    )
    async def rotate_source(self, request: Req, source_id: FromPath[int]) -> SourceSecret:
        return await actions.rotate_source(actor=actor(request), source_id=source_id)

    @get("/device-sources/{source_id:int}/deliveries", opt={"permission": "monitoring.manage"})
    async def deliveries(self, request: Req, source_id: FromPath[int]) -> list[EventRead]:
        return await queries.source_events(actor(request), source_id)

"""Pages of device monitoring: the status board per site (up, down since, last heartbeat,
this month's availability), one device's settings and event log, and the event sources
with their secrets (shown once, rotatable) and delivery log."""

from __future__ import annotations

from typing import Any

from litestar import Controller, get, post
from litestar.params import FromPath, FromQuery
from litestar.response import Response, Template

from facilities.accounts.principal import actor
from facilities.assets import queries as asset_queries
from facilities.assets.monitoring import actions, availability, queries
from facilities.assets.monitoring.enums import (
    DEVICE_STATE_LABELS,
    EVENT_KIND_LABELS,
    OUTCOME_LABELS,
    RECOVERY_LABELS,
    SOURCE_KIND_LABELS,
)
from facilities.assets.monitoring.schemas import MonitorSettings, SourceCreate
from facilities.kit import clock, forms
from facilities.kit.errors import FacilitiesError
from facilities.kit.i18n import _
from facilities.kit.templating import page, redirect
from facilities.kit.timefmt import duration
from facilities.kit.web import Req
from facilities.sites import queries as site_queries

LABELS = {
    "state_labels": DEVICE_STATE_LABELS,
    "kind_labels": EVENT_KIND_LABELS,
    "outcome_labels": OUTCOME_LABELS,
    "recovery_labels": RECOVERY_LABELS,
    "source_kind_labels": SOURCE_KIND_LABELS,
}


async def _sites(request: Req) -> list[Any]:
    return (await site_queries.list_sites(actor(request), limit=500)).items


async def _default_site(sites: list[Any]) -> int | None:
    """Without a chosen site: the first with a device down, else the first with monitored
    devices, else the first (the alphabetically first site often had no device at all)."""
    if not sites:
        return None
    monitored = await queries.monitored_sites()
    for wanted in (lambda i: monitored.get(i, 0) > 0, lambda i: i in monitored):
        for s in sites:
            if wanted(s.id):
                return int(s.id)
    return int(sites[0].id)


class MonitoringPages(Controller):
    include_in_schema = False

    @get("/monitoring", opt={"permission": "monitoring.view"})
    async def board(self, request: Req, site_id: FromQuery[int | None] = None) -> Template:
        me = actor(request)
        sites = await _sites(request)
        chosen = site_id or await _default_site(sites)
        site = await site_queries.get_site(me, chosen) if chosen else None
        devices = await queries.site_monitors(me, chosen) if chosen else []
        month = clock.now().date().replace(day=1)
        figures = await availability.month(me, month, chosen) if chosen else []
        return page(
            request,
            "monitoring/board.html",
            {
                **LABELS,
                "sites": sites,
                "site": site,
                "devices": devices,
                "figures": figures[0] if figures else None,
                "device_figures": {d.asset_id: d for f in figures for d in f.devices},
                "month": month,
                "duration": duration,
            },
        )

    async def _device_page(
        self,
        request: Req,
        asset_id: int,
        errors: dict[str, str] | None = None,
        values: dict[str, Any] | None = None,
        status_code: int = 200,
    ) -> Template:
        me = actor(request)
        asset = await asset_queries.visible_asset(me, asset_id)
        site = await site_queries.get_site(me, asset.site_id)
        monitor = await queries.monitor_for_asset(me, asset_id)
        figure = (
            await availability.device_month(me, asset_id, clock.now().date().replace(day=1))
            if monitor
            else None
        )
        sources = (
            [s for s in await queries.list_sources(me) if s.site_id in (None, asset.site_id)]
            if me.can("monitoring.manage")
            else []
        )
        return page(
            request,
            "monitoring/device.html",
            {
                **LABELS,
                "asset": asset,
                "site": site,
                "monitor": monitor,
                "figure": figure,
                "duration": duration,
                "events": await queries.device_events(me, asset_id, limit=50),
                "sources": sources,
                "errors": errors or {},
                "values": values or {},
            },
            status_code=status_code,
        )

    @get("/monitoring/devices/{asset_id:int}", opt={"permission": "monitoring.view"})
    async def device(self, request: Req, asset_id: FromPath[int]) -> Template:
        return await self._device_page(request, asset_id)

    @post("/monitoring/devices/{asset_id:int}", opt={"permission": "monitoring.manage"})
    async def save_device(self, request: Req, asset_id: FromPath[int]) -> Response[Any]:
        me = actor(request)
        form = await request.form()
        raw = forms.clean({k: form.get(k) for k in form})
        payload: dict[str, Any] = {
            "external_id": raw.get("external_id", ""),
            "enabled": raw.get("enabled") == "on",
            "on_recovery": raw.get("on_recovery", "complete"),
            "source_id": int(raw["source_id"]) if str(raw.get("source_id", "")).isdigit() else None,
        }
        errors: dict[str, str] = {}
        for key in ("threshold_seconds", "down_after_minutes", "up_after_minutes"):
            if key in raw:
                try:
                    payload[key] = int(str(raw[key]))
                except ValueError:
                    errors[key] = _("Type a whole number.")
        if not errors:
            data, errors = forms.convert(payload, MonitorSettings)
            if data is not None:
                try:
                    await actions.set_monitor(actor=me, asset_id=asset_id, data=data)
                    return redirect(f"/monitoring/devices/{asset_id}", _("Monitoring saved."))
                except FacilitiesError as error:
                    if error.status_code == 404:
                        raise
                    errors = forms.errors_of(error)
        return await self._device_page(request, asset_id, errors, raw, 422)

    async def _sources_page(
        self,
        request: Req,
        *,
        secret: str | None = None,
        secret_for: int | None = None,
        errors: dict[str, str] | None = None,
        values: dict[str, Any] | None = None,
        status_code: int = 200,
    ) -> Template:
        me = actor(request)
        return page(
            request,
            "monitoring/sources.html",
            {
                **LABELS,
                "sources": await queries.list_sources(me),
                "sites": {s.id: s for s in await _sites(request)},
                "secret": secret,
                "secret_for": secret_for,
                "base_url": str(request.base_url).rstrip("/"),
                "errors": errors or {},
                "values": values or {},
            },
            status_code=status_code,
        )

    @get("/monitoring/sources", opt={"permission": "monitoring.manage"})
    async def sources(self, request: Req) -> Template:
        return await self._sources_page(request)

    @post("/monitoring/sources", opt={"permission": "monitoring.manage"}, status_code=200)
    async def create_source(self, request: Req) -> Template:
        me = actor(request)
        form = await request.form()
        raw = forms.clean({k: form.get(k) for k in form})
        payload: dict[str, Any] = {
            "name": raw.get("name", ""),
            "kind": raw.get("kind", "generic"),
            "site_id": int(raw["site_id"]) if str(raw.get("site_id", "")).isdigit() else None,
        }
        data, errors = forms.convert(payload, SourceCreate)
        if data is not None:
            try:
                made = await actions.create_source(actor=me, data=data)
                return await self._sources_page(
                    request, secret=made.secret, secret_for=made.source.id
                )
            except FacilitiesError as error:
                if error.status_code == 404:
                    raise
                errors = forms.errors_of(error)
        return await self._sources_page(request, errors=errors, values=raw, status_code=422)

    @post(
        "/monitoring/sources/{source_id:int}/rotate",
        opt={"permission": "monitoring.manage"},
        status_code=200,
    )
    async def rotate(self, request: Req, source_id: FromPath[int]) -> Template:
        made = await actions.rotate_source(actor=actor(request), source_id=source_id)
        return await self._sources_page(request, secret=made.secret, secret_for=source_id)

    @get("/monitoring/sources/{source_id:int}", opt={"permission": "monitoring.manage"})
    async def deliveries(self, request: Req, source_id: FromPath[int]) -> Template:
        me = actor(request)
        return page(
            request,
            "monitoring/deliveries.html",
            {
                **LABELS,
                "source": await queries.visible_source(me, source_id),
                "events": await queries.source_events(me, source_id),
            },
        )

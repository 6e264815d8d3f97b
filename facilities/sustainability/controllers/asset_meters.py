"""An asset's operating-hours or counter meter at the asset's own addresses (the URLs
meter-based maintenance has always used): ``/api/v1/assets/{id}/meter-readings`` and the
page ``/assets/{id}/meter-readings``. The meter is one of the one meter model's; readings go
through ``actions.record_asset_reading`` → ``actions.record_reading``."""

from __future__ import annotations

from typing import Any

from litestar import Controller, get, post
from litestar.params import FromPath, JSONBody
from litestar.response import Response, Template

from facilities.accounts.principal import actor
from facilities.kit import forms
from facilities.kit.errors import FacilitiesError
from facilities.kit.i18n import _
from facilities.kit.templating import page, redirect
from facilities.kit.web import Req
from facilities.sustainability import actions, asset_meters
from facilities.sustainability.controllers.pages import LABELS, _number
from facilities.sustainability.schemas import AssetReadingCreate, AssetReadingRead


class AssetMeterApi(Controller):
    path = "/api/v1"
    tags = ["meters"]

    @get("/assets/{asset_id:int}/meter-readings", opt={"permission": "assets.view"})
    async def list_readings(self, request: Req, asset_id: FromPath[int]) -> list[AssetReadingRead]:
        """The readings of the asset's operating-hours or counter meter, newest first."""
        return await asset_meters.list_asset_readings(actor(request), asset_id)

    @post("/assets/{asset_id:int}/meter-readings", opt={"permission": "meters.enter"})
    async def create_reading(
        self, request: Req, asset_id: FromPath[int], data: JSONBody[AssetReadingCreate]
    ) -> AssetReadingRead:
        """A reading (the asset's meter is made on its first one); 409 naming
        ``confirm_jump`` when it is far above the usual rate."""
        return await actions.record_asset_reading(
            actor=actor(request), asset_id=asset_id, data=data
        )


class AssetMeterPages(Controller):
    include_in_schema = False

    async def _meter_page(
        self,
        request: Req,
        asset_id: int,
        values: dict[str, Any],
        errors: dict[str, str],
        status: int = 200,
    ) -> Template:
        me = actor(request)
        asset = await asset_meters.asset_row(me, asset_id)
        meter = await asset_meters.usage_meter(asset_id)
        readings = await asset_meters.list_asset_readings(me, asset_id)
        return page(
            request,
            "sustainability/asset_meter.html",
            {
                "asset": asset,
                "meter": meter,
                "readings": readings,
                "values": values,
                "errors": errors,
                "jump": "confirm_jump" in errors,
                **LABELS,
            },
            status_code=status,
        )

    @get("/assets/{asset_id:int}/meter-readings", opt={"permission": "meters.enter"})
    async def meter_form(self, request: Req, asset_id: FromPath[int]) -> Template:
        return await self._meter_page(request, asset_id, {}, {})

    @post(
        "/assets/{asset_id:int}/meter-readings",
        opt={"permission": "meters.enter", "form": AssetReadingCreate},
    )
    async def meter_submit(self, request: Req, asset_id: FromPath[int]) -> Response[Any]:
        form = await request.form()
        values = forms.clean({k: form.get(k) for k in form})
        values["replacement"] = form.get("replacement") == "on"
        payload = dict(values)
        payload["confirm_jump"] = form.get("confirm_jump") == "on"
        if isinstance(payload.get("value"), str):
            payload["value"] = _number(payload["value"])
        data, errors = forms.convert(payload, AssetReadingCreate)
        if data is not None:
            try:
                await actions.record_asset_reading(
                    actor=actor(request), asset_id=asset_id, data=data
                )
                return redirect(f"/assets/{asset_id}/meter-readings", _("Reading saved."))
            except FacilitiesError as error:
                if error.status_code == 404:
                    raise
                errors = forms.errors_of(error)
        status = 409 if "confirm_jump" in errors else 422
        return await self._meter_page(request, asset_id, values, errors, status)

"""Pages of inbound integrations: the endpoints that receive from outside (help-desk ticket
endpoints of coworking platforms, and the device controllers of monitoring), a new ticket
endpoint with its secret shown once, rotation, and each endpoint's delivery log."""

from __future__ import annotations

from typing import Any

from litestar import Controller, get, post
from litestar.params import FromPath
from litestar.response import Template

from facilities.accounts.principal import actor
from facilities.integrations import actions, queries
from facilities.integrations.schemas import EndpointCreate
from facilities.kit import forms
from facilities.kit.errors import FacilitiesError
from facilities.kit.templating import page
from facilities.kit.web import Req


class IntegrationPages(Controller):
    include_in_schema = False

    async def _page(
        self,
        request: Req,
        *,
        secret: str | None = None,
        secret_for: int | None = None,
        errors: dict[str, str] | None = None,
        values: dict[str, Any] | None = None,
        status_code: int = 200,
    ) -> Template:
        return page(
            request,
            "integrations/endpoints.html",
            {
                **await queries.overview(actor(request)),
                "secret": secret,
                "secret_for": secret_for,
                "base_url": str(request.base_url).rstrip("/"),
                "errors": errors or {},
                "values": values or {},
            },
            status_code=status_code,
        )

    @get("/integrations", opt={"permission": "integrations.manage"})
    async def endpoints(self, request: Req) -> Template:
        return await self._page(request)

    @post("/integrations/ticket-endpoints", opt={"permission": "integrations.manage"})
    async def create(self, request: Req) -> Template:
        form = await request.form()
        site_ids = [int(v) for v in form.getall("site_ids", []) if str(v).isdigit()]
        raw = forms.clean({k: form.get(k) for k in form if k != "site_ids"})
        data, errors = forms.convert(
            {"name": raw.get("name", ""), "site_ids": site_ids}, EndpointCreate
        )
        if data is not None:
            try:
                made = await actions.create_endpoint(actor=actor(request), data=data)
                return await self._page(request, secret=made.secret, secret_for=made.endpoint.id)
            except FacilitiesError as error:
                errors = forms.errors_of(error)
        values = {**raw, "site_ids": site_ids}
        return await self._page(request, errors=errors, values=values, status_code=422)

    @post(
        "/integrations/ticket-endpoints/{endpoint_id:int}/rotate",
        opt={"permission": "integrations.manage"},
        status_code=200,
    )
    async def rotate(self, request: Req, endpoint_id: FromPath[int]) -> Template:
        made = await actions.rotate_endpoint(actor=actor(request), endpoint_id=endpoint_id)
        return await self._page(request, secret=made.secret, secret_for=endpoint_id)

    @get(
        "/integrations/ticket-endpoints/{endpoint_id:int}",
        opt={"permission": "integrations.manage"},
    )
    async def deliveries(self, request: Req, endpoint_id: FromPath[int]) -> Template:
        me = actor(request)
        return page(
            request,
            "integrations/deliveries.html",
            {
                "endpoint": await queries.visible_endpoint(me, endpoint_id),
                "deliveries": await queries.deliveries(me, endpoint_id),
                "outcome_labels": queries.OUTCOME_LABELS,
            },
        )

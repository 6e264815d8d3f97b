"""``/api/v1``: help-desk tickets in (public, the endpoint's secret), ticket endpoints."""

from __future__ import annotations

from litestar import Controller, get, post
from litestar.params import FromPath, JSONBody
from litestar.response import Response

from facilities.accounts.principal import actor
from facilities.integrations import actions, queries
from facilities.integrations.schemas import (
    DeliveryRead,
    EndpointCreate,
    EndpointRead,
    EndpointSecret,
    TicketAnswer,
)
from facilities.kit.web import Req


class IntegrationsApi(Controller):
    path = "/api/v1"
    tags = ["integrations"]

    @post("/tickets/{endpoint_id:int}", opt={"public": True, "own_secret": True}, status_code=200)
    async def receive(self, request: Req, endpoint_id: FromPath[int]) -> TicketAnswer:
        """A help-desk ticket (``docs/member-tickets.md``), ``Authorization: Bearer``."""
        return await actions.receive_ticket(
            endpoint_id=endpoint_id, headers=dict(request.headers), body=await request.body()
        )

    @post(
        "/tickets/{endpoint_id:int}/zendesk",
        opt={"public": True, "own_secret": True},
        status_code=200,
    )
    async def receive_zendesk(self, request: Req, endpoint_id: FromPath[int]) -> TicketAnswer:
        """A Zendesk ``ticket.created`` event webhook (``docs/member-tickets.md``),
        ``Authorization: Bearer``; site and asset from the ticket's tags."""
        return await actions.receive_zendesk_ticket(
            endpoint_id=endpoint_id, headers=dict(request.headers), body=await request.body()
        )

    @get("/ticket-endpoints", opt={"permission": "integrations.manage"})
    async def list_endpoints(self, request: Req) -> list[EndpointRead]:
        return await queries.list_endpoints(actor(request))

    @post("/ticket-endpoints", opt={"permission": "integrations.manage"})
    async def create_endpoint(
        self, request: Req, data: JSONBody[EndpointCreate]
    ) -> Response[EndpointSecret]:
        made = await actions.create_endpoint(actor=actor(request), data=data)
        return Response(made, status_code=201)

    @post(
        "/ticket-endpoints/{endpoint_id:int}/rotate",
        opt={"permission": "integrations.manage"},
        status_code=200,
    )
    async def rotate(self, request: Req, endpoint_id: FromPath[int]) -> EndpointSecret:
        return await actions.rotate_endpoint(actor=actor(request), endpoint_id=endpoint_id)

    @get(
        "/ticket-endpoints/{endpoint_id:int}/deliveries", opt={"permission": "integrations.manage"}
    )
    async def deliveries(self, request: Req, endpoint_id: FromPath[int]) -> list[DeliveryRead]:
        return await queries.deliveries(actor(request), endpoint_id)

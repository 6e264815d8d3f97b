"""Ticket endpoints and the generic ticket shape (``docs/member-tickets.md``)."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

import msgspec

from facilities.kit.schema import Id, Schema
from facilities.maintenance.enums import Urgency

Text120 = Annotated[str, msgspec.Meta(min_length=1, max_length=120)]


class EndpointCreate(Schema):
    name: Text120
    site_ids: Annotated[list[Id], msgspec.Meta(min_length=1, max_length=500)]


class EndpointRead(Schema):
    id: int
    name: str
    site_ids: list[int]
    secret_hint: str
    active: bool
    created_at: datetime


class EndpointSecret(Schema):
    endpoint: EndpointRead
    secret: str


class TicketIn(Schema):
    """A help-desk ticket from a coworking platform (generic shape)."""

    ticket_id: Text120
    site_code: Annotated[str, msgspec.Meta(min_length=1, max_length=20)]
    description: Annotated[str, msgspec.Meta(min_length=1, max_length=4000)]
    title: Annotated[str, msgspec.Meta(max_length=200)] = ""
    asset_id: Id | None = None
    urgency: Urgency = Urgency.normal
    reporter_name: Annotated[str, msgspec.Meta(max_length=120)] = ""
    reporter_email: Annotated[str, msgspec.Meta(max_length=254)] = ""


class TicketAnswer(Schema):
    report_id: int
    outcome: str  # created / same_problem / seen_before


class DeliveryRead(Schema):
    id: int
    external_id: str
    report_id: int | None
    outcome: str
    detail: str
    received_at: datetime


class ZendeskTicket(msgspec.Struct, kw_only=True):
    """The ``detail`` of a Zendesk ticket event (developer.zendesk.com, "Webhooks → Event
    types → Ticket events"): the fields we read. Unlike our own schemas, unknown fields are
    ignored: the platform's payload has many more and may grow."""

    id: str | int
    subject: str | None = None
    description: str | None = None
    priority: str | None = None  # low / normal / high / urgent, or none
    requester_id: str | int | None = None
    tags: list[str] = []


class ZendeskEvent(msgspec.Struct, kw_only=True):
    """A Zendesk event webhook delivery (``zen:event-type:ticket.created``)."""

    type: str
    detail: ZendeskTicket
    id: str = ""  # the event's id
    account_id: int | None = None
    subject: str = ""  # "zen:ticket:<id>"

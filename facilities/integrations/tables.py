"""Inbound integrations: help-desk ticket endpoints of coworking platforms, the sites each
may report for, and the delivery log of tickets received."""

from piccolo.columns import (
    Boolean,
    ForeignKey,
    Integer,
    OnDelete,
    Serial,
    Text,
    Timestamptz,
    Varchar,
)
from piccolo.columns.defaults.timestamptz import TimestamptzNow
from piccolo.table import Table

from facilities.sites.tables import Site


class TicketEndpoint(Table, tablename="ticket_endpoint"):
    """One platform account sending tickets. Its secret is derived (``secrets``), never
    stored; shown once when made or rotated."""

    id: Serial
    name = Varchar(length=120, null=False)
    secret_hash = Varchar(length=64, null=False, unique=True)
    secret_hint = Varchar(length=8, default="")
    generation = Integer(default=1)
    active = Boolean(default=True)
    created_at = Timestamptz(default=TimestamptzNow())


class TicketEndpointSite(Table, tablename="ticket_endpoint_site"):
    endpoint = ForeignKey(TicketEndpoint, null=False, on_delete=OnDelete.cascade, index=True)
    site = ForeignKey(Site, null=False, on_delete=OnDelete.cascade)


class InboundTicket(Table, tablename="inbound_ticket"):
    """Each ticket received (unique per endpoint and ticket id) and what it became."""

    id: Serial
    endpoint = ForeignKey(TicketEndpoint, null=False, on_delete=OnDelete.cascade)
    external_id = Varchar(length=120, null=False)
    report_id = Integer(null=True, default=None)
    outcome = Varchar(length=20, null=False)  # created / same_problem
    detail = Text(default="")
    received_at = Timestamptz(null=False)

"""Writes of inbound integrations: ticket endpoints (secret derived from the app's key,
shown once, rotatable) and tickets received, which become problem reports through
``maintenance.reports.actions`` — a ticket naming an asset that already has an open report
adds a "same problem" (+1) to it, like the QR scan page does."""

from __future__ import annotations

import base64
import hashlib
import hmac
from collections.abc import Mapping
from typing import Any

import msgspec

from facilities import db
from facilities.accounts import audit
from facilities.accounts.principal import Principal
from facilities.integrations import queries
from facilities.integrations.schemas import (
    EndpointCreate,
    EndpointSecret,
    TicketAnswer,
    TicketIn,
    ZendeskEvent,
)
from facilities.integrations.tables import InboundTicket, TicketEndpoint, TicketEndpointSite
from facilities.kit import clock
from facilities.kit.errors import NotAuthenticated, PermissionDenied, RuleViolation
from facilities.kit.i18n import _
from facilities.kit.security import new_token, token_hash
from facilities.kit.validation import field_name, friendly
from facilities.maintenance.enums import ReportSource, Urgency
from facilities.maintenance.reports import actions as report_actions
from facilities.maintenance.reports import queries as report_queries
from facilities.maintenance.reports.schemas import ProblemReportCreate, VoteCreate
from facilities.settings import get_settings
from facilities.sites import scope


def derive(endpoint_id: int, generation: int) -> str:
    key = get_settings().resolved_secret_key().encode()
    mac = hmac.new(key, f"ticket-endpoint:{endpoint_id}:{generation}".encode(), hashlib.sha256)
    return "tk_" + base64.urlsafe_b64encode(mac.digest()).decode().rstrip("=")


async def create_endpoint(*, actor: Principal, data: EndpointCreate) -> EndpointSecret:
    async with db.transaction():
        for site_id in set(data.site_ids):
            if not await scope.can_see_site(actor, site_id):
                raise RuleViolation("site_ids", _("Unknown site."))
        rows = await TicketEndpoint.insert(
            TicketEndpoint(name=data.name.strip(), secret_hash=f"pending-{new_token(12)}")
        ).returning(TicketEndpoint.id)
        endpoint_id = int(rows[0]["id"])
        secret = derive(endpoint_id, 1)
        await TicketEndpoint.update(
            {
                TicketEndpoint.secret_hash: token_hash(secret),
                TicketEndpoint.secret_hint: secret[-4:],
            }
        ).where(TicketEndpoint.id == endpoint_id)
        await TicketEndpointSite.insert(
            *(TicketEndpointSite(endpoint=endpoint_id, site=s) for s in sorted(set(data.site_ids)))
        ).run()
        await audit.record(
            actor=actor,
            action="ticket_endpoint.create",
            object_type="ticket_endpoint",
            object_id=endpoint_id,
            summary=data.name.strip(),
            after={"site_ids": sorted(set(data.site_ids))},
        )
        return EndpointSecret(endpoint=await queries.get_endpoint(endpoint_id), secret=secret)


async def rotate_endpoint(*, actor: Principal, endpoint_id: int) -> EndpointSecret:
    async with db.transaction():
        found = await queries.visible_endpoint(actor, endpoint_id)
        row = (
            await TicketEndpoint.select(TicketEndpoint.generation)
            .where(TicketEndpoint.id == endpoint_id)
            .first()
        )
        assert row is not None
        generation = int(row["generation"]) + 1
        secret = derive(endpoint_id, generation)
        await TicketEndpoint.update(
            {
                TicketEndpoint.generation: generation,
                TicketEndpoint.secret_hash: token_hash(secret),
                TicketEndpoint.secret_hint: secret[-4:],
            }
        ).where(TicketEndpoint.id == endpoint_id)
        await audit.record(
            actor=actor,
            action="ticket_endpoint.rotate",
            object_type="ticket_endpoint",
            object_id=endpoint_id,
            summary=found.name,
        )
        return EndpointSecret(endpoint=await queries.get_endpoint(endpoint_id), secret=secret)


async def _authenticate(endpoint_id: int, headers: Mapping[str, str]) -> None:
    endpoint = await queries.endpoint_row(endpoint_id)
    auth = headers.get("authorization", "")
    offered = auth[7:].strip() if auth.lower().startswith("bearer ") else ""
    if (
        endpoint is None
        or not endpoint["active"]
        or not hmac.compare_digest(derive(endpoint_id, int(endpoint["generation"])), offered)
    ):
        raise NotAuthenticated(_("Wrong or missing secret."))


def _decode(body: bytes, kind: type[Any]) -> Any:
    try:
        return msgspec.json.decode(body, type=kind)
    except msgspec.ValidationError as error:
        raise RuleViolation(field_name(None, str(error)), friendly(str(error))) from None
    except msgspec.DecodeError:
        raise RuleViolation("body", _("The body is not valid JSON.")) from None


async def receive_ticket(
    *, endpoint_id: int, headers: Mapping[str, str], body: bytes
) -> TicketAnswer:
    """401 wrong secret; 422 malformed (naming the field); 403 a site the endpoint may not
    report for; the same ticket id twice answers the first result."""
    await _authenticate(endpoint_id, headers)
    return await _receive(endpoint_id, _decode(body, TicketIn))


ZENDESK_CREATED = "zen:event-type:ticket.created"
ZENDESK_SITE_TAG = "site_"
ZENDESK_ASSET_TAG = "asset_"


def from_zendesk(event: ZendeskEvent) -> TicketIn:
    """A Zendesk ``ticket.created`` event as our ticket (``docs/member-tickets.md``): the
    site and the asset come from the ticket's tags (``site_<code>``, ``asset_<id>``), the
    urgency from its priority; a refused value names the Zendesk field."""
    if event.type != ZENDESK_CREATED:
        raise RuleViolation(
            "type", _("Only new tickets are read: subscribe the webhook to ticket.created.")
        )
    detail = event.detail
    tags = [t.strip().lower() for t in detail.tags]
    sites = [t[len(ZENDESK_SITE_TAG) :] for t in tags if t.startswith(ZENDESK_SITE_TAG)]
    if len(set(sites)) != 1 or not sites[0]:
        raise RuleViolation(
            "detail.tags", _("Tag the ticket with exactly one site: site_ and our site code.")
        )
    assets = [t[len(ZENDESK_ASSET_TAG) :] for t in tags if t.startswith(ZENDESK_ASSET_TAG)]
    if len(set(assets)) > 1 or (assets and not assets[0].isdigit()):
        raise RuleViolation(
            "detail.tags", _("Tag the ticket with at most one asset: asset_ and its number.")
        )
    priority = (detail.priority or "normal").strip().lower()
    if priority not in {u.value for u in Urgency}:
        raise RuleViolation("detail.priority", _("Unknown priority."))
    values = {
        "ticket_id": str(detail.id).strip(),
        "site_code": sites[0].upper(),
        "description": (detail.description or "").strip(),
        "title": (detail.subject or "").strip()[:200],
        "asset_id": int(assets[0]) if assets else None,
        "urgency": priority,
    }
    try:
        return msgspec.convert(values, TicketIn)
    except msgspec.ValidationError as error:
        message = str(error)
        name = field_name(None, message)
        zendesk = {"ticket_id": "detail.id", "description": "detail.description"}
        raise RuleViolation(zendesk.get(name, f"detail.{name}"), friendly(message)) from None


async def receive_zendesk_ticket(
    *, endpoint_id: int, headers: Mapping[str, str], body: bytes
) -> TicketAnswer:
    """The same as ``receive_ticket`` for a Zendesk webhook (``Authorization: Bearer``, the
    webhook's "Bearer token" authentication) sending ``ticket.created`` events."""
    await _authenticate(endpoint_id, headers)
    return await _receive(endpoint_id, from_zendesk(_decode(body, ZendeskEvent)))


async def _receive(endpoint_id: int, ticket: TicketIn) -> TicketAnswer:
    async with db.transaction():
        seen = await queries.delivery(endpoint_id, ticket.ticket_id)
        if seen is not None and seen["report_id"] is not None:
            return TicketAnswer(report_id=int(seen["report_id"]), outcome="seen_before")
        site_id = await queries.allowed_site(endpoint_id, ticket.site_code)
        if site_id is None:
            raise PermissionDenied(_("This integration may not report for this site."))
        if (
            ticket.asset_id is not None
            and await report_queries.asset_site(ticket.asset_id) != site_id
        ):
            raise RuleViolation("asset_id", _("This asset is not at the named site."))
        outcome, report_id = "created", None
        if ticket.asset_id is not None:
            open_reports = await report_queries.open_reports_for_asset(ticket.asset_id, limit=1)
            if open_reports:
                report_id = int(open_reports[0].id)
                await report_actions.add_vote_on_asset(
                    actor=None,
                    asset_id=ticket.asset_id,
                    report_id=report_id,
                    data=VoteCreate(comment=ticket.description.strip()[:500]),
                    browser=f"ticket:{endpoint_id}:{ticket.ticket_id}",
                )
                outcome = "same_problem"
        if report_id is None:
            try:
                data = msgspec.convert(
                    {
                        "description": ticket.description,
                        "title": ticket.title,
                        "urgency": ticket.urgency.value,
                        "asset_id": ticket.asset_id,
                        "site_id": site_id,
                        "reporter_name": ticket.reporter_name,
                        "reporter_email": ticket.reporter_email,
                    },
                    ProblemReportCreate,
                )
            except msgspec.ValidationError as error:
                message = str(error)
                raise RuleViolation(field_name(None, message), friendly(message)) from None
            made = await report_actions.create_report(
                actor=None,
                data=data,
                source=ReportSource.api,
                scoped=False,
            )
            report_id = made.report.id
        await InboundTicket.insert(
            InboundTicket(
                endpoint=endpoint_id,
                external_id=ticket.ticket_id,
                report_id=report_id,
                outcome=outcome,
                received_at=clock.now(),
            )
        ).run()
        return TicketAnswer(report_id=report_id, outcome=outcome)

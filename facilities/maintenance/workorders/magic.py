"""Magic links: a one-off contractor without an account works on ONE work order.

A link is a random token (only its SHA-256 hash is stored) bound to one work order and the
partner organisation the order was assigned to when the link was issued. It works while

* it is neither revoked nor expired (``settings.magic_link_days``, default 14),
* the order is still assigned to that partner organisation, and
* the order is not closed (completed, verified, cancelled).

Whoever holds the link acts as a ``Principal`` with the partner role, the link's partner
organisation, no user (``user_id=None``) and ``via="magic_link"``; every step goes through
the same actions as a signed-in partner (``actions.transition``, ``work.add_comment``,
``work.add_photo``), so lifecycle rules, events and audit are the same. The pages never take
an order id from the request: the link names the order.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from facilities.accounts import audit
from facilities.accounts.enums import Role
from facilities.accounts.principal import Principal
from facilities.accounts.tables import PartnerOrganisation, User
from facilities.db import transaction
from facilities.kit import clock
from facilities.kit.errors import Conflict, NotFound, PermissionDenied, RuleViolation
from facilities.kit.i18n import _
from facilities.kit.rows import to_struct
from facilities.kit.security import new_token, token_hash
from facilities.maintenance.lifecycle import CLOSED_STATES
from facilities.maintenance.tables import WorkOrderChecklistItem, WorkOrderMagicLink
from facilities.maintenance.workorders import queries
from facilities.maintenance.workorders.schemas import MagicLinkRead, WorkOrderRead
from facilities.settings import get_settings

_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
PATH_PREFIX = "/m/"


def _may_manage_links(actor: Principal) -> None:
    """Staff who manage work, or the partner organisation the order is assigned to (the
    routes declare the same permission; this guards callers other than routes)."""
    if not actor.can("workorders.links"):
        raise PermissionDenied(_("Your role may not manage links for work orders."))
    if actor.via == "magic_link":
        raise PermissionDenied(_("Your role may not manage links for work orders."))


# ---- issue, revoke, list ------------------------------------------------------------


async def issue_link(*, work_order_id: int, email: str, issued_by: Principal | None) -> str:
    """A new link for ``email`` to work on this order; returns the path ``/m/{token}``.

    Runs inside the caller's transaction (nested ``transaction()`` joins it). With
    ``issued_by`` the order must be in that principal's scope (else 404); ``None`` is the
    system (e.g. the notifications domain e-mailing the partner's contact address).
    The order must be assigned to a partner organisation and not closed.
    """
    address = email.strip().lower()
    if not _EMAIL.match(address) or len(address) > 254:
        raise RuleViolation("email", _("Enter a valid e-mail address."))
    async with transaction():
        if issued_by is not None:
            _may_manage_links(issued_by)
            order = await queries.get_work_order(issued_by, work_order_id)
        else:
            order = await queries.work_order_by_id(work_order_id)
        if order.partner_organisation_id is None:
            raise Conflict(
                _("Assign the work order to a partner organisation first."),
                field="partner_organisation_id",
            )
        if order.status in CLOSED_STATES:
            raise Conflict(_("This work order is closed."), field="status")
        token = new_token(32)
        now = clock.now()
        row = WorkOrderMagicLink(
            token_hash=token_hash(token),
            work_order=work_order_id,
            partner_organisation=order.partner_organisation_id,
            email=address,
            created_by=issued_by.user_id if issued_by else None,
            created_at=now,
            expires_at=now + timedelta(days=get_settings().magic_link_days),
        )
        await row.save()
        await audit.record(
            actor=issued_by,
            action="work_order.magic_link",
            object_type="work_order",
            object_id=work_order_id,
            summary=f"{order.title}: {address}",
            site_id=order.site_id,
            after={"link_id": row.id, "email": address, "expires_at": row.expires_at},
        )
    return f"{PATH_PREFIX}{token}"


_LINK_KEYS = {"work_order_id": "work_order", "partner_organisation_id": "partner_organisation"}


def _link_read(row: dict[str, Any], now: datetime) -> MagicLinkRead:
    return to_struct(
        MagicLinkRead,
        row,
        _LINK_KEYS,
        active=row["revoked_at"] is None and row["expires_at"] > now,
    )


async def list_links(actor: Principal, work_order_id: int) -> list[MagicLinkRead]:
    """The order's links (newest first), for staff and the order's partner; else 404/403."""
    await queries.get_work_order(actor, work_order_id)
    _may_manage_links(actor)
    query = WorkOrderMagicLink.select(
        WorkOrderMagicLink.id,
        WorkOrderMagicLink.work_order,
        WorkOrderMagicLink.partner_organisation,
        WorkOrderMagicLink.email,
        WorkOrderMagicLink.created_at,
        WorkOrderMagicLink.expires_at,
        WorkOrderMagicLink.revoked_at,
        WorkOrderMagicLink.last_used_at,
    ).where(WorkOrderMagicLink.work_order == work_order_id)
    if actor.role is Role.partner:  # a partner sees only the links it was given
        query = query.where(
            WorkOrderMagicLink.partner_organisation == (actor.partner_organisation_id or -1)
        )
    rows = await query.order_by(WorkOrderMagicLink.id, ascending=False)
    now = clock.now()
    return [_link_read(r, now) for r in rows]


async def revoke_link(*, actor: Principal, work_order_id: int, link_id: int) -> MagicLinkRead:
    """Revoke one link of the order (idempotent); a link of another order is 404."""
    async with transaction():
        order = await queries.get_work_order(actor, work_order_id)
        _may_manage_links(actor)
        links = {link.id: link for link in await list_links(actor, work_order_id)}
        link = links.get(link_id)
        if link is None:
            raise NotFound()
        if link.revoked_at is None:
            now = clock.now()
            await (
                WorkOrderMagicLink.update({WorkOrderMagicLink.revoked_at: now})
                .where(WorkOrderMagicLink.id == link_id)
                .run()
            )
            await audit.record(
                actor=actor,
                action="work_order.magic_link_revoke",
                object_type="work_order",
                object_id=work_order_id,
                summary=f"{order.title}: {link.email}",
                site_id=order.site_id,
                after={"link_id": link_id, "email": link.email},
            )
    return {link.id: link for link in await list_links(actor, work_order_id)}[link_id]


# ---- opening a link (the contractor's pages) ---------------------------------------


class LinkProblem(Exception):
    """Why a link cannot be used: ``unknown`` (404), ``revoked``, ``expired``,
    ``unassigned`` or ``closed`` (410). ``contact`` names whom to ask for a new link."""

    def __init__(self, kind: str, contact: str = "") -> None:
        super().__init__(kind)
        self.kind = kind
        self.contact = contact

    @property
    def status_code(self) -> int:
        return 404 if self.kind == "unknown" else 410


@dataclass(frozen=True, slots=True)
class OpenLink:
    link_id: int
    email: str
    principal: Principal
    order: WorkOrderRead


async def _contact(created_by: int | None, site_name: str) -> str:
    """Whom the contractor should ask for a new link: the issuer, else the site's team."""
    if created_by is not None:
        row = await User.select(User.name, User.email).where(User.id == created_by).first()
        if row is not None:
            return f"{row['name']} <{row['email']}>"
    return _("the team of %(site)s") % {"site": site_name}


async def open_link(token: str, *, locale: str = "en", touch: bool = False) -> OpenLink:
    """The link's order and the contractor's principal, or a ``LinkProblem``."""
    if not token or len(token) > 100:
        raise LinkProblem("unknown")
    row = (
        await WorkOrderMagicLink.select(
            WorkOrderMagicLink.id,
            WorkOrderMagicLink.work_order,
            WorkOrderMagicLink.partner_organisation,
            WorkOrderMagicLink.partner_organisation.name.as_alias("partner_name"),
            WorkOrderMagicLink.email,
            WorkOrderMagicLink.created_by,
            WorkOrderMagicLink.expires_at,
            WorkOrderMagicLink.revoked_at,
            WorkOrderMagicLink.work_order._.site._.name.as_alias("site_name"),
        )
        .where(WorkOrderMagicLink.token_hash == token_hash(token))
        .first()
    )
    if row is None:
        raise LinkProblem("unknown")
    contact = await _contact(row["created_by"], row["site_name"])
    if row["revoked_at"] is not None:
        raise LinkProblem("revoked", contact)
    now = clock.now()
    if row["expires_at"] <= now:
        raise LinkProblem("expired", contact)
    principal = Principal(
        user_id=None,
        email=row["email"],
        name=row["partner_name"],
        role=Role.partner,
        locale=locale,
        partner_organisation_id=row["partner_organisation"],
        via="magic_link",
        credential_id=row["id"],
    )
    try:
        order = await queries.get_work_order(principal, row["work_order"])
    except NotFound:
        raise LinkProblem("unassigned", contact) from None
    if order.status in CLOSED_STATES:
        raise LinkProblem("closed", contact)
    if touch:
        await (
            WorkOrderMagicLink.update({WorkOrderMagicLink.last_used_at: now})
            .where(WorkOrderMagicLink.id == row["id"])
            .run()
        )
    return OpenLink(link_id=row["id"], email=row["email"], principal=principal, order=order)


async def checklist_items(work_order_id: int) -> list[dict[str, Any]]:
    """The order's checklist items (label, kind, answer) for the contractor's page."""
    rows: list[dict[str, Any]] = (
        await WorkOrderChecklistItem.select(
            WorkOrderChecklistItem.label,
            WorkOrderChecklistItem.kind,
            WorkOrderChecklistItem.unit,
            WorkOrderChecklistItem.value_text,
        )
        .where(WorkOrderChecklistItem.work_order == work_order_id)
        .order_by(WorkOrderChecklistItem.position)
    )
    return rows


async def partner_email(partner_organisation_id: int | None) -> str:
    """The partner organisation's contact address (the default recipient of a link)."""
    if partner_organisation_id is None:
        return ""
    row = (
        await PartnerOrganisation.select(PartnerOrganisation.email)
        .where(PartnerOrganisation.id == partner_organisation_id)
        .first()
    )
    return str(row["email"]) if row else ""

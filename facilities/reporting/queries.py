"""Reporting reads: the audit trail, scoped (admins see everything, ops managers the events
of their sites)."""

from __future__ import annotations

from datetime import datetime

from facilities.accounts import queries as account_queries
from facilities.accounts.principal import Principal
from facilities.accounts.schemas import AuditEventRead
from facilities.kit.schema import Page
from facilities.sites.scope import visible_site_ids


async def audit_page(
    principal: Principal,
    *,
    object_type: str | None,
    action: str | None,
    actor_id: int | None,
    since: datetime | None,
    until: datetime | None,
    limit: int,
    offset: int,
) -> Page[AuditEventRead]:
    site_ids = None if principal.is_admin else await visible_site_ids(principal)
    return await account_queries.list_audit_events(
        site_ids=site_ids,
        object_type=object_type,
        action=action,
        actor_id=actor_id,
        since=since,
        until=until,
        limit=limit,
        offset=offset,
    )

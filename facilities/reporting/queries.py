"""Reporting reads: the audit trail, scoped (admins see everything, ops managers the events
of their sites)."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from datetime import datetime
from typing import Annotated, Any, Literal

import msgspec
from litestar.params import FromQuery, QueryParameter

from facilities.accounts import queries as account_queries
from facilities.accounts.principal import Principal
from facilities.accounts.schemas import AuditEventRead
from facilities.kit.listing import QueryId, Search
from facilities.kit.schema import Page
from facilities.sites.scope import visible_site_ids

Aware = Annotated[datetime, msgspec.Meta(tz=True)]


@dataclass(frozen=True, slots=True)
class AuditFilters:
    """The audit trail's filters, read by its API and its page (``kit.listing``): the kind
    of record (``object_type``) and the action as codes (the page offers them as selects in
    words, ``audit_labels``), who, when (``since`` ≤ time < ``until``), words in the summary
    or the actor's name (``q``); ``sort``: newest or oldest first."""

    object_type: Annotated[str | None, QueryParameter(max_length=60)] = None
    action: Annotated[str | None, QueryParameter(max_length=80)] = None
    actor_id: QueryId = None
    since: FromQuery[Aware | None] = None
    until: FromQuery[Aware | None] = None
    q: Search = None
    sort: FromQuery[Literal["newest", "oldest"]] = "newest"

    def arguments(self) -> dict[str, Any]:
        return {f.name: getattr(self, f.name) for f in dataclasses.fields(self)}


async def audit_page(
    principal: Principal,
    *,
    object_type: str | None,
    action: str | None,
    actor_id: int | None,
    since: datetime | None,
    until: datetime | None,
    q: str | None = None,
    sort: str = "newest",
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
        q=q,
        oldest_first=sort == "oldest",
        limit=limit,
        offset=offset,
    )

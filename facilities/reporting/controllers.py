"""The audit trail, scoped: admins see everything, ops managers the events of their sites."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

import msgspec
from litestar import Controller, Request, get
from litestar.params import FromQuery, Parameter
from litestar.response import Template

from facilities.accounts import queries as account_queries
from facilities.accounts.controllers.api import actor
from facilities.accounts.principal import Principal
from facilities.accounts.schemas import AuditEventRead
from facilities.kit.pagination import Limit, Offset
from facilities.kit.schema import Page
from facilities.kit.templating import page
from facilities.reporting.audit_labels import action_label
from facilities.sites.scope import visible_site_ids

Req = Request[Any, Any, Any]
Aware = Annotated[datetime, msgspec.Meta(tz=True)]


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


class AuditApi(Controller):
    path = "/api/v1/audit"
    tags = ["audit"]

    @get("/", opt={"permission": "audit.view"})
    async def list_events(
        self,
        request: Req,
        object_type: str | None = Parameter(default=None, max_length=60),
        action: str | None = Parameter(default=None, max_length=80),
        actor_id: FromQuery[int | None] = None,
        since: FromQuery[Aware | None] = None,
        until: FromQuery[Aware | None] = None,
        limit: Limit = 50,
        offset: Offset = 0,
    ) -> Page[AuditEventRead]:
        return await audit_page(
            actor(request),
            object_type=object_type,
            action=action,
            actor_id=actor_id,
            since=since,
            until=until,
            limit=limit,
            offset=offset,
        )


class AuditPages(Controller):
    include_in_schema = False

    @get("/audit", opt={"permission": "audit.view"})
    async def audit(
        self,
        request: Req,
        object_type: str | None = Parameter(default=None, max_length=60),
        action: str | None = Parameter(default=None, max_length=80),
        offset: int = Parameter(default=0, ge=0),
    ) -> Template:
        events = await audit_page(
            actor(request),
            object_type=object_type or None,
            action=action or None,
            actor_id=None,
            since=None,
            until=None,
            limit=50,
            offset=offset,
        )
        return page(
            request,
            "audit.html",
            {
                "events": events,
                "filters": {"object_type": object_type or "", "action": action or ""},
                "action_label": action_label,
            },
        )

"""``/api/v1/audit``: the audit trail, scoped (admins see everything, ops managers the events
of their sites)."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

import msgspec
from litestar import Controller, get
from litestar.params import FromQuery, Parameter

from facilities.accounts.principal import actor
from facilities.accounts.schemas import AuditEventRead
from facilities.kit.pagination import Limit, Offset
from facilities.kit.schema import Page
from facilities.kit.web import Req
from facilities.reporting.queries import audit_page

Aware = Annotated[datetime, msgspec.Meta(tz=True)]


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

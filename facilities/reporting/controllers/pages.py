"""The audit trail page ``/audit``."""

from __future__ import annotations

from litestar import Controller, get
from litestar.params import Parameter
from litestar.response import Template

from facilities.accounts.principal import actor
from facilities.kit.templating import page
from facilities.kit.web import Req
from facilities.reporting.queries import audit_page


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
            },
        )

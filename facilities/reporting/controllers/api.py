"""``/api/v1/audit``: the audit trail, scoped (admins see everything, ops managers the events
of their sites)."""

from __future__ import annotations

from litestar import Controller, get
from litestar.di import NamedDependency

from facilities.accounts.principal import actor
from facilities.accounts.schemas import AuditEventRead
from facilities.kit.listing import provide
from facilities.kit.pagination import Limit, Offset
from facilities.kit.schema import Page
from facilities.kit.web import Req
from facilities.reporting.queries import AuditFilters, audit_page


class AuditApi(Controller):
    path = "/api/v1/audit"
    tags = ["audit"]

    @get(
        "/",
        opt={"permission": "audit.view"},
        dependencies={"filters": provide(AuditFilters)},
    )
    async def list_events(
        self,
        request: Req,
        filters: NamedDependency[AuditFilters],
        limit: Limit = 50,
        offset: Offset = 0,
    ) -> Page[AuditEventRead]:
        """Audit events of the caller's sites (admins: all). Filters combine; ``since`` and
        ``until`` need a time zone; ``q`` searches the summary and the actor's name;
        ``sort``: newest, oldest."""
        return await audit_page(actor(request), **filters.arguments(), limit=limit, offset=offset)

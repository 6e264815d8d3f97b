"""``/api/v1/safety/incidents``: report, read, investigate, photos, corrective work orders.
An incident the caller may not see answers 404."""

from __future__ import annotations

from typing import Annotated

from litestar import Controller, get, patch, post
from litestar.di import NamedDependency
from litestar.params import FromPath, JSONBody, QueryParameter
from litestar.response import Response

from facilities.accounts.principal import actor
from facilities.kit.errors import RuleViolation
from facilities.kit.i18n import _
from facilities.kit.listing import provide
from facilities.kit.openapi import IMAGE
from facilities.kit.pagination import Limit, Offset
from facilities.kit.schema import Page
from facilities.kit.web import Multipart, Req, optional_upload, stored_file_response
from facilities.safety.incidents import actions, queries
from facilities.safety.incidents.schemas import (
    ActionCreate,
    IncidentCreate,
    IncidentRead,
    IncidentUpdate,
)


class IncidentsApi(Controller):
    path = "/api/v1/safety/incidents"
    tags = ["safety"]

    @get(
        "",
        opt={"permission": "incidents.report"},
        dependencies={"filters": provide(queries.IncidentFilters)},
    )
    async def list_incidents(
        self,
        request: Req,
        filters: NamedDependency[queries.IncidentFilters],
        limit: Limit = 50,
        offset: Offset = 0,
        cursor: Annotated[str | None, QueryParameter(max_length=400)] = None,
    ) -> Page[IncidentRead]:
        """Incidents and near misses the caller may see (confidential ones: ops managers,
        admins and their reporter only), newest first. Long lists: pass the answer's
        ``next_cursor`` as ``cursor`` (with the same filters) for the next page; ``offset``
        only reaches the first 5,000 rows."""
        return await queries.list_incidents(
            actor(request), **filters.arguments(), limit=limit, offset=offset, cursor=cursor
        )

    @post("", opt={"permission": "incidents.report"})
    async def report_incident(
        self, request: Req, data: JSONBody[IncidentCreate]
    ) -> Response[IncidentRead]:
        """An injury with more than three days off work is flagged ``reportable`` with the
        accident insurer's ``insurer_deadline``."""
        created = await actions.report_incident(actor=actor(request), data=data)
        return Response(content=created, status_code=201)

    @get("/{incident_id:int}", opt={"permission": "incidents.report"})
    async def get_incident(self, request: Req, incident_id: FromPath[int]) -> IncidentRead:
        return await queries.get_incident(actor(request), incident_id)

    @patch("/{incident_id:int}", opt={"permission": "incidents.investigate"})
    async def investigate(
        self, request: Req, incident_id: FromPath[int], data: JSONBody[IncidentUpdate]
    ) -> IncidentRead:
        """409 when ``version`` is stale; closing needs a ``root_cause``."""
        return await actions.investigate(actor=actor(request), incident_id=incident_id, data=data)

    @post("/{incident_id:int}/photos", opt={"permission": "incidents.report"})
    async def add_photo(
        self, request: Req, incident_id: FromPath[int], data: Multipart
    ) -> IncidentRead:
        """Multipart field ``photo`` (JPEG, PNG or WebP; re-encoded); at most five."""
        content = await optional_upload(data.get("photo"))
        if content is None:
            raise RuleViolation("photo", _("Send a photo in the multipart field “photo”."))
        return await actions.add_photos(
            actor=actor(request), incident_id=incident_id, photos=[content]
        )

    @get(
        "/{incident_id:int}/photos/{photo_id:int}",
        opt={"permission": "incidents.report"},
        media_type=IMAGE,
    )
    async def get_photo(
        self, request: Req, incident_id: FromPath[int], photo_id: FromPath[int]
    ) -> Response[bytes]:
        key, content_type = await queries.photo_of(actor(request), incident_id, photo_id)
        return await stored_file_response(key, content_type, cache=None)

    @post("/{incident_id:int}/actions", opt={"permission": "incidents.investigate"})
    async def add_action(
        self, request: Req, incident_id: FromPath[int], data: JSONBody[ActionCreate]
    ) -> Response[IncidentRead]:
        """A corrective work order at the incident's site and asset (the usual routing to
        the contracted partner)."""
        updated = await actions.add_corrective_action(
            actor=actor(request), incident_id=incident_id, data=data
        )
        return Response(content=updated, status_code=201)

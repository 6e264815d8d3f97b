"""``/api/v1/contracts``, ``/api/v1/visits``, ``/api/v1/scorecards``."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

import msgspec
from litestar import Controller, delete, get, patch, post
from litestar.di import NamedDependency
from litestar.openapi.datastructures import ResponseSpec
from litestar.params import FromPath, FromQuery, JSONBody
from litestar.response import Response

from facilities.accounts.principal import actor
from facilities.kit.listing import provide
from facilities.kit.openapi import ANY_FILE
from facilities.kit.pagination import Limit, Offset
from facilities.kit.schema import ErrorBody, ErrorField, Page
from facilities.kit.web import Multipart, Req, document_response, upload_bytes
from facilities.services import actions, queries, scorecards
from facilities.services.actions import OverlapWarning
from facilities.services.enums import VisitStatus
from facilities.services.schemas import (
    ContractCreate,
    ContractRead,
    ContractSummary,
    ContractUpdate,
    DocumentRead,
    Scorecard,
    VisitPlanCreate,
    VisitPlanRead,
    VisitPlanUpdate,
    VisitRead,
    VisitSignOff,
)


class OverlapBody(ErrorBody, kw_only=True):
    """A 409: ``overlaps`` lists the overlapping contracts (empty for a stale ``version``)."""

    overlaps: list[ContractSummary] = msgspec.field(default_factory=list)


def overlap_response(error: OverlapWarning) -> Response[Any]:
    body = OverlapBody(
        code=error.code,
        message=error.message,
        fields=[ErrorField(field=f.field, message=f.message) for f in error.fields],
        overlaps=error.overlaps,
    )
    return Response(
        content=msgspec.json.encode(body), status_code=409, media_type="application/json"
    )


class ContractsApi(Controller):
    path = "/api/v1"
    tags = ["facility services"]

    # ---- contracts ----------------------------------------------------------------------

    @get(
        "/contracts",
        opt={"permission": "contracts.view"},
        dependencies={"filters": provide(queries.ContractFilters)},
    )
    async def list_contracts(
        self,
        request: Req,
        filters: NamedDependency[queries.ContractFilters],
        limit: Limit = 50,
        offset: Offset = 0,
    ) -> Page[ContractRead]:
        """Contracts the caller may see. Filters combine; ``q`` searches the name and the
        reference; ``sort``: name, ending (end date soonest first), newest, provider."""
        return await queries.list_contracts(
            actor(request), **filters.arguments(), limit=limit, offset=offset
        )

    @post(
        "/contracts",
        opt={"permission": "contracts.manage"},
        responses={409: ResponseSpec(OverlapBody, description="Overlapping contracts")},
    )
    async def create_contract(
        self, request: Req, data: JSONBody[ContractCreate]
    ) -> Response[ContractRead]:
        """409 with ``overlaps`` when another active contract covers a site and trade of this
        one in the same period, unless ``confirm_overlap`` is true."""
        try:
            created = await actions.create_contract(actor=actor(request), data=data)
        except OverlapWarning as error:
            return overlap_response(error)
        return Response(content=created, status_code=201)

    @get("/contracts/{contract_id:int}", opt={"permission": "contracts.view"})
    async def get_contract(self, request: Req, contract_id: FromPath[int]) -> ContractRead:
        return await queries.get_contract(actor(request), contract_id)

    @patch(
        "/contracts/{contract_id:int}",
        opt={"permission": "contracts.manage"},
        responses={409: ResponseSpec(OverlapBody, description="Overlapping contracts, or stale")},
    )
    async def update_contract(
        self, request: Req, contract_id: FromPath[int], data: JSONBody[ContractUpdate]
    ) -> Response[ContractRead]:
        try:
            updated = await actions.update_contract(
                actor=actor(request), contract_id=contract_id, data=data
            )
        except OverlapWarning as error:
            return overlap_response(error)
        return Response(content=updated, status_code=200)

    # ---- documents ----------------------------------------------------------------------

    @get("/contracts/{contract_id:int}/documents", opt={"permission": "contracts.view"})
    async def list_documents(self, request: Req, contract_id: FromPath[int]) -> list[DocumentRead]:
        return await queries.list_documents(actor(request), contract_id)

    @post("/contracts/{contract_id:int}/documents", opt={"permission": "contracts.manage"})
    async def add_document(
        self, request: Req, contract_id: FromPath[int], data: Multipart
    ) -> DocumentRead:
        """Multipart: ``file`` - a PDF or an image (JPEG, PNG, WebP), at most 10 MB."""
        await queries.contract_row(actor(request), contract_id)
        filename, content = await upload_bytes(data, "file")
        return await actions.add_document(
            actor=actor(request), contract_id=contract_id, filename=filename, content=content
        )

    @get(
        "/contracts/{contract_id:int}/documents/{document_id:int}",
        opt={"permission": "contracts.view"},
        media_type=ANY_FILE,
    )
    async def get_document(
        self, request: Req, contract_id: FromPath[int], document_id: FromPath[int]
    ) -> Response[Any]:
        meta, key = await queries.get_document(actor(request), contract_id, document_id)
        return await document_response(key, meta.content_type, meta.filename)

    @delete(
        "/contracts/{contract_id:int}/documents/{document_id:int}",
        opt={"permission": "contracts.manage"},
    )
    async def delete_document(
        self, request: Req, contract_id: FromPath[int], document_id: FromPath[int]
    ) -> None:
        await actions.delete_document(
            actor=actor(request), contract_id=contract_id, document_id=document_id
        )

    # ---- visit plans --------------------------------------------------------------------

    @get("/contracts/{contract_id:int}/visit-plans", opt={"permission": "contracts.view"})
    async def list_plans(self, request: Req, contract_id: FromPath[int]) -> list[VisitPlanRead]:
        return await queries.list_plans(actor(request), contract_id)

    @post("/contracts/{contract_id:int}/visit-plans", opt={"permission": "contracts.manage"})
    async def create_plan(
        self, request: Req, contract_id: FromPath[int], data: JSONBody[VisitPlanCreate]
    ) -> VisitPlanRead:
        return await actions.create_plan(actor=actor(request), contract_id=contract_id, data=data)

    @patch("/visit-plans/{plan_id:int}", opt={"permission": "contracts.manage"})
    async def update_plan(
        self, request: Req, plan_id: FromPath[int], data: JSONBody[VisitPlanUpdate]
    ) -> VisitPlanRead:
        return await actions.update_plan(actor=actor(request), plan_id=plan_id, data=data)

    # ---- visits -------------------------------------------------------------------------

    @get("/visits", opt={"permission": "contracts.view"})
    async def list_visits(
        self,
        request: Req,
        contract_id: FromQuery[int | None] = None,
        site_id: FromQuery[int | None] = None,
        status: FromQuery[VisitStatus | None] = None,
        start: FromQuery[datetime | None] = None,
        end: FromQuery[datetime | None] = None,
    ) -> list[VisitRead]:
        return await queries.list_visits(
            actor(request),
            contract_id=contract_id,
            site_id=site_id,
            status=status,
            start=start,
            end=end,
        )

    @get("/visits/today", opt={"permission": "contracts.view"})
    async def todays_visits(self, request: Req) -> list[VisitRead]:
        return await queries.todays_visits(actor(request))

    @get("/visits/{visit_id:int}", opt={"permission": "contracts.view"})
    async def get_visit(self, request: Req, visit_id: FromPath[int]) -> VisitRead:
        return await queries.get_visit(actor(request), visit_id)

    @post("/visits/{visit_id:int}/sign-off", opt={"permission": "visits.signoff"}, status_code=200)
    async def sign_off(
        self, request: Req, visit_id: FromPath[int], data: JSONBody[VisitSignOff]
    ) -> VisitRead:
        return await actions.sign_off(actor=actor(request), visit_id=visit_id, data=data)

    @post("/visits/{visit_id:int}/cancel", opt={"permission": "contracts.manage"}, status_code=200)
    async def cancel_visit(self, request: Req, visit_id: FromPath[int]) -> VisitRead:
        return await actions.cancel_visit(actor=actor(request), visit_id=visit_id)

    # ---- scorecards ---------------------------------------------------------------------

    @get("/scorecards", opt={"permission": "scorecards.view"})
    async def list_scorecards(
        self,
        request: Req,
        start: FromQuery[date | None] = None,
        end: FromQuery[date | None] = None,
    ) -> list[Scorecard]:
        return await scorecards.scorecards(actor(request), start, end)

    @get("/scorecards/{partner_id:int}", opt={"permission": "scorecards.view"})
    async def get_scorecard(
        self,
        request: Req,
        partner_id: FromPath[int],
        start: FromQuery[date | None] = None,
        end: FromQuery[date | None] = None,
    ) -> Scorecard:
        return await scorecards.scorecard(actor(request), partner_id, start, end)

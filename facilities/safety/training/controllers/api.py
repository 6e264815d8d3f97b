"""``/api/v1/safety/training-types`` and ``/api/v1/safety/trainings/…``: training types,
named people, completions (one by one or a CSV from a training platform), requirements per
role and site, and the matrix. People and sites outside the caller's scope answer 404."""

from __future__ import annotations

from litestar import Controller, get, post
from litestar.params import FromPath, FromQuery, JSONBody
from litestar.response import Response

from facilities.accounts.enums import Role
from facilities.accounts.principal import actor
from facilities.kit.web import Multipart, Req, upload_bytes
from facilities.safety.training import actions, importer, queries
from facilities.safety.training.schemas import (
    CompletionCreate,
    CompletionRead,
    ImportResult,
    MatrixRead,
    RequirementCreate,
    RequirementRead,
    TraineeCreate,
    TraineeRead,
    TrainingTypeCreate,
    TrainingTypeRead,
)


class TrainingApi(Controller):
    path = "/api/v1/safety"
    tags = ["safety"]

    @get("/training-types", opt={"permission": "training.view"})
    async def list_types(self) -> list[TrainingTypeRead]:
        return await queries.list_types()

    @post("/training-types", opt={"permission": "training.manage"})
    async def create_type(
        self, request: Req, data: JSONBody[TrainingTypeCreate]
    ) -> Response[TrainingTypeRead]:
        created = await actions.create_type(actor=actor(request), data=data)
        return Response(content=created, status_code=201)

    @get("/trainings/people", opt={"permission": "training.view"})
    async def list_people(
        self, request: Req, site_id: FromQuery[int | None] = None
    ) -> list[TraineeRead]:
        """Named people without an account (users take trainings as themselves)."""
        return await queries.list_trainees(actor(request), site_id=site_id)

    @post("/trainings/people", opt={"permission": "training.manage"})
    async def create_person(
        self, request: Req, data: JSONBody[TraineeCreate]
    ) -> Response[TraineeRead]:
        created = await actions.create_trainee(actor=actor(request), data=data)
        return Response(content=created, status_code=201)

    @get("/trainings/completions", opt={"permission": "training.view"})
    async def list_completions(
        self, request: Req, site_id: FromQuery[int | None] = None
    ) -> list[CompletionRead]:
        return await queries.list_completions(actor(request), site_id=site_id)

    @post("/trainings/completions", opt={"permission": "training.manage"})
    async def record_completion(
        self, request: Req, data: JSONBody[CompletionCreate]
    ) -> Response[CompletionRead]:
        """Without ``valid_until`` the type's validity applies (409 for a repeat)."""
        created = await actions.record_completion(actor=actor(request), data=data)
        return Response(content=created, status_code=201)

    @get("/trainings/completions/{completion_id:int}", opt={"permission": "training.view"})
    async def get_completion(self, request: Req, completion_id: FromPath[int]) -> CompletionRead:
        return await queries.get_completion(actor(request), completion_id)

    @post("/trainings/import", opt={"permission": "training.manage"})
    async def import_csv(self, request: Req, data: Multipart) -> ImportResult:
        """Multipart field ``file``: a CSV with the columns ``email``, ``training``,
        ``completed_on`` (and optionally ``valid_until``, ``certificate``); see
        docs/training-import.md. All or nothing: 422 lists every row error."""
        _name, content = await upload_bytes(data, "file")
        return await importer.import_completions(actor=actor(request), content=content)

    @get("/trainings/requirements", opt={"permission": "training.view"})
    async def list_requirements(self) -> list[RequirementRead]:
        return await queries.list_requirements()

    @post("/trainings/requirements", opt={"permission": "training.manage"})
    async def create_requirement(
        self, request: Req, data: JSONBody[RequirementCreate]
    ) -> Response[RequirementRead]:
        created = await actions.create_requirement(actor=actor(request), data=data)
        return Response(content=created, status_code=201)

    @get("/trainings/matrix", opt={"permission": "training.view"})
    async def matrix(
        self,
        request: Req,
        site_id: FromQuery[int | None] = None,
        partner_id: FromQuery[int | None] = None,
        role: FromQuery[Role | None] = None,
    ) -> MatrixRead:
        """Per site (``role``: one team), per partner, or every site the caller sees."""
        return await queries.matrix(
            actor(request),
            site_id=site_id,
            partner_id=partner_id,
            role=role.value if role else None,
        )

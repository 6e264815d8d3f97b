"""``/api/v1/safety/…``: inspection templates (and the starter templates shipped as data),
programmes, inspections (start, answers, photos, submit) and findings. An inspection or
finding outside the caller's scope (another site; for a partner, one not assigned to it)
answers 404."""

from __future__ import annotations

from litestar import Controller, Response, get, patch, post, put
from litestar.params import FromPath, FromQuery, JSONBody

from facilities.accounts.principal import actor
from facilities.kit.errors import RuleViolation
from facilities.kit.i18n import _
from facilities.kit.openapi import IMAGE
from facilities.kit.web import Multipart, Req, optional_upload, stored_file_response
from facilities.safety.inspections import actions, queries, starters
from facilities.safety.inspections.schemas import (
    AnswerRead,
    AnswerWrite,
    FindingRead,
    FindingStatus,
    GenerationRead,
    InspectionRead,
    InspectionStatus,
    InspectionSummary,
    ProgrammeCreate,
    ProgrammeRead,
    ProgrammeUpdate,
    StarterCopy,
    StarterRead,
    SubmitRead,
    SubmitWrite,
    TemplateCreate,
    TemplateRead,
    TemplateUpdate,
    TemplateVersionRead,
)

ITEM = "/inspections/{inspection_id:int}/items/{item_key:str}"


class InspectionsApi(Controller):
    path = "/api/v1/safety"
    tags = ["safety"]

    # ---- templates ----------------------------------------------------------------------

    @get("/templates", opt={"permission": "safety.view"})
    async def list_templates(
        self, request: Req, active: FromQuery[bool | None] = None
    ) -> list[TemplateRead]:
        return await queries.list_templates(actor(request), active=active)

    @post("/templates", opt={"permission": "safety.manage"})
    async def create_template(self, request: Req, data: JSONBody[TemplateCreate]) -> TemplateRead:
        """Items of kind pass_fail_na, yes_no, number (unit, min, max), text, choice
        (options), photo, signature; per item required, weight (>= 0), critical,
        fail_answers, show_if_item/show_if_answers (a follow-up), section."""
        return await actions.create_template(actor=actor(request), data=data)

    @get("/templates/{template_id:int}", opt={"permission": "safety.view"})
    async def get_template(self, request: Req, template_id: FromPath[int]) -> TemplateRead:
        return await queries.get_template(actor(request), template_id)

    @patch("/templates/{template_id:int}", opt={"permission": "safety.manage"})
    async def update_template(
        self, request: Req, template_id: FromPath[int], data: JSONBody[TemplateUpdate]
    ) -> TemplateRead:
        """New ``items`` make a new version; inspections keep the version they use."""
        return await actions.update_template(
            actor=actor(request), template_id=template_id, data=data
        )

    @get("/templates/{template_id:int}/versions", opt={"permission": "safety.view"})
    async def list_versions(
        self, request: Req, template_id: FromPath[int]
    ) -> list[TemplateVersionRead]:
        """Every saved version, newest first (inspections keep the version they started on)."""
        return await queries.list_versions(actor(request), template_id)

    @get("/starter-templates", opt={"permission": "safety.view"})
    async def list_starters(self, language: FromQuery[str] = "en") -> list[StarterRead]:
        lang = "de" if language == "de" else "en"
        return [
            StarterRead(key=key, name=name, language=lang, items=count)
            for key, name, count in starters.listing(lang)
        ]

    @post("/starter-templates/copy", opt={"permission": "safety.manage"})
    async def copy_starter(self, request: Req, data: JSONBody[StarterCopy]) -> TemplateRead:
        """An editable copy of a starter template (``key``) in English or German."""
        return await actions.copy_starter(
            actor=actor(request), key=data.key, language=data.language
        )

    # ---- programmes ---------------------------------------------------------------------

    @get("/programmes", opt={"permission": "safety.view"})
    async def list_programmes(self, request: Req) -> list[ProgrammeRead]:
        return await queries.list_programmes(actor(request))

    @post("/programmes", opt={"permission": "safety.manage"})
    async def create_programme(
        self, request: Req, data: JSONBody[ProgrammeCreate]
    ) -> ProgrammeRead:
        return await actions.create_programme(actor=actor(request), data=data)

    @get("/programmes/{programme_id:int}", opt={"permission": "safety.view"})
    async def get_programme(self, request: Req, programme_id: FromPath[int]) -> ProgrammeRead:
        return await queries.get_programme(actor(request), programme_id)

    @patch("/programmes/{programme_id:int}", opt={"permission": "safety.manage"})
    async def update_programme(
        self, request: Req, programme_id: FromPath[int], data: JSONBody[ProgrammeUpdate]
    ) -> ProgrammeRead:
        """Any field of a new programme and ``active``; checked like a new one. A changed
        rule, start or target applies from now (nothing in the past is generated)."""
        return await actions.update_programme(
            actor=actor(request), programme_id=programme_id, data=data
        )

    @post("/programmes/generate", opt={"permission": "safety.manage"}, status_code=200)
    async def generate(self) -> GenerationRead:
        """Create the inspections now due (the scheduler does this every few minutes)."""
        return await actions.generate_due()

    # ---- inspections --------------------------------------------------------------------

    @get("/inspections", opt={"permission": "safety.view"})
    async def list_inspections(
        self,
        request: Req,
        status: FromQuery[InspectionStatus | None] = None,
        site_id: FromQuery[int | None] = None,
    ) -> list[InspectionSummary]:
        return await queries.list_inspections(actor(request), status=status, site_id=site_id)

    @get("/inspections/{inspection_id:int}", opt={"permission": "safety.view"})
    async def get_inspection(self, request: Req, inspection_id: FromPath[int]) -> InspectionRead:
        return await queries.get_inspection(actor(request), inspection_id)

    @post("/inspections/{inspection_id:int}/start", opt={"permission": "safety.inspect"},
          status_code=200)  # fmt: skip
    async def start(self, request: Req, inspection_id: FromPath[int]) -> InspectionRead:
        return await actions.start_inspection(actor=actor(request), inspection_id=inspection_id)

    @put(ITEM, opt={"permission": "safety.inspect"})
    async def answer(
        self,
        request: Req,
        inspection_id: FromPath[int],
        item_key: FromPath[str],
        data: JSONBody[AnswerWrite],
    ) -> AnswerRead:
        """Saved at once. ``version``: the answer's version you saw (0 for none yet); a
        newer one answers 409 with ``current``. ``template_version_id`` of another version
        answers 422. A repeated ``client_key`` returns the first answer."""
        return await actions.answer_item(
            actor=actor(request), inspection_id=inspection_id, item_key=item_key, data=data
        )

    @post(f"{ITEM}/photo", opt={"permission": "safety.inspect"}, status_code=200)
    async def upload_photo(
        self, request: Req, inspection_id: FromPath[int], item_key: FromPath[str], data: Multipart
    ) -> AnswerRead:
        """Multipart ``photo`` (re-encoded, metadata stripped), optional ``client_key``."""
        content = await optional_upload(data.get("photo"))
        if content is None:
            raise RuleViolation("photo", _("Choose a photo."))
        key = data.get("client_key")
        return await actions.answer_photo(
            actor=actor(request),
            inspection_id=inspection_id,
            item_key=item_key,
            photo=content,
            client_key=actions.parse_client_key(key),
        )

    @get(f"{ITEM}/photo", opt={"permission": "safety.view"}, media_type=IMAGE)
    async def photo(
        self, request: Req, inspection_id: FromPath[int], item_key: FromPath[str]
    ) -> Response[bytes]:
        key, content_type = await queries.answer_photo(actor(request), inspection_id, item_key)
        return await stored_file_response(key, content_type)

    @post("/inspections/{inspection_id:int}/submit", opt={"permission": "safety.inspect"},
          status_code=200)  # fmt: skip
    async def submit(
        self, request: Req, inspection_id: FromPath[int], data: JSONBody[SubmitWrite]
    ) -> SubmitRead:
        """Score and findings. 422 lists required items unanswered; 409 when submitted
        already; a repeated ``client_key`` returns the first result."""
        return await actions.submit_inspection(
            actor=actor(request), inspection_id=inspection_id, data=data
        )

    # ---- findings -----------------------------------------------------------------------

    @get("/findings", opt={"permission": "safety.view"})
    async def list_findings(
        self, request: Req, status: FromQuery[FindingStatus | None] = None
    ) -> list[FindingRead]:
        return await queries.list_findings(actor(request), status=status)

    @get("/findings/{finding_id:int}", opt={"permission": "safety.view"})
    async def get_finding(self, request: Req, finding_id: FromPath[int]) -> FindingRead:
        return await queries.get_finding(actor(request), finding_id)

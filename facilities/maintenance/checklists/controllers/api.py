"""``/api/v1``: checklist templates (ops) and a work order's checklist (answers, photos,
follow-ups). Another partner's or another site's work order answers 404 on every endpoint."""

from __future__ import annotations

from litestar import Controller, Response, get, patch, post, put
from litestar.params import FromPath, FromQuery, JSONBody

from facilities.accounts.principal import actor
from facilities.kit.errors import RuleViolation
from facilities.kit.i18n import _
from facilities.kit.openapi import IMAGE
from facilities.kit.web import Multipart, Req, optional_upload, stored_file_response
from facilities.maintenance.checklists import actions, queries
from facilities.maintenance.checklists.schemas import (
    AnswerUpdate,
    ChecklistAttach,
    ChecklistItemRead,
    ChecklistRead,
    ChecklistTemplateCreate,
    ChecklistTemplateRead,
    ChecklistTemplateUpdate,
    ChecklistVersionRead,
    FollowUpRead,
)

ITEM = "/work-orders/{work_order_id:int}/checklist/items/{item_id:int}"


class ChecklistsApi(Controller):
    path = "/api/v1"
    tags = ["checklists"]

    # ---- templates ----------------------------------------------------------------------

    @get("/checklist-templates", opt={"permission": "schedules.view"})
    async def list_templates(
        self,
        category_id: FromQuery[int | None] = None,
        active: FromQuery[bool | None] = None,
    ) -> list[ChecklistTemplateRead]:
        return await queries.list_templates(category_id=category_id, active=active)

    @post("/checklist-templates", opt={"permission": "checklists.manage"})
    async def create_template(
        self, request: Req, data: JSONBody[ChecklistTemplateCreate]
    ) -> ChecklistTemplateRead:
        return await actions.create_template(actor=actor(request), data=data)

    @get("/checklist-templates/{template_id:int}", opt={"permission": "schedules.view"})
    async def get_template(self, template_id: FromPath[int]) -> ChecklistTemplateRead:
        return await queries.get_template(template_id)

    @patch("/checklist-templates/{template_id:int}", opt={"permission": "checklists.manage"})
    async def update_template(
        self, request: Req, template_id: FromPath[int], data: JSONBody[ChecklistTemplateUpdate]
    ) -> ChecklistTemplateRead:
        return await actions.update_template(
            actor=actor(request), template_id=template_id, data=data
        )

    @get("/checklist-templates/{template_id:int}/versions", opt={"permission": "schedules.view"})
    async def list_versions(self, template_id: FromPath[int]) -> list[ChecklistVersionRead]:
        return await queries.list_versions(template_id)

    # ---- a work order's checklist -------------------------------------------------------

    @get("/work-orders/{work_order_id:int}/checklist", opt={"permission": "workorders.view"})
    async def get_checklist(self, request: Req, work_order_id: FromPath[int]) -> ChecklistRead:
        return await actions.load_checklist(actor(request), work_order_id)

    @put("/work-orders/{work_order_id:int}/checklist", opt={"permission": "workorders.manage"})
    async def attach_checklist(
        self, request: Req, work_order_id: FromPath[int], data: JSONBody[ChecklistAttach]
    ) -> ChecklistRead:
        return await actions.attach_checklist(
            actor=actor(request), work_order_id=work_order_id, template_id=data.template_id
        )

    @put(ITEM, opt={"permission": "workorders.view"})
    async def answer(
        self,
        request: Req,
        work_order_id: FromPath[int],
        item_id: FromPath[int],
        data: JSONBody[AnswerUpdate],
    ) -> ChecklistItemRead:
        return await actions.answer_item(
            actor=actor(request), work_order_id=work_order_id, item_id=item_id, data=data
        )

    @post(f"{ITEM}/photo", opt={"permission": "workorders.view"}, status_code=200)
    async def upload_photo(
        self, request: Req, work_order_id: FromPath[int], item_id: FromPath[int], data: Multipart
    ) -> ChecklistItemRead:
        content = await optional_upload(data.get("photo"))
        if content is None:
            raise RuleViolation("photo", _("Choose a photo."))
        return await actions.answer_photo(
            actor=actor(request), work_order_id=work_order_id, item_id=item_id, photo=content
        )

    @get(f"{ITEM}/photo", opt={"permission": "workorders.view"}, media_type=IMAGE)
    async def photo(
        self, request: Req, work_order_id: FromPath[int], item_id: FromPath[int]
    ) -> Response[bytes]:
        key, content_type = await queries.item_photo(actor(request), work_order_id, item_id)
        return await stored_file_response(key, content_type)

    @post(f"{ITEM}/follow-up", opt={"permission": "workorders.view"})
    async def follow_up(
        self, request: Req, work_order_id: FromPath[int], item_id: FromPath[int]
    ) -> Response[FollowUpRead]:
        result = await actions.create_follow_up(
            actor=actor(request), work_order_id=work_order_id, item_id=item_id
        )
        return Response(result, status_code=201 if result.created else 200)

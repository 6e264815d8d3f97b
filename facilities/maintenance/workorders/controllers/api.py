"""``/api/v1/work-orders``: create, read, edit, lifecycle steps, comments, time, costs,
photos and the printable sheet. Partners only ever reach their organisation's orders."""

from __future__ import annotations

from typing import Annotated

from litestar import Controller, get, patch, post
from litestar.di import NamedDependency
from litestar.params import FromPath, FromQuery, JSONBody, QueryParameter
from litestar.response import Response

from facilities.accounts.principal import actor
from facilities.kit.errors import RuleViolation
from facilities.kit.i18n import _
from facilities.kit.listing import provide
from facilities.kit.openapi import IMAGE, PDF
from facilities.kit.pagination import Limit, Offset
from facilities.kit.schema import Page
from facilities.kit.web import Multipart, Req, optional_upload, pdf_response, stored_file_response
from facilities.maintenance.workorders import actions, magic, queries, sheet, work
from facilities.maintenance.workorders.schemas import (
    CommentCreate,
    CommentRead,
    CostCreate,
    CostRead,
    EventRead,
    MagicLinkCreate,
    MagicLinkCreated,
    MagicLinkRead,
    PhotoRead,
    PhotoStage,
    TimeCreate,
    TimeRead,
    TransitionRequest,
    WorkOrderCreate,
    WorkOrderRead,
    WorkOrderUpdate,
)
from facilities.settings import get_settings


class WorkOrdersApi(Controller):
    path = "/api/v1/work-orders"
    tags = ["work orders"]

    @get(
        "/",
        opt={"permission": "workorders.view"},
        dependencies={"filters": provide(queries.WorkOrderFilters)},
    )
    async def list_work_orders(
        self,
        request: Req,
        filters: NamedDependency[queries.WorkOrderFilters],
        open: FromQuery[bool] = False,
        limit: Limit = 50,
        offset: Offset = 0,
        cursor: Annotated[str | None, QueryParameter(max_length=400)] = None,
    ) -> Page[WorkOrderRead]:
        """Partners: their organisation's orders; staff: the orders of their sites.
        Filters combine; ``overdue`` keeps open orders past their due time, ``unassigned``
        open orders with neither a partner nor a person; ``q`` searches the title, the
        number and the asset's name; ``sort``: priority (then due time), due, newest,
        oldest, updated. Long lists: pass the answer's ``next_cursor`` as ``cursor`` (with
        the same filters and sort) for the next page; ``offset`` only reaches the first
        5,000 rows. ``total`` is counted on pages without a cursor only (null after a
        cursor; ``next_cursor`` says whether more follow), and up to 10,000: beyond that
        ``total`` is 10,000 and ``total_exact`` false ("more than")."""
        return await queries.list_work_orders(
            actor(request),
            **filters.arguments(),
            open_only=open,
            limit=limit,
            offset=offset,
            cursor=cursor,
        )

    @post("/", opt={"permission": "workorders.create"})
    async def create_work_order(
        self, request: Req, data: JSONBody[WorkOrderCreate]
    ) -> WorkOrderRead:
        return await actions.create_work_order(actor=actor(request), data=data)

    # ---- magic links for one-off contractors (staff, or the order's partner) ----------

    @get("/{work_order_id:int}/magic-links", opt={"permission": "workorders.links"})
    async def list_magic_links(
        self, request: Req, work_order_id: FromPath[int]
    ) -> list[MagicLinkRead]:
        return await magic.list_links(actor(request), work_order_id)

    @post("/{work_order_id:int}/magic-links", opt={"permission": "workorders.links"})
    async def issue_magic_link(
        self, request: Req, work_order_id: FromPath[int], data: JSONBody[MagicLinkCreate]
    ) -> MagicLinkCreated:
        """A new link (the URL is shown once; only its hash is stored)."""
        me = actor(request)
        path = await magic.issue_link(work_order_id=work_order_id, email=data.email, issued_by=me)
        newest = (await magic.list_links(me, work_order_id))[0]
        return MagicLinkCreated(link=newest, url=f"{get_settings().base_url}{path}")

    @post(
        "/{work_order_id:int}/magic-links/{link_id:int}/revoke",
        opt={"permission": "workorders.links"},
        status_code=200,
    )
    async def revoke_magic_link(
        self, request: Req, work_order_id: FromPath[int], link_id: FromPath[int]
    ) -> MagicLinkRead:
        return await magic.revoke_link(
            actor=actor(request), work_order_id=work_order_id, link_id=link_id
        )

    @get("/{work_order_id:int}", opt={"permission": "workorders.view"})
    async def get_work_order(self, request: Req, work_order_id: FromPath[int]) -> WorkOrderRead:
        return await queries.get_work_order(actor(request), work_order_id)

    @patch("/{work_order_id:int}", opt={"permission": "workorders.manage"})
    async def update_work_order(
        self, request: Req, work_order_id: FromPath[int], data: JSONBody[WorkOrderUpdate]
    ) -> WorkOrderRead:
        """Change facts; ``version`` is required and a stale one answers 409."""
        return await actions.update_work_order(
            actor=actor(request), work_order_id=work_order_id, data=data
        )

    @post(
        "/{work_order_id:int}/transitions", opt={"permission": "workorders.view"}, status_code=200
    )
    async def transition(
        self, request: Req, work_order_id: FromPath[int], data: JSONBody[TransitionRequest]
    ) -> WorkOrderRead:
        """A lifecycle step: 403 if the role may not, 409 if the state (or version) does not
        allow it, 422 for a missing note or hold reason."""
        return await actions.transition(
            actor=actor(request), work_order_id=work_order_id, data=data
        )

    @get("/{work_order_id:int}/events", opt={"permission": "workorders.view"})
    async def events(self, request: Req, work_order_id: FromPath[int]) -> list[EventRead]:
        return await queries.events(actor(request), work_order_id)

    @get("/{work_order_id:int}/comments", opt={"permission": "workorders.view"})
    async def comments(self, request: Req, work_order_id: FromPath[int]) -> list[CommentRead]:
        return await queries.comments(actor(request), work_order_id)

    @post("/{work_order_id:int}/comments", opt={"permission": "workorders.view"})
    async def add_comment(
        self, request: Req, work_order_id: FromPath[int], data: JSONBody[CommentCreate]
    ) -> CommentRead:
        return await work.add_comment(actor=actor(request), work_order_id=work_order_id, data=data)

    @get("/{work_order_id:int}/time", opt={"permission": "workorders.view"})
    async def time_entries(self, request: Req, work_order_id: FromPath[int]) -> list[TimeRead]:
        return await queries.time_entries(actor(request), work_order_id)

    @post("/{work_order_id:int}/time", opt={"permission": "workorders.view"})
    async def add_time(
        self, request: Req, work_order_id: FromPath[int], data: JSONBody[TimeCreate]
    ) -> TimeRead:
        return await work.add_time(actor=actor(request), work_order_id=work_order_id, data=data)

    @get("/{work_order_id:int}/costs", opt={"permission": "workorders.view"})
    async def costs(self, request: Req, work_order_id: FromPath[int]) -> list[CostRead]:
        return await queries.costs(actor(request), work_order_id)

    @post("/{work_order_id:int}/costs", opt={"permission": "workorders.view"})
    async def add_cost(
        self, request: Req, work_order_id: FromPath[int], data: JSONBody[CostCreate]
    ) -> CostRead:
        return await work.add_cost(actor=actor(request), work_order_id=work_order_id, data=data)

    @get("/{work_order_id:int}/photos", opt={"permission": "workorders.view"})
    async def photos(self, request: Req, work_order_id: FromPath[int]) -> list[PhotoRead]:
        return await queries.photos(actor(request), work_order_id)

    @post("/{work_order_id:int}/photos", opt={"permission": "workorders.view"})
    async def add_photo(
        self, request: Req, work_order_id: FromPath[int], data: Multipart
    ) -> PhotoRead:
        """Multipart: ``photo`` (JPEG, PNG or WebP; re-encoded) and ``stage``
        (before, after, other)."""
        content = await optional_upload(data.get("photo"))
        if content is None:
            raise RuleViolation("photo", _("Send a photo in the multipart field “photo”."))
        try:
            stage = PhotoStage(str(data.get("stage") or "other"))
        except ValueError:
            raise RuleViolation("stage", _("Choose before, after or other.")) from None
        return await work.add_photo(
            actor=actor(request), work_order_id=work_order_id, photo=content, stage=stage
        )

    @get(
        "/{work_order_id:int}/photos/{photo_id:int}",
        opt={"permission": "workorders.view"},
        media_type=IMAGE,
    )
    async def get_photo(
        self, request: Req, work_order_id: FromPath[int], photo_id: FromPath[int]
    ) -> Response[bytes]:
        key, content_type = await queries.photo_file(actor(request), work_order_id, photo_id)
        return await stored_file_response(key, content_type)

    @get("/{work_order_id:int}/sheet.pdf", opt={"permission": "workorders.view"}, media_type=PDF)
    async def sheet(self, request: Req, work_order_id: FromPath[int]) -> Response[bytes]:
        """The printable work-order sheet."""
        content = await sheet.render(actor(request), work_order_id)
        return pdf_response(content, f"work-order-{work_order_id}.pdf")

"""Pages of magic links: the contractor's ``/m/{token}`` (public, phone first, no account)
and the staff's issue/revoke buttons on the work-order page.

The contractor's pages only ever touch the order the link names; every step runs through
the same actions as a signed-in partner's. Posts are CSRF-protected (the double-submit
cookie works without a session) and rate-limited per client and per link.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from litestar import Controller, get, post
from litestar.params import FromPath
from litestar.response import Response, Template

from facilities.accounts.principal import actor
from facilities.kit import forms
from facilities.kit.errors import FacilitiesError, RateLimited, RuleViolation
from facilities.kit.i18n import _, current_locale
from facilities.kit.ratelimit import Limit, client_address
from facilities.kit.templating import page, redirect
from facilities.kit.web import Form, Multipart, Req, optional_upload, stored_file_response
from facilities.maintenance import limits
from facilities.maintenance.lifecycle import HoldReason
from facilities.maintenance.workorders import actions, context, magic, queries, work
from facilities.maintenance.workorders.controllers.pages import page_labels
from facilities.maintenance.workorders.schemas import (
    ACTION_LABELS,
    CommentCreate,
    PhotoStage,
    TransitionRequest,
)
from facilities.settings import get_settings

# What a contractor may do through a link (no decline: that is the organisation's call).
LINK_ACTIONS = ("accept", "start", "hold", "resume", "complete")
POSTS_PER_CLIENT = Limit("magic-client", 60, timedelta(minutes=10))
POSTS_PER_LINK = Limit("magic-link", 120, timedelta(hours=1))
PRIVATE = {"Cache-Control": "private, no-store", "Referrer-Policy": "no-referrer"}


def _gone_page(request: Req, problem: magic.LinkProblem) -> Template:
    response = page(
        request,
        "maintenance/workorders/magic_gone.html",
        {"kind": problem.kind, "contact": problem.contact},
        status_code=problem.status_code,
    )
    response.headers.update(PRIVATE)
    return response


async def _open(request: Req, token: str, *, touch: bool = False) -> magic.OpenLink | Template:
    try:
        return await magic.open_link(token, locale=current_locale(), touch=touch)
    except magic.LinkProblem as problem:
        return _gone_page(request, problem)


async def _link_page(
    request: Req,
    token: str,
    link: magic.OpenLink,
    errors: dict[str, str] | None = None,
    status: int = 200,
    values: dict[str, Any] | None = None,
) -> Template:
    me = link.principal
    order = link.order
    asset = await context.asset_facts(order.asset_id) if order.asset_id else None
    response = page(
        request,
        "maintenance/workorders/magic.html",
        {
            "token": token,
            "order": order,
            "email": link.email,
            "site": await context.site_facts(order.site_id),
            "asset": asset,
            "checklist": await magic.checklist_items(order.id),
            "photos": await queries.photos(me, order.id),
            "comments": await queries.comments(me, order.id),
            "actions": [a for a in order.allowed_actions if a in LINK_ACTIONS],
            "hold_reasons": list(HoldReason),
            "errors": errors or {},
            "values": values or {},
            **page_labels(),
        },
        status_code=status,
    )
    response.headers.update(PRIVATE)
    return response


async def _limit(request: Req, token: str) -> None:
    await limits.limiter.hit(
        (POSTS_PER_CLIENT, client_address(request)), (POSTS_PER_LINK, token[:100])
    )


async def _attempt(
    request: Req, token: str, link: magic.OpenLink, run: Any, message: str, values: dict[str, Any]
) -> Response[Any]:
    try:
        await _limit(request, token)
        await run()
    except RateLimited as error:
        response = await _link_page(request, token, link, {"form": error.message}, 429, values)
        response.headers["Retry-After"] = str(error.retry_after)
        return response
    except FacilitiesError as error:
        if error.status_code == 404:  # the order left the partner meanwhile
            return _gone_page(request, magic.LinkProblem("unassigned"))
        return await _link_page(
            request, token, link, forms.errors_of(error), error.status_code, values
        )
    return redirect(f"{magic.PATH_PREFIX}{token}", message)


class MagicLinkPages(Controller):
    include_in_schema = False

    # ---- the contractor (no account) ---------------------------------------------------

    @get("/m/{token:str}", opt={"public": True})
    async def link_page(self, request: Req, token: FromPath[str]) -> Template:
        opened = await _open(request, token, touch=True)
        if isinstance(opened, Template):
            return opened
        return await _link_page(request, token, opened)

    @get("/m/{token:str}/photos/{photo_id:int}", opt={"public": True})
    async def link_photo(
        self, request: Req, token: FromPath[str], photo_id: FromPath[int]
    ) -> Response[Any]:
        opened = await _open(request, token)
        if isinstance(opened, Template):
            return opened
        key, content_type = await queries.photo_file(opened.principal, opened.order.id, photo_id)
        return await stored_file_response(key, content_type)

    @post(
        "/m/{token:str}/transition",
        opt={"public": True, "form": TransitionRequest},
        status_code=303,
    )
    async def link_transition(
        self, request: Req, token: FromPath[str], data: Form
    ) -> Response[Any]:
        opened = await _open(request, token, touch=True)
        if isinstance(opened, Template):
            return opened
        link = opened
        fields = ("action", "version", "note", "hold_reason")
        values = forms.clean({k: v for k, v in data.items() if k in fields and isinstance(v, str)})
        values.setdefault("note", "")
        if values.get("action") not in LINK_ACTIONS:
            return await _link_page(
                request, token, link, {"action": _("Unknown action.")}, 422, values
            )
        step, errors = forms.convert(values, TransitionRequest)
        if step is None:
            return await _link_page(request, token, link, errors, 422, values)
        checked = step

        async def run() -> None:
            await actions.transition(
                actor=link.principal, work_order_id=link.order.id, data=checked
            )

        label = _(ACTION_LABELS.get(checked.action, checked.action))
        return await _attempt(
            request, token, link, run, _("Done: %(action)s") % {"action": label}, values
        )

    @post("/m/{token:str}/comments", opt={"public": True, "form": CommentCreate}, status_code=303)
    async def link_comment(self, request: Req, token: FromPath[str], data: Form) -> Response[Any]:
        opened = await _open(request, token, touch=True)
        if isinstance(opened, Template):
            return opened
        link = opened
        body = str(data.get("body") or "").strip()
        comment, _errors = forms.convert({"body": body}, CommentCreate)
        if comment is None:
            return await _link_page(
                request, token, link, {"body": _("Write a comment.")}, 422, {"body": body}
            )
        checked = comment

        async def run() -> None:
            await work.add_comment(actor=link.principal, work_order_id=link.order.id, data=checked)

        return await _attempt(request, token, link, run, _("Comment added."), {"body": body})

    @post("/m/{token:str}/photos", opt={"public": True}, status_code=303)
    async def link_add_photo(
        self, request: Req, token: FromPath[str], data: Multipart
    ) -> Response[Any]:
        opened = await _open(request, token, touch=True)
        if isinstance(opened, Template):
            return opened
        link = opened
        content = await optional_upload(data.get("photo"))

        async def run() -> None:
            if content is None:
                raise RuleViolation("photo", _("Choose a photo."))
            try:
                stage = PhotoStage(str(data.get("stage") or "other"))
            except ValueError:
                raise RuleViolation("stage", _("Choose before, after or other.")) from None
            await work.add_photo(
                actor=link.principal, work_order_id=link.order.id, photo=content, stage=stage
            )

        return await _attempt(request, token, link, run, _("Photo added."), {})

    # ---- staff: issue and revoke from the work-order page ------------------------------

    @post("/work-orders/{work_order_id:int}/magic-links", opt={"permission": "workorders.links"})
    async def issue(self, request: Req, work_order_id: FromPath[int], data: Form) -> Template:
        email = str(data.get("email") or "").strip()
        try:
            path = await magic.issue_link(
                work_order_id=work_order_id, email=email, issued_by=actor(request)
            )
        except FacilitiesError as error:
            if error.status_code == 404:
                raise
            return await _links_page(request, work_order_id, forms.errors_of(error), None, 422)
        return await _links_page(
            request, work_order_id, {}, f"{get_settings().base_url}{path}", 201
        )

    @get("/work-orders/{work_order_id:int}/magic-links", opt={"permission": "workorders.links"})
    async def links(self, request: Req, work_order_id: FromPath[int]) -> Template:
        return await _links_page(request, work_order_id, {}, None)

    @post(
        "/work-orders/{work_order_id:int}/magic-links/{link_id:int}/revoke",
        opt={"permission": "workorders.links"},
        status_code=303,
    )
    async def revoke(
        self, request: Req, work_order_id: FromPath[int], link_id: FromPath[int]
    ) -> Response[Any]:
        await magic.revoke_link(actor=actor(request), work_order_id=work_order_id, link_id=link_id)
        return redirect(f"/work-orders/{work_order_id}/magic-links", _("The link was revoked."))


async def _links_page(
    request: Req,
    work_order_id: int,
    errors: dict[str, str],
    new_url: str | None,
    status: int = 200,
) -> Template:
    me = actor(request)
    order = await queries.get_work_order(me, work_order_id)
    response = page(
        request,
        "maintenance/workorders/magic_links.html",
        {
            "order": order,
            "links": await magic.list_links(me, work_order_id),
            "new_url": new_url,
            "errors": errors,
            "default_email": await magic.partner_email(order.partner_organisation_id),
        },
        status_code=status,
    )
    response.headers.update(PRIVATE)
    return response

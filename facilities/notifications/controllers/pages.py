"""Pages: my notification preferences, the outbox, webhook endpoints; the reporter's page."""

from __future__ import annotations

from typing import Any

import msgspec
from litestar import Controller, get, post
from litestar.params import FromPath, FromQuery
from litestar.response import Response, Template

from facilities.accounts.principal import actor
from facilities.kit import forms
from facilities.kit.errors import FacilitiesError
from facilities.kit.i18n import _
from facilities.kit.templating import page, redirect
from facilities.kit.web import Req
from facilities.notifications import actions, failures, queries
from facilities.notifications.enums import (
    CHOOSABLE,
    EVENT_LABELS,
    MODE_LABELS,
    STATUS_LABELS,
    Event,
    Mode,
    Status,
)
from facilities.notifications.schemas import PreferencesUpdate, WebhookCreate, WebhookUpdate


def _labels() -> dict[str, Any]:
    return {
        "event_labels": {e.value: _(label) for e, label in EVENT_LABELS.items()},
        "mode_labels": {m.value: _(label) for m, label in MODE_LABELS.items()},
        "status_labels": {s.value: _(label) for s, label in STATUS_LABELS.items()},
        "choosable": [e.value for e in CHOOSABLE],
        "explain": failures.explain,
    }


class NotificationPages(Controller):
    include_in_schema = False

    # ---- preferences -----------------------------------------------------------------

    @get("/account/notifications", opt={"permission": "profile.use"})
    async def preferences(self, request: Req) -> Template:
        me = actor(request)
        assert me.user_id is not None
        prefs = await queries.preferences(me.user_id, me.role)
        return page(request, "notifications/preferences.html", {"prefs": prefs, **_labels()})

    @post("/account/notifications", opt={"permission": "profile.use"})
    async def save_preferences(self, request: Req) -> Response[Any]:
        form = await request.form()
        chosen: dict[Event, Mode] = {}
        for event in CHOOSABLE:
            value = form.get(event.value)
            if value in {m.value for m in Mode}:
                chosen[event] = Mode(value)
        await actions.set_preferences(
            actor=actor(request), data=PreferencesUpdate(preferences=chosen)
        )
        return redirect("/account/notifications", _("Notification settings saved."))

    # ---- outbox ----------------------------------------------------------------------

    @get("/admin/outbox", opt={"permission": "outbox.view"})
    async def outbox(
        self, request: Req, status: FromQuery[str | None] = None, offset: FromQuery[int] = 0
    ) -> Template:
        me = actor(request)
        chosen = Status(status) if status in {s.value for s in Status} else None
        messages = await queries.list_outbox(me, status=chosen, limit=50, offset=max(offset, 0))
        counts = await queries.outbox_counts(me)
        return page(
            request,
            "notifications/outbox.html",
            {
                "messages": messages,
                "counts": counts,
                "status": chosen.value if chosen else "",
                "may_retry": me.can("outbox.retry"),
                **_labels(),
            },
        )

    @get("/admin/outbox/{message_id:int}", opt={"permission": "outbox.view"})
    async def outbox_message(self, request: Req, message_id: FromPath[int]) -> Template:
        me = actor(request)
        message = await queries.get_message(me, message_id)
        return page(
            request,
            "notifications/outbox_message.html",
            {"message": message, "may_retry": me.can("outbox.retry"), **_labels()},
        )

    @post("/admin/outbox/{message_id:int}/retry", opt={"permission": "outbox.retry"})
    async def retry(self, request: Req, message_id: FromPath[int]) -> Response[Any]:
        try:
            await actions.retry_message(actor=actor(request), message_id=message_id)
        except FacilitiesError as error:
            if error.status_code == 404:
                raise
            return redirect("/admin/outbox", error.message, "error")
        return redirect("/admin/outbox", _("The message will be sent again."))

    # ---- webhooks --------------------------------------------------------------------

    async def _webhooks_page(
        self,
        request: Req,
        *,
        values: dict[str, Any] | None = None,
        errors: dict[str, str] | None = None,
        created: Any = None,
        status: int = 200,
    ) -> Template:
        return page(
            request,
            "notifications/webhooks.html",
            {
                "webhooks": await queries.list_webhooks(),
                "values": values or {"events": []},
                "errors": errors or {},
                "created": created,
                **_labels(),
            },
            status_code=status,
        )

    @get("/admin/webhooks", opt={"permission": "webhooks.manage"})
    async def webhooks(self, request: Req) -> Template:
        return await self._webhooks_page(request)

    @post("/admin/webhooks", opt={"permission": "webhooks.manage", "form": WebhookCreate})
    async def create_webhook(self, request: Req) -> Template:
        form = await request.form()
        values = {
            "name": (form.get("name") or "").strip(),
            "url": (form.get("url") or "").strip(),
            "events": [e for e in form.getall("events", []) if e],
        }
        data, errors = forms.convert(values, WebhookCreate)
        if data is not None:
            try:
                created = await actions.create_webhook(actor=actor(request), data=data)
                return await self._webhooks_page(request, created=created, status=201)
            except FacilitiesError as error:
                errors = forms.errors_of(error)
        return await self._webhooks_page(request, values=values, errors=errors, status=422)

    @get("/admin/webhooks/{webhook_id:int}", opt={"permission": "webhooks.manage"})
    async def webhook(self, request: Req, webhook_id: FromPath[int]) -> Template:
        return await self._webhook_page(request, webhook_id)

    async def _webhook_page(
        self,
        request: Req,
        webhook_id: int,
        *,
        errors: dict[str, str] | None = None,
        values: dict[str, Any] | None = None,
        status: int = 200,
    ) -> Template:
        endpoint = await queries.get_webhook(webhook_id)
        return page(
            request,
            "notifications/webhook.html",
            {
                "webhook": endpoint,
                "values": values or msgspec.structs.asdict(endpoint),
                "errors": errors or {},
                "attempts": await queries.webhook_attempts(webhook_id),
                "messages": await queries.webhook_messages(webhook_id),
                **_labels(),
            },
            status_code=status,
        )

    @post(
        "/admin/webhooks/{webhook_id:int}",
        opt={"permission": "webhooks.manage", "form": WebhookUpdate},
    )
    async def update_webhook(self, request: Req, webhook_id: FromPath[int]) -> Response[Any]:
        form = await request.form()
        values = {
            "name": (form.get("name") or "").strip(),
            "url": (form.get("url") or "").strip(),
            "events": [e for e in form.getall("events", []) if e],
            "active": form.get("active") == "on",
        }
        data, errors = forms.convert(values, WebhookUpdate)
        if data is not None:
            try:
                await actions.update_webhook(actor=actor(request), webhook_id=webhook_id, data=data)
                return redirect(f"/admin/webhooks/{webhook_id}", _("Webhook saved."))
            except FacilitiesError as error:
                if error.status_code == 404:
                    raise
                errors = forms.errors_of(error)
        return await self._webhook_page(
            request, webhook_id, errors=errors, values=values, status=422
        )

    @post("/admin/webhooks/{webhook_id:int}/delete", opt={"permission": "webhooks.manage"})
    async def delete_webhook(self, request: Req, webhook_id: FromPath[int]) -> Response[Any]:
        await actions.delete_webhook(actor=actor(request), webhook_id=webhook_id)
        return redirect("/admin/webhooks", _("Webhook deleted."))


class ReporterStatusPages(Controller):
    include_in_schema = False

    @get("/n/report/{signed:str}", opt={"public": True})
    async def report_status(self, request: Req, signed: FromPath[str]) -> Template:
        """The status of a problem report, from the signed link in the reporter's e-mails."""
        view = await queries.reporter_view(signed) if len(signed) <= 200 else None
        if view is None:
            return page(request, "maintenance/status_unknown.html", status_code=404)
        return page(request, "notifications/report_status.html", {"view": view})

"""API: my notification preferences, the outbox (ops; retry for admins), webhook endpoints."""

from __future__ import annotations

from litestar import Controller, delete, get, post, put
from litestar.params import FromPath, FromQuery, JSONBody

from facilities.accounts.principal import actor
from facilities.kit.pagination import Limit, Offset
from facilities.kit.schema import Page
from facilities.kit.web import Req
from facilities.notifications import actions, queries
from facilities.notifications.enums import Status
from facilities.notifications.schemas import (
    OutboxCounts,
    OutboxMessageDetail,
    OutboxMessageRead,
    PreferencesRead,
    PreferencesUpdate,
    WebhookAttemptRead,
    WebhookCreate,
    WebhookCreated,
    WebhookRead,
    WebhookUpdate,
)


class NotificationsApi(Controller):
    path = "/api/v1"
    tags = ["notifications"]

    @get("/me/notification-preferences", opt={"permission": "profile.use"})
    async def my_preferences(self, request: Req) -> PreferencesRead:
        me = actor(request)
        assert me.user_id is not None
        return await queries.preferences(me.user_id, me.role)

    @put("/me/notification-preferences", opt={"permission": "profile.use"})
    async def set_my_preferences(
        self, request: Req, data: JSONBody[PreferencesUpdate]
    ) -> PreferencesRead:
        return await actions.set_preferences(actor=actor(request), data=data)

    # ---- outbox ----------------------------------------------------------------------

    @get("/outbox", opt={"permission": "outbox.view"})
    async def list_outbox(
        self,
        request: Req,
        status: FromQuery[Status | None] = None,
        limit: Limit = 50,
        offset: Offset = 0,
    ) -> Page[OutboxMessageRead]:
        """Failed first, then waiting, then sent; newest first within each."""
        return await queries.list_outbox(actor(request), status=status, limit=limit, offset=offset)

    @get("/outbox/counts", opt={"permission": "outbox.view"})
    async def outbox_counts(self, request: Req) -> OutboxCounts:
        return await queries.outbox_counts(actor(request))

    @get("/outbox/{message_id:int}", opt={"permission": "outbox.view"})
    async def get_message(self, request: Req, message_id: FromPath[int]) -> OutboxMessageDetail:
        return await queries.get_message(actor(request), message_id)

    @post("/outbox/{message_id:int}/retry", opt={"permission": "outbox.retry"}, status_code=200)
    async def retry_message(self, request: Req, message_id: FromPath[int]) -> OutboxMessageDetail:
        return await actions.retry_message(actor=actor(request), message_id=message_id)

    # ---- webhooks --------------------------------------------------------------------

    @get("/webhooks", opt={"permission": "webhooks.manage"})
    async def list_webhooks(self) -> list[WebhookRead]:
        return await queries.list_webhooks()

    @post("/webhooks", opt={"permission": "webhooks.manage"})
    async def create_webhook(self, request: Req, data: JSONBody[WebhookCreate]) -> WebhookCreated:
        """The answer holds the signing secret: the only time it is shown."""
        return await actions.create_webhook(actor=actor(request), data=data)

    @get("/webhooks/{webhook_id:int}", opt={"permission": "webhooks.manage"})
    async def get_webhook(self, webhook_id: FromPath[int]) -> WebhookRead:
        return await queries.get_webhook(webhook_id)

    @put("/webhooks/{webhook_id:int}", opt={"permission": "webhooks.manage"})
    async def update_webhook(
        self, request: Req, webhook_id: FromPath[int], data: JSONBody[WebhookUpdate]
    ) -> WebhookRead:
        return await actions.update_webhook(actor=actor(request), webhook_id=webhook_id, data=data)

    @delete("/webhooks/{webhook_id:int}", opt={"permission": "webhooks.manage"})
    async def delete_webhook(self, request: Req, webhook_id: FromPath[int]) -> None:
        await actions.delete_webhook(actor=actor(request), webhook_id=webhook_id)

    @get("/webhooks/{webhook_id:int}/deliveries", opt={"permission": "webhooks.manage"})
    async def webhook_deliveries(self, webhook_id: FromPath[int]) -> list[WebhookAttemptRead]:
        await queries.get_webhook(webhook_id)
        return await queries.webhook_attempts(webhook_id)

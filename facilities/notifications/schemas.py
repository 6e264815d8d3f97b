from __future__ import annotations

from datetime import datetime
from typing import Annotated

import msgspec

from facilities.kit.schema import Schema
from facilities.notifications.enums import Event, Kind, Mode, Status

Url = Annotated[str, msgspec.Meta(min_length=1, max_length=2000)]
Name = Annotated[str, msgspec.Meta(min_length=1, max_length=120)]


class PreferenceRead(Schema):
    event: Event
    mode: Mode
    default: Mode
    label: str


class PreferencesRead(Schema):
    preferences: list[PreferenceRead]


class PreferencesUpdate(Schema):
    """Only the events named change; ``digest`` is not a choice."""

    preferences: dict[Event, Mode]


class OutboxMessageRead(Schema):
    id: int
    kind: Kind
    event: Event
    status: Status
    recipient: str
    user_id: int | None
    endpoint_id: int | None
    site_id: int | None
    subject: str
    attempts: int
    next_attempt_at: datetime | None
    last_error: str
    created_at: datetime
    sent_at: datetime | None


class OutboxMessageDetail(OutboxMessageRead):
    body_text: str
    payload: str


class OutboxCounts(Schema):
    pending: int
    sending: int
    sent: int
    failed: int


class WebhookCreate(Schema):
    name: Name
    url: Url
    events: Annotated[list[Event], msgspec.Meta(min_length=1)]
    active: bool = True


class WebhookUpdate(Schema):
    name: Name | msgspec.UnsetType = msgspec.UNSET
    url: Url | msgspec.UnsetType = msgspec.UNSET
    events: Annotated[list[Event], msgspec.Meta(min_length=1)] | msgspec.UnsetType = msgspec.UNSET
    active: bool | msgspec.UnsetType = msgspec.UNSET


class WebhookRead(Schema):
    id: int
    name: str
    url: str
    events: list[Event]
    active: bool
    created_by: int | None
    created_at: datetime


class WebhookCreated(WebhookRead):
    """The answer to a creation: the only time the signing secret is shown."""

    secret: str


class WebhookAttemptRead(Schema):
    id: int
    message_id: int | None
    event: str
    status_code: int | None
    duration_ms: int
    error: str
    created_at: datetime

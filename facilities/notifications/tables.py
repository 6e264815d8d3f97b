"""The outbox (one row per message and recipient or endpoint), webhook endpoints and their
delivery attempts, per-user preferences and the items waiting for a digest."""

from piccolo.columns import (
    JSONB,
    Boolean,
    ForeignKey,
    Integer,
    OnDelete,
    Serial,
    Text,
    Timestamptz,
    Varchar,
)
from piccolo.columns.defaults.timestamptz import TimestamptzNow
from piccolo.table import Table

from facilities.accounts.tables import User


class WebhookEndpoint(Table, tablename="webhook_endpoint"):
    """An integration's URL; the secret signs every delivery (shown once at creation)."""

    id: Serial  # implicit primary key, declared for type checkers
    name = Varchar(length=120, null=False)
    url = Varchar(length=2000, null=False)
    secret = Varchar(length=100, null=False, secret=True)
    events = JSONB(default=[])
    active = Boolean(default=True)
    created_by = ForeignKey(User, null=True, default=None, on_delete=OnDelete.set_null)
    created_at = Timestamptz(default=TimestamptzNow())


class OutboxMessage(Table, tablename="outbox_message"):
    """One message to one recipient (e-mail) or one endpoint (webhook), rendered when queued.

    ``dedupe_key`` is unique (a raw index; NULLs never collide), so a repeated event is a
    no-op. A delivery job claims rows (``sending`` with a lease), then marks them ``sent``,
    or back to ``pending`` with a later ``next_attempt_at``, or ``failed`` after the last try.
    """

    id: Serial  # implicit primary key, declared for type checkers
    kind = Varchar(length=10, null=False)  # email | webhook
    event = Varchar(length=40, null=False, index=True)
    status = Varchar(length=10, null=False, default="pending", index=True)
    user = ForeignKey(User, null=True, default=None, on_delete=OnDelete.set_null)
    endpoint = ForeignKey(
        WebhookEndpoint, null=True, default=None, on_delete=OnDelete.set_null, index=True
    )
    recipient = Varchar(length=2000, null=False)  # e-mail address or webhook URL
    locale = Varchar(length=5, default="en")
    site_id = Integer(null=True, default=None, index=True)
    subject = Varchar(length=300, default="")
    body_text = Text(default="")
    body_html = Text(default="")
    payload = Text(default="")  # the exact JSON body of a webhook
    # One file sent along with an e-mail (e.g. a report's PDF), kept in the upload store
    # (``kit.uploads``) so that every retry sends the same bytes.
    attachment_key = Varchar(length=80, null=True, default=None)
    attachment_name = Varchar(length=200, null=True, default=None)
    attachment_type = Varchar(length=100, null=True, default=None)
    dedupe_key = Varchar(length=300, null=True, default=None)
    attempts = Integer(default=0)
    next_attempt_at = Timestamptz(default=TimestamptzNow())
    claimed_by = Varchar(length=64, default="")
    claimed_until = Timestamptz(null=True, default=None)
    last_error = Varchar(length=500, default="")
    created_at = Timestamptz(default=TimestamptzNow())
    sent_at = Timestamptz(null=True, default=None)


class WebhookAttempt(Table, tablename="webhook_attempt"):
    """One HTTP attempt of a webhook delivery (the endpoint's delivery log)."""

    id: Serial  # implicit primary key, declared for type checkers
    endpoint = ForeignKey(WebhookEndpoint, null=False, on_delete=OnDelete.cascade, index=True)
    message = ForeignKey(OutboxMessage, null=True, default=None, on_delete=OnDelete.set_null)
    event = Varchar(length=40, null=False)
    status_code = Integer(null=True, default=None)
    duration_ms = Integer(default=0)
    error = Varchar(length=500, default="")
    created_at = Timestamptz(default=TimestamptzNow(), index=True)


class NotificationPreference(Table, tablename="notification_preference"):
    """How a user wants to hear of one event type: immediate, digest or off."""

    id: Serial  # implicit primary key, declared for type checkers
    user = ForeignKey(User, null=False, on_delete=OnDelete.cascade, index=True)
    event = Varchar(length=40, null=False)
    mode = Varchar(length=10, null=False)


class DigestItem(Table, tablename="notification_digest_item"):
    """An event a user chose to read in the daily digest, rendered in their language."""

    id: Serial  # implicit primary key, declared for type checkers
    user = ForeignKey(User, null=False, on_delete=OnDelete.cascade, index=True)
    event = Varchar(length=40, null=False)
    site_id = Integer(null=True, default=None)
    line = Varchar(length=500, null=False)
    link = Varchar(length=500, default="")
    dedupe_key = Varchar(length=300, null=True, default=None)
    created_at = Timestamptz(default=TimestamptzNow())
    digested_at = Timestamptz(null=True, default=None, index=True)

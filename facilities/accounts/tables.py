"""Users, partner organisations, sessions, API tokens, password resets, audit trail."""

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


class PartnerOrganisation(Table, tablename="partner_organisation"):
    """An outside company (maintenance, cleaning, catering …). Its users see only its work."""

    id: Serial  # implicit primary key, declared for type checkers
    name = Varchar(length=200, unique=True, null=False)
    email = Varchar(length=254, default="")
    phone = Varchar(length=50, default="")
    contact_name = Varchar(length=200, default="")
    notes = Text(default="")
    active = Boolean(default=True)
    created_at = Timestamptz(default=TimestamptzNow())
    # the work the partner can take on per week (minutes; capacity planning), None: not said
    weekly_capacity_minutes = Integer(null=True, default=None)


class PartnerTrade(Table, tablename="partner_trade"):
    """One trade (``accounts.enums.Trade``) a partner organisation works in."""

    id: Serial  # implicit primary key, declared for type checkers
    partner_organisation = ForeignKey(
        PartnerOrganisation, null=False, on_delete=OnDelete.cascade, index=True
    )
    trade = Varchar(length=30, null=False, index=True)


class PartnerServiceArea(Table, tablename="partner_service_area"):
    """A site or a region a partner organisation serves.

    Plain ids, not foreign keys: accounts migrates before sites (the dependency direction),
    so the table cannot reference ``site``/``region``. The actions check the ids, and reads
    drop ids whose site or region is gone.
    """

    id: Serial  # implicit primary key, declared for type checkers
    partner_organisation = ForeignKey(
        PartnerOrganisation, null=False, on_delete=OnDelete.cascade, index=True
    )
    kind = Varchar(length=10, null=False)  # site | region
    ref_id = Integer(null=False, index=True)


class User(Table, tablename="app_user"):
    id: Serial  # implicit primary key, declared for type checkers
    email = Varchar(length=254, unique=True, null=False)
    name = Varchar(length=200, null=False)
    password_hash = Varchar(length=255, null=True, default=None)
    locale = Varchar(length=5, default="en")
    role = Varchar(length=32, null=False, index=True)
    partner_organisation = ForeignKey(
        PartnerOrganisation, null=True, default=None, on_delete=OnDelete.restrict
    )
    active = Boolean(default=True)
    created_at = Timestamptz(default=TimestamptzNow())
    last_login_at = Timestamptz(null=True, default=None)
    # the work the person can take on per week (minutes; capacity planning), None: not said
    weekly_capacity_minutes = Integer(null=True, default=None)


class UserSession(Table, tablename="user_session"):
    """A browser session; the cookie holds a random token, the table only its hash."""

    id: Serial  # implicit primary key, declared for type checkers
    token_hash = Varchar(length=64, unique=True, null=False)
    user = ForeignKey(User, null=False, on_delete=OnDelete.cascade)
    created_at = Timestamptz(default=TimestamptzNow())
    expires_at = Timestamptz(null=False, index=True)
    last_seen_at = Timestamptz(default=TimestamptzNow())


class ApiToken(Table, tablename="api_token"):
    id: Serial  # implicit primary key, declared for type checkers
    user = ForeignKey(User, null=False, on_delete=OnDelete.cascade)
    name = Varchar(length=100, null=False)
    prefix = Varchar(length=12, null=False)
    token_hash = Varchar(length=64, unique=True, null=False)
    created_at = Timestamptz(default=TimestamptzNow())
    last_used_at = Timestamptz(null=True, default=None)
    expires_at = Timestamptz(null=True, default=None)
    revoked_at = Timestamptz(null=True, default=None)


class PasswordReset(Table, tablename="password_reset"):
    id: Serial  # implicit primary key, declared for type checkers
    user = ForeignKey(User, null=False, on_delete=OnDelete.cascade)
    token_hash = Varchar(length=64, unique=True, null=False)
    created_at = Timestamptz(default=TimestamptzNow())
    expires_at = Timestamptz(null=False)
    used_at = Timestamptz(null=True, default=None)


class LoginAttempt(Table, tablename="login_attempt"):
    """A failed sign-in, keyed by a keyed hash of e-mail and of client address (never raw)."""

    id: Serial  # implicit primary key, declared for type checkers
    key = Varchar(length=80, null=False, index=True)
    created_at = Timestamptz(default=TimestamptzNow(), index=True)


class AuditEvent(Table, tablename="audit_event"):
    """Who did what, when, with before/after, written in the action's transaction."""

    id: Serial  # implicit primary key, declared for type checkers
    actor = ForeignKey(User, null=True, default=None, on_delete=OnDelete.set_null)
    actor_label = Varchar(length=254, default="")
    action = Varchar(length=80, null=False, index=True)
    object_type = Varchar(length=60, null=False, index=True)
    object_id = Varchar(length=64, null=False)
    site_id = Integer(null=True, default=None, index=True)
    summary = Varchar(length=500, default="")
    before = JSONB(null=True, default=None)
    after = JSONB(null=True, default=None)
    created_at = Timestamptz(default=TimestamptzNow(), index=True)

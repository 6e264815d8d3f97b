from __future__ import annotations

from datetime import datetime
from typing import Annotated

import msgspec

from facilities.accounts.enums import Locale, Role, Trade
from facilities.kit.schema import Id, Schema

Email = Annotated[
    str, msgspec.Meta(min_length=3, max_length=254, pattern=r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
]
Password = Annotated[str, msgspec.Meta(min_length=10, max_length=200)]
Name = Annotated[str, msgspec.Meta(min_length=1, max_length=200)]
# Minutes of work per week a person or a partner can take on (capacity planning): at most
# every minute of a week.
WeeklyMinutes = Annotated[int, msgspec.Meta(ge=0, le=7 * 24 * 60)]


class UserRead(Schema):
    id: int
    email: str
    name: str
    role: Role
    locale: Locale
    partner_organisation_id: int | None
    active: bool
    created_at: datetime
    last_login_at: datetime | None
    weekly_capacity_minutes: int | None = None


class UserCreate(Schema):
    email: Email
    name: Name
    role: Role
    locale: Locale = Locale.en
    password: Password | None = None
    partner_organisation_id: Id | None = None


class UserUpdate(Schema):
    name: Name | msgspec.UnsetType = msgspec.UNSET
    role: Role | msgspec.UnsetType = msgspec.UNSET
    locale: Locale | msgspec.UnsetType = msgspec.UNSET
    active: bool | msgspec.UnsetType = msgspec.UNSET
    partner_organisation_id: Id | msgspec.UnsetType | None = msgspec.UNSET
    password: Password | msgspec.UnsetType = msgspec.UNSET
    weekly_capacity_minutes: WeeklyMinutes | msgspec.UnsetType | None = msgspec.UNSET


class MeRead(Schema):
    id: int
    email: str
    name: str
    role: Role
    locale: Locale
    partner_organisation_id: int | None
    permissions: list[str]


class ApiTokenCreate(Schema):
    name: Annotated[str, msgspec.Meta(min_length=1, max_length=100)]
    expires_in_days: Annotated[int, msgspec.Meta(ge=1, le=3650)] | None = None


class ApiTokenRead(Schema):
    id: int
    name: str
    prefix: str
    created_at: datetime
    last_used_at: datetime | None
    expires_at: datetime | None
    revoked_at: datetime | None


class ApiTokenCreated(Schema):
    token: ApiTokenRead
    secret: str  # shown once


Trades = Annotated[list[Trade], msgspec.Meta(max_length=len(Trade))]
Ids = Annotated[list[Id], msgspec.Meta(max_length=1000)]
Phone = Annotated[str, msgspec.Meta(max_length=50)]
Notes = Annotated[str, msgspec.Meta(max_length=5000)]
ContactName = Annotated[str, msgspec.Meta(max_length=200)]


class PartnerOrganisationRead(Schema):
    id: int
    name: str
    email: str
    phone: str
    active: bool
    contact_name: str = ""
    notes: str = ""
    trades: list[Trade] = msgspec.field(default_factory=list)
    # The service area: sites and regions the partner works in.
    site_ids: list[int] = msgspec.field(default_factory=list)
    region_ids: list[int] = msgspec.field(default_factory=list)
    weekly_capacity_minutes: int | None = None


class PartnerOrganisationCreate(Schema):
    name: Name
    email: Email | None = None
    phone: Phone = ""
    contact_name: ContactName = ""
    notes: Notes = ""
    trades: Trades = msgspec.field(default_factory=list)
    site_ids: Ids = msgspec.field(default_factory=list)
    region_ids: Ids = msgspec.field(default_factory=list)
    weekly_capacity_minutes: WeeklyMinutes | None = None


class PartnerOrganisationUpdate(Schema):
    name: Name | msgspec.UnsetType = msgspec.UNSET
    email: Email | msgspec.UnsetType | None = msgspec.UNSET
    phone: Phone | msgspec.UnsetType = msgspec.UNSET
    contact_name: ContactName | msgspec.UnsetType = msgspec.UNSET
    notes: Notes | msgspec.UnsetType = msgspec.UNSET
    active: bool | msgspec.UnsetType = msgspec.UNSET
    trades: Trades | msgspec.UnsetType = msgspec.UNSET
    site_ids: Ids | msgspec.UnsetType = msgspec.UNSET
    region_ids: Ids | msgspec.UnsetType = msgspec.UNSET
    weekly_capacity_minutes: WeeklyMinutes | msgspec.UnsetType | None = msgspec.UNSET


class AuditEventRead(Schema):
    id: int
    actor_id: int | None
    actor_label: str
    action: str
    object_type: str
    object_id: str
    site_id: int | None
    summary: str
    before: dict[str, object] | None
    after: dict[str, object] | None
    created_at: datetime

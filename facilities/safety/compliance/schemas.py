"""API schemas of the compliance register."""

from __future__ import annotations

from datetime import date
from typing import Annotated

import msgspec

from facilities.kit.schema import Id, Schema
from facilities.safety.compliance.enums import AppliesTo, Rag

Name = Annotated[str, msgspec.Meta(min_length=1, max_length=200)]
Key = Annotated[str, msgspec.Meta(pattern="^[a-z][a-z0-9_]{1,39}$")]
Months = Annotated[int, msgspec.Meta(ge=1, le=240)]
Reference = Annotated[str, msgspec.Meta(max_length=100)]
Notes = Annotated[str, msgspec.Meta(max_length=2000)]


class CertificateTypeCreate(Schema):
    key: Key
    name_en: Name
    name_de: Name
    interval_months: Months
    applies_to: AppliesTo = AppliesTo.site


class CertificateTypeRead(Schema):
    id: int
    key: str
    name: str  # in the reader's language
    name_en: str
    name_de: str
    interval_months: int
    applies_to: AppliesTo
    shipped: bool
    active: bool


class CertificateCreate(Schema):
    certificate_type_id: Id
    site_id: Id
    issued_on: date
    expires_on: date | None = None  # None: issued_on + the type's usual interval
    asset_id: Id | None = None
    reference: Reference = ""
    responsible_user_id: Id | None = None
    responsible_partner_id: Id | None = None
    notes: Notes = ""


class CertificateUpdate(Schema):
    issued_on: date | msgspec.UnsetType = msgspec.UNSET
    expires_on: date | msgspec.UnsetType = msgspec.UNSET
    reference: Reference | msgspec.UnsetType = msgspec.UNSET
    responsible_user_id: Id | msgspec.UnsetType | None = msgspec.UNSET
    responsible_partner_id: Id | msgspec.UnsetType | None = msgspec.UNSET
    notes: Notes | msgspec.UnsetType = msgspec.UNSET


class DocumentRead(Schema):
    id: int
    filename: str
    content_type: str
    size: int


class CertificateRead(Schema):
    id: int
    certificate_type_id: int
    type_name: str
    site_id: int
    site_name: str
    asset_id: int | None
    asset_name: str | None
    reference: str
    issued_on: date
    expires_on: date
    days_left: int
    rag: Rag
    responsible_user_id: int | None
    responsible_user_name: str | None
    responsible_partner_id: int | None
    responsible_partner_name: str | None
    notes: str
    renewal_work_order_id: int | None
    documents: list[DocumentRead] = []

"""API schemas of incidents and near misses."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

import msgspec

from facilities.kit.schema import Id, Schema, Version
from facilities.maintenance.workorders.schemas import Priority
from facilities.safety.incidents.enums import (
    IncidentKind,
    IncidentStatus,
    InjuryKind,
    Severity,
    Source,
)

Aware = Annotated[datetime, msgspec.Meta(tz=True)]
Title = Annotated[str, msgspec.Meta(min_length=1, max_length=200)]
LongText = Annotated[str, msgspec.Meta(max_length=5000)]
DaysOff = Annotated[int, msgspec.Meta(ge=0, le=3650)]
Email = Annotated[str, msgspec.Meta(max_length=254, pattern=r"^$|^[^@\s]+@[^@\s]+\.[^@\s]+$")]


class IncidentCreate(Schema):
    kind: IncidentKind
    site_id: Id
    occurred_at: Aware
    title: Title
    severity: Severity
    description: LongText = ""
    people_involved: LongText = ""
    space_id: Id | None = None
    asset_id: Id | None = None
    injury: bool = False
    injury_kind: InjuryKind | None = None
    days_off: DaysOff | None = None
    confidential: bool = False


class HazardCreate(Schema):
    """A safety hazard seen at a QR label (a near miss), anonymous or with an e-mail."""

    title: Title
    description: LongText = ""
    email: Email = ""


class IncidentUpdate(Schema):
    """The investigation; ``version`` is the one the change is based on (409 if stale)."""

    version: Version
    status: IncidentStatus | msgspec.UnsetType = msgspec.UNSET
    severity: Severity | msgspec.UnsetType = msgspec.UNSET
    root_cause: LongText | msgspec.UnsetType = msgspec.UNSET
    findings: LongText | msgspec.UnsetType = msgspec.UNSET
    injury: bool | msgspec.UnsetType = msgspec.UNSET
    injury_kind: InjuryKind | msgspec.UnsetType | None = msgspec.UNSET
    days_off: DaysOff | msgspec.UnsetType | None = msgspec.UNSET
    confidential: bool | msgspec.UnsetType = msgspec.UNSET
    insurer_notified_at: Aware | msgspec.UnsetType | None = msgspec.UNSET


class ActionCreate(Schema):
    """A corrective action: a work order at the incident's site (and asset)."""

    title: Title
    description: LongText = ""
    priority: Priority = Priority.p3
    due_at: Aware | None = None
    partner_organisation_id: Id | None = None


class IncidentRead(Schema):
    id: int
    kind: IncidentKind
    site_id: int
    site_name: str
    time_zone: str
    space_id: int | None
    asset_id: int | None
    asset_name: str | None
    occurred_at: datetime
    title: str
    description: str
    people_involved: str
    injury: bool
    injury_kind: InjuryKind | None
    days_off: int | None
    severity: Severity
    status: IncidentStatus
    confidential: bool
    root_cause: str
    findings: str
    source: Source
    reported_by_id: int | None
    reported_by_name: str | None
    reporter_email: str  # only for investigators; "" otherwise
    reportable: bool
    insurer_deadline: datetime | None
    insurer_notified_at: datetime | None
    closed_at: datetime | None
    version: int
    created_at: datetime
    photo_ids: list[int] = []
    work_order_ids: list[int] = []

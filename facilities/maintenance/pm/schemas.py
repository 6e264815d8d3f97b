"""API schemas of preventive maintenance (schedules, meter readings, compliance, feeds)."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Literal

import msgspec

from facilities.kit.schema import INT_MAX, Id, Int32, Schema, Version

Mode = Literal["fixed", "floating", "meter", "time_or_meter"]
Priority = Literal["p1", "p2", "p3", "p4"]
CatchUp = Literal["all", "latest_only"]
FloatingUnit = Literal["days", "months"]
Aware = Annotated[datetime, msgspec.Meta(tz=True)]
Name = Annotated[str, msgspec.Meta(min_length=1, max_length=200)]
MaxCount = Annotated[int, msgspec.Meta(ge=1, le=INT_MAX)]
Minutes = Annotated[int, msgspec.Meta(ge=1, le=100_000)]


class RecurrenceFields(Schema):
    """The form's builder (``facilities.kit.recurrence.build``) instead of a raw RRULE."""

    frequency: Literal["daily", "weekly", "monthly", "yearly"]
    interval: Int32 = 1
    weekdays: list[str] = []
    month_day: Int32 | None = None
    nth: Int32 | None = None
    months: list[Int32] = []


class ScheduleCreate(Schema):
    name: Name
    description: str = ""
    asset_id: Id | None = None
    category_id: Id | None = None
    site_ids: list[Id] = []
    region_id: Id | None = None
    mode: Mode = "fixed"
    rrule: str | None = None
    recurrence: RecurrenceFields | None = None
    dtstart_local: datetime | None = None  # naive, site-local wall time
    floating_every: Int32 | None = None
    floating_unit: FloatingUnit = "days"
    meter_every: float | None = None
    lead_days: Annotated[int, msgspec.Meta(ge=0, le=365)] = 0
    skip_closed_days: bool = True
    active_months: list[Int32] = []
    end_date: date | None = None
    max_count: MaxCount | None = None
    catch_up: CatchUp = "all"
    partner_organisation_id: Id | None = None
    priority: Priority = "p3"
    checklist_template_id: Id | None = None
    estimated_minutes: Minutes | None = None
    grace_days: Annotated[int, msgspec.Meta(ge=0, le=365)] = 0
    active: bool = True


class ScheduleUpdate(Schema):
    """Changes apply to future occurrences only (``effective_from`` moves to now)."""

    version: Version
    name: Name | msgspec.UnsetType = msgspec.UNSET
    description: str | msgspec.UnsetType = msgspec.UNSET
    mode: Mode | msgspec.UnsetType = msgspec.UNSET
    rrule: str | msgspec.UnsetType | None = msgspec.UNSET
    recurrence: RecurrenceFields | msgspec.UnsetType | None = msgspec.UNSET
    dtstart_local: datetime | msgspec.UnsetType | None = msgspec.UNSET
    floating_every: Int32 | msgspec.UnsetType | None = msgspec.UNSET
    floating_unit: FloatingUnit | msgspec.UnsetType = msgspec.UNSET
    meter_every: float | msgspec.UnsetType | None = msgspec.UNSET
    lead_days: Annotated[int, msgspec.Meta(ge=0, le=365)] | msgspec.UnsetType = msgspec.UNSET
    skip_closed_days: bool | msgspec.UnsetType = msgspec.UNSET
    active_months: list[Int32] | msgspec.UnsetType = msgspec.UNSET
    end_date: date | msgspec.UnsetType | None = msgspec.UNSET
    max_count: MaxCount | msgspec.UnsetType | None = msgspec.UNSET
    catch_up: CatchUp | msgspec.UnsetType = msgspec.UNSET
    partner_organisation_id: Id | msgspec.UnsetType | None = msgspec.UNSET
    priority: Priority | msgspec.UnsetType = msgspec.UNSET
    checklist_template_id: Id | msgspec.UnsetType | None = msgspec.UNSET
    estimated_minutes: Minutes | msgspec.UnsetType | None = msgspec.UNSET
    grace_days: Annotated[int, msgspec.Meta(ge=0, le=365)] | msgspec.UnsetType = msgspec.UNSET
    active: bool | msgspec.UnsetType = msgspec.UNSET


class ScheduleRead(Schema):
    id: int
    name: str
    description: str
    asset_id: int | None
    category_id: int | None
    site_ids: list[int]
    region_id: int | None
    mode: str
    rrule: str
    dtstart_local: str
    floating_every: int | None
    floating_unit: str
    meter_every: float | None
    lead_days: int
    skip_closed_days: bool
    active_months: list[int]
    end_date: date | None
    max_count: int | None
    catch_up: str
    partner_organisation_id: int | None
    priority: str
    checklist_template_id: int | None
    estimated_minutes: int | None
    grace_days: int
    active: bool
    effective_from: datetime
    version: int
    created_at: datetime


class PreviewRequest(Schema):
    dtstart_local: datetime
    rrule: str | None = None
    recurrence: RecurrenceFields | None = None
    time_zone: str = "UTC"
    site_id: Id | None = None
    count: Annotated[int, msgspec.Meta(ge=1, le=50)] = 5


class PreviewRead(Schema):
    rrule: str
    time_zone: str
    occurrences: list[datetime]


class ComplianceRow(Schema):
    key: int | None
    label: str
    due: int
    on_time: int
    late: int
    missed: int
    open_not_yet_overdue: int
    percent: float | None


class ComplianceRead(Schema):
    start: date
    end: date
    group_by: str
    total: ComplianceRow
    rows: list[ComplianceRow]


class FeedCreate(Schema):
    kind: Literal["user", "partner", "site"]
    site_id: Id | None = None
    partner_organisation_id: Id | None = None


class FeedRead(Schema):
    id: int
    kind: str
    site_id: int | None
    partner_organisation_id: int | None
    user_id: int | None
    created_at: datetime
    revoked_at: datetime | None
    url: str | None = None  # only in the answer that creates it
    created_by_id: int | None = None
    created_by_name: str = ""
    live: bool = True  # not revoked, and its creator still active

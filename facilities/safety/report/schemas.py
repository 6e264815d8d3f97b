"""Schemas of the safety report and its share links."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated

import msgspec

from facilities.kit.schema import Id, Schema

Days = Annotated[int, msgspec.Meta(ge=1, le=365)]
Label = Annotated[str, msgspec.Meta(max_length=200)]


class IncidentFigures(Schema):
    incidents: int
    near_misses: int
    injuries: int
    lost_time_injuries: int  # an injury with at least one day off work
    reportable: int  # more than three days off work (accident insurer)
    confidential: int
    by_severity: dict[str, int]
    by_month: list[tuple[str, int, int]]  # (YYYY-MM, incidents, near misses)
    site_months: int  # sites × months of the period (the rate's denominator)
    incidents_per_site_month: float | None
    near_miss_ratio: float | None  # near misses per incident


class CertificateLine(Schema):
    id: int
    type_name: str
    site_name: str
    expires_on: date
    rag: str


class CertificateFigures(Schema):
    red: int
    amber: int
    green: int
    attention: list[CertificateLine]  # red and amber, soonest first (at most 20)


class TrainingFigures(Schema):
    people: int
    required: int
    covered: int
    coverage: float | None


class InspectionFigures(Schema):
    due: int  # inspections due in the period
    done_on_time: int  # of those, submitted by their due time
    on_time_rate: float | None  # percent
    submitted: int  # inspections submitted in the period (the score's base)
    average_score: float | None  # percent, over submitted inspections with a score
    score_by_month: list[tuple[str, float | None, int]]  # (YYYY-MM, average, submitted)
    top_failed: list[tuple[str, int]]  # (item, findings raised in the period), at most 5
    open_by_age: list[tuple[str, int]]  # (age band, open findings today)
    overdue_work_orders: int  # findings whose corrective work order is open past due


class ReportRead(Schema):
    scope_label: str
    site_ids: list[int]
    period_from: date
    period_to: date
    generated_at: datetime
    incidents: IncidentFigures
    certificates: CertificateFigures
    training: TrainingFigures
    inspections: InspectionFigures
    # Sections beyond these (the inspections part once it lands): key → figures.
    extra: dict[str, dict[str, object]] = {}


class LinkCreate(Schema):
    period_from: date
    period_to: date
    site_id: Id | None = None
    region_id: Id | None = None
    days: Days = 30  # the link expires after this many days
    label: Label = ""


class LinkRead(Schema):
    id: int
    site_id: int | None
    region_id: int | None
    period_from: date
    period_to: date
    label: str
    expires_at: datetime
    revoked_at: datetime | None
    created_at: datetime
    created_by_id: int | None
    live: bool
    url: str | None = None  # only in the answer that creates it

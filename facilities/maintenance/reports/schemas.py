"""API schemas of problem reports (hand-written msgspec structs)."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

import msgspec

from facilities.kit.schema import Id, Schema
from facilities.maintenance.enums import ProblemCategory, ReportSource, ReportStatus, Urgency

MAX_DESCRIPTION = 2000
MAX_TITLE = 200
MAX_COMMENT = 500
MAX_REASON = 500

Description = Annotated[
    str,
    msgspec.Meta(
        min_length=1,
        max_length=MAX_DESCRIPTION,
        description="What is wrong (required, at most 2,000 characters)",
    ),
]
Title = Annotated[str, msgspec.Meta(max_length=MAX_TITLE)]
Name = Annotated[str, msgspec.Meta(max_length=120)]
Email = Annotated[
    str,
    msgspec.Meta(
        max_length=254, pattern=r"^$|^[^@\s<>]+@[^@\s<>]+\.[^@\s<>]+$", description="optional"
    ),
]
Comment = Annotated[str, msgspec.Meta(max_length=MAX_COMMENT)]
Reason = Annotated[str, msgspec.Meta(min_length=1, max_length=MAX_REASON)]
Aware = Annotated[datetime, msgspec.Meta(tz=True)]


class ProblemReportCreate(Schema):
    """A new report. Give ``asset_id`` (its site is used) or ``site_id`` (no asset)."""

    description: Description
    category: ProblemCategory = ProblemCategory.other
    urgency: Urgency = Urgency.normal
    asset_id: Id | None = None
    site_id: Id | None = None
    title: Title = ""  # derived from the description when empty
    reporter_name: Name = ""
    reporter_email: Email = ""


class ProblemReportRead(Schema):
    """A report as staff with ``reports.view`` on its site see it."""

    id: int
    site_id: int
    site_name: str
    asset_id: int | None
    asset_name: str | None
    category: ProblemCategory
    title: str
    description: str
    urgency: Urgency
    status: ReportStatus
    source: ReportSource
    reporter_name: str
    reporter_email: str
    reporter_user_id: int | None
    same_count: int
    merged_into_id: int | None
    rejection_reason: str
    triaged_by_id: int | None
    triaged_at: Aware | None
    created_at: Aware
    updated_at: Aware
    photo_ids: list[int] = msgspec.field(default_factory=list)


class ProblemReportCreated(Schema):
    """The new report and the reporter's private status link (shown once, never stored)."""

    report: ProblemReportRead
    status_url: str


class VoteCreate(Schema):
    comment: Comment = ""


class VoteRead(Schema):
    id: int
    report_id: int
    comment: str
    user_id: int | None
    created_at: Aware
    counted: bool = True  # False: this reporter had already said "same problem" (not counted)


class MergeRequest(Schema):
    into_id: Id


class RejectRequest(Schema):
    reason: Reason


class PublicReport(Schema):
    """An open report as the public scan page shows it: no personal data."""

    id: int
    title: str
    status: ReportStatus
    same_count: int
    created_at: Aware


class MergedTarget(Schema):
    title: str
    status: ReportStatus


class ReportStatusView(Schema):
    """What the reporter's private status link shows: no personal data of anyone."""

    title: str
    category: ProblemCategory
    description: str
    status: ReportStatus
    created_at: Aware
    triaged_at: Aware | None
    rejection_reason: str
    merged_into: MergedTarget | None
    asset_name: str | None
    site_name: str
    same_count: int
    # Progress of the work order the report became: planned | on_the_way | in_progress |
    # on_hold | fixed | cancelled (None before acceptance).
    work_progress: str | None = None

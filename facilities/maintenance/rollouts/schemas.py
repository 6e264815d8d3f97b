"""API schemas of roll-outs (hand-written msgspec)."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated

import msgspec

from facilities.kit.schema import Id, Schema
from facilities.maintenance.rollouts.enums import Stage

Name = Annotated[str, msgspec.Meta(min_length=1, max_length=200)]
Notes = Annotated[str, msgspec.Meta(max_length=2000)]


class RolloutSiteCreate(Schema):
    site_id: Id
    target_date: date | None = None  # None: the roll-out's target date


class RolloutCreate(Schema):
    """A roll-out: install ``category`` at ``sites`` (one installation order each)."""

    name: Name
    category_id: Id
    sites: Annotated[list[RolloutSiteCreate], msgspec.Meta(min_length=1, max_length=1000)]
    target_date: date | None = None
    partner_organisation_id: Id | None = None  # None: the contracted partner per site
    source_id: Id | None = None  # the controller that will report for the devices
    notes: Notes = ""


class RolloutSitesAdd(Schema):
    """More sites for an existing roll-out (one installation order each)."""

    sites: Annotated[list[RolloutSiteCreate], msgspec.Meta(min_length=1, max_length=1000)]
    target_date: date | None = None  # for the sites that name none


class RolloutSiteRead(Schema):
    id: int
    site_id: int
    site_name: str
    site_code: str
    time_zone: str
    target_date: date | None
    work_order_id: int | None
    work_order_status: str | None
    partner_organisation_id: int | None
    scheduled_for: datetime | None
    stage: Stage
    overdue: bool
    asset_id: int | None
    asset_name: str | None
    qr_code: str | None
    installed_at: datetime | None


class RolloutRead(Schema):
    id: int
    name: str
    category_id: int
    category_name: str
    partner_organisation_id: int | None
    source_id: int | None
    checklist_template_id: int | None
    notes: str
    created_at: datetime
    counts: dict[str, int]  # stage → sites (only the sites the caller sees)
    sites: list[RolloutSiteRead] = []

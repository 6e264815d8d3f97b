"""API schemas of inspection templates, programmes, inspections, answers and findings."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from enum import StrEnum
from typing import Annotated

import msgspec

from facilities.kit.i18n import N_
from facilities.kit.schema import Id, Schema, Version
from facilities.maintenance.checklists.schemas import MAX_ITEMS, ItemKind, ScoredItemSpec
from facilities.sites.enums import SiteKind

Name = Annotated[str, msgspec.Meta(max_length=200)]
ClientKey = Annotated[
    str,
    msgspec.Meta(
        pattern=r"^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$"
    ),
]


class InspectionStatus(StrEnum):
    due = "due"
    in_progress = "in_progress"
    submitted = "submitted"
    overdue = "overdue"  # shown: due or in progress past its due time (never stored)
    missed = "missed"


STATUS_LABELS = {
    InspectionStatus.due: N_("Due"),
    InspectionStatus.in_progress: N_("In progress"),
    InspectionStatus.submitted: N_("Submitted"),
    InspectionStatus.overdue: N_("Overdue"),
    InspectionStatus.missed: N_("Missed"),
}


class ProgrammeScope(StrEnum):
    site = "site"
    region = "region"
    kind = "kind"
    category = "category"


SCOPE_LABELS = {
    ProgrammeScope.site: N_("One site"),
    ProgrammeScope.region: N_("Every site of a region"),
    ProgrammeScope.kind: N_("Every site of a kind"),
    ProgrammeScope.category: N_("Every asset of a category"),
}


class FindingStatus(StrEnum):
    open = "open"
    closed = "closed"


FINDING_LABELS = {FindingStatus.open: N_("Open"), FindingStatus.closed: N_("Closed")}

ASSIGNEE_ROLES = ("community_manager", "ops_manager")


# ---- templates ---------------------------------------------------------------------------


class TemplateCreate(Schema):
    name: Name
    items: Annotated[list[ScoredItemSpec], msgspec.Meta(max_length=MAX_ITEMS)]
    language: Annotated[str, msgspec.Meta(max_length=10)] = "en"
    category_id: Id | None = None


class TemplateUpdate(Schema):
    """``items`` makes version n+1 (inspections keep the version they were started on);
    ``version``: the version the edit was based on (409 if a newer one was saved).
    ``language`` (en | de) and ``category_id`` (``null``: any category) change the
    template itself, as ``name`` and ``active`` do."""

    name: Name | msgspec.UnsetType = msgspec.UNSET
    language: Annotated[str, msgspec.Meta(max_length=10)] | msgspec.UnsetType = msgspec.UNSET
    category_id: Id | msgspec.UnsetType | None = msgspec.UNSET
    active: bool | msgspec.UnsetType = msgspec.UNSET
    items: (
        Annotated[list[ScoredItemSpec], msgspec.Meta(max_length=MAX_ITEMS)] | msgspec.UnsetType
    ) = msgspec.UNSET
    version: Version | msgspec.UnsetType = msgspec.UNSET


class ItemRead(Schema):
    key: str
    label: str
    kind: ItemKind
    section: str
    unit: str
    min: Decimal | None
    max: Decimal | None
    required: bool
    weight: Decimal
    critical: bool
    options: list[str]
    fail_answers: list[str]
    show_if_item: str | None
    show_if_answers: list[str]


class TemplateRead(Schema):
    id: int
    name: str
    language: str
    category_id: int | None
    starter: str
    active: bool
    version: int
    version_id: int
    items: list[ItemRead]
    created_at: datetime


class TemplateVersionRead(Schema):
    """One saved version of a template (newest first in lists); inspections keep theirs."""

    id: int
    template_id: int
    version: int
    items: list[ItemRead]
    created_by_id: int | None
    created_by_name: str | None
    created_at: datetime


class StarterRead(Schema):
    key: str
    name: str
    language: str
    items: int


class StarterCopy(Schema):
    key: Annotated[str, msgspec.Meta(max_length=60)]
    language: Annotated[str, msgspec.Meta(max_length=10)] = "en"


# ---- programmes --------------------------------------------------------------------------


class ProgrammeCreate(Schema):
    """``scope`` site (``site_id``), region (``region_id``), kind (``site_kind``: every
    coworking space or every field site, optionally within ``region_id``) or category
    (``category_id``, optionally ``region_id``). ``rrule``: an RFC 5545 rule (e.g.
    ``FREQ=MONTHLY``) from ``dtstart_local`` (site-local wall time). Assignee: ``assignee_role``
    (community_manager / ops_manager), ``assignee_partner_id`` or ``assignee_user_id``."""

    name: Name
    template_id: Id
    scope: ProgrammeScope
    rrule: Annotated[str, msgspec.Meta(max_length=500)]
    dtstart_local: datetime
    site_id: Id | None = None
    region_id: Id | None = None
    category_id: Id | None = None
    site_kind: SiteKind | None = None
    lead_days: Annotated[int, msgspec.Meta(ge=0, le=90)] = 7
    skip_closed_days: bool = True
    assignee_role: Annotated[str, msgspec.Meta(max_length=30)] = "community_manager"
    assignee_partner_id: Id | None = None
    assignee_user_id: Id | None = None


class ProgrammeUpdate(Schema):
    """Change a programme: any field of ``ProgrammeCreate`` and ``active``. The result is
    checked like a new programme. Inspections already generated stay; when the rule, its
    start or the target changes, generation continues from now (nothing is back-filled)."""

    name: Name | msgspec.UnsetType = msgspec.UNSET
    template_id: Id | msgspec.UnsetType = msgspec.UNSET
    scope: ProgrammeScope | msgspec.UnsetType = msgspec.UNSET
    rrule: Annotated[str, msgspec.Meta(max_length=500)] | msgspec.UnsetType = msgspec.UNSET
    dtstart_local: datetime | msgspec.UnsetType = msgspec.UNSET
    site_id: Id | msgspec.UnsetType | None = msgspec.UNSET
    region_id: Id | msgspec.UnsetType | None = msgspec.UNSET
    category_id: Id | msgspec.UnsetType | None = msgspec.UNSET
    site_kind: SiteKind | msgspec.UnsetType | None = msgspec.UNSET
    lead_days: Annotated[int, msgspec.Meta(ge=0, le=90)] | msgspec.UnsetType = msgspec.UNSET
    skip_closed_days: bool | msgspec.UnsetType = msgspec.UNSET
    assignee_role: Annotated[str, msgspec.Meta(max_length=30)] | msgspec.UnsetType = msgspec.UNSET
    assignee_partner_id: Id | msgspec.UnsetType | None = msgspec.UNSET
    assignee_user_id: Id | msgspec.UnsetType | None = msgspec.UNSET
    active: bool | msgspec.UnsetType = msgspec.UNSET


class ProgrammeRead(Schema):
    id: int
    name: str
    template_id: int
    template_name: str
    scope: ProgrammeScope
    site_id: int | None
    region_id: int | None
    category_id: int | None
    site_kind: SiteKind | None
    rrule: str
    rrule_text: str
    dtstart_local: str
    lead_days: int
    skip_closed_days: bool
    assignee_role: str
    assignee_partner_id: int | None
    assignee_user_id: int | None
    active: bool


class GenerationRead(Schema):
    created: int


# ---- inspections -------------------------------------------------------------------------


class AnswerRead(Schema):
    item_key: str
    answered: bool
    value_text: str | None
    value_number: Decimal | None
    out_of_limits: bool
    fails: bool
    note: str
    has_photo: bool
    version: int
    answered_at: datetime | None


class InspectionRead(Schema):
    id: int
    programme_id: int | None
    template_id: int
    template_name: str
    template_version: int
    template_version_id: int
    site_id: int
    site_name: str
    asset_id: int | None
    asset_name: str | None
    due_at: datetime
    status: InspectionStatus
    only_item: str | None
    assignee_role: str
    assignee_partner_id: int | None
    assignee_user_id: int | None
    started_at: datetime | None
    submitted_at: datetime | None
    score: Decimal | None
    earned: Decimal | None
    possible: Decimal | None
    version: int
    recheck_of: int | None
    items: list[ItemRead]
    visible: list[str]  # keys of the items shown now (follow-ups by the answers given)
    answers: list[AnswerRead]


class InspectionSummary(Schema):
    id: int
    template_name: str
    site_id: int
    site_name: str
    asset_id: int | None
    asset_name: str | None
    due_at: datetime
    status: InspectionStatus
    score: Decimal | None
    recheck_of: int | None


class AnswerWrite(Schema):
    """``template_version_id``: the version the client shows (another one answers 422);
    ``version``: the answer's version the client saw (0 or absent for a first answer; a
    newer one on the server answers 409 with the current answer). Values as for checklists:
    pass_fail_na ``pass``/``fail``/``na``, yes_no ``yes``/``no``, choice one of the options,
    number a number, text a string; ``null`` clears. ``client_key``: a repeat with the same
    key returns the first answer and writes nothing."""

    value: str | int | float | bool | None = None
    note: Annotated[str, msgspec.Meta(max_length=2000)] | None = None
    template_version_id: Id | None = None
    version: Version | None = None
    client_key: ClientKey | None = None
    # a signature item: ``value`` the signer's typed name, this the drawn strokes (PNG data
    # URL from the signature pad; a blank or non-PNG drawing is refused with 422)
    signature_png: Annotated[str, msgspec.Meta(max_length=3_000_000)] | None = None


class SubmitWrite(Schema):
    client_key: ClientKey | None = None


class FindingRead(Schema):
    id: int
    inspection_id: int
    site_id: int
    site_name: str
    asset_id: int | None
    asset_name: str | None
    item_key: str
    item_label: str
    answer: str
    critical: bool
    status: FindingStatus
    work_order_id: int | None
    recheck_inspection_id: int | None
    locked_out: bool
    recurrences: int  # findings of this item at this site so far (this one included)
    created_at: datetime
    closed_at: datetime | None


class SubmitRead(Schema):
    inspection: InspectionRead
    findings: list[FindingRead]

"""API schemas of checklist templates and of a work order's checklist (hand-written msgspec)."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from enum import StrEnum
from typing import Annotated

import msgspec

from facilities.kit.i18n import N_
from facilities.kit.schema import Id, Schema, Version

MAX_ITEMS = 200
MAX_TEXT = 2000


class ItemKind(StrEnum):
    checkbox = "checkbox"
    pass_flag_fail = "pass_flag_fail"  # noqa: S105 (not a password)
    number = "number"
    text = "text"
    photo = "photo"
    meter = "meter"
    signature = "signature"
    # inspection kinds (safety): also scored, see ``engine.score``
    pass_fail_na = "pass_fail_na"  # noqa: S105 (not a password)
    yes_no = "yes_no"
    choice = "choice"


# The kinds a work-order checklist template takes; inspections take ``INSPECTION_KINDS``.
CHECKLIST_KINDS = frozenset(
    {
        ItemKind.checkbox,
        ItemKind.pass_flag_fail,
        ItemKind.number,
        ItemKind.text,
        ItemKind.photo,
        ItemKind.meter,
        ItemKind.signature,
    }
)
INSPECTION_KINDS = frozenset(
    {
        ItemKind.pass_fail_na,
        ItemKind.yes_no,
        ItemKind.number,
        ItemKind.text,
        ItemKind.choice,
        ItemKind.photo,
        ItemKind.signature,
    }
)

ITEM_KIND_LABELS = {
    ItemKind.checkbox: N_("Tick box"),
    ItemKind.pass_flag_fail: N_("Pass / flag / fail"),
    ItemKind.number: N_("Number (unit, limits)"),
    ItemKind.text: N_("Text"),
    ItemKind.photo: N_("Photo"),
    ItemKind.meter: N_("Meter reading"),
    ItemKind.signature: N_("Signature"),
    ItemKind.pass_fail_na: N_("Pass / fail / not applicable"),
    ItemKind.yes_no: N_("Yes / no"),
    ItemKind.choice: N_("Multiple choice"),
}

# Kinds whose items carry a unit; only "number" items carry limits.
UNIT_KINDS = frozenset({ItemKind.number, ItemKind.meter})


class Verdict(StrEnum):
    passed = "pass"
    flag = "flag"
    fail = "fail"


VERDICT_LABELS = {
    Verdict.passed: N_("Pass"),
    Verdict.flag: N_("Flag"),
    Verdict.fail: N_("Fail"),
}

NOT_APPLICABLE = "na"
YES, NO = "yes", "no"

Key = Annotated[str, msgspec.Meta(min_length=1, max_length=60, pattern=r"^[a-z0-9][a-z0-9_]*$")]
Label = Annotated[str, msgspec.Meta(max_length=300)]
Unit = Annotated[str, msgspec.Meta(max_length=20)]
Name = Annotated[str, msgspec.Meta(max_length=200)]


class ItemSpec(Schema):
    """One item of a template version. ``key`` is stable across versions (derived from the
    label when omitted)."""

    label: Label
    kind: ItemKind
    key: Key | None = None
    unit: Unit = ""
    min: Decimal | None = None
    max: Decimal | None = None
    required: bool = True


Option = Annotated[str, msgspec.Meta(min_length=1, max_length=100)]


class ScoredItemSpec(ItemSpec):
    """An item of an inspection template: an ``ItemSpec`` with its section, its weight in
    the score (>= 0; 0: not scored), ``critical`` (a fail is a hazard), ``options`` of a
    multiple-choice item, ``fail_answers`` (the answers that fail a yes/no or choice item;
    yes/no default: "no") and ``show_if`` (a follow-up item, shown only when the earlier
    item ``show_if_item`` has one of the answers ``show_if_answers``)."""

    section: Annotated[str, msgspec.Meta(max_length=200)] = ""
    weight: Decimal = Decimal(1)
    critical: bool = False
    options: Annotated[list[Option], msgspec.Meta(max_length=30)] = []
    fail_answers: Annotated[list[Option], msgspec.Meta(max_length=30)] = []
    show_if_item: Key | None = None
    show_if_answers: Annotated[list[Option], msgspec.Meta(max_length=30)] = []


class ChecklistTemplateCreate(Schema):
    name: Name
    items: Annotated[list[ItemSpec], msgspec.Meta(max_length=MAX_ITEMS)]
    category_id: Id | None = None
    active: bool = True


class ChecklistTemplateUpdate(Schema):
    """Changing ``items`` creates version n+1; ``version`` (optional) is the version the edit
    was based on: if someone saved a newer one meanwhile, the edit gets 409."""

    name: Name | msgspec.UnsetType = msgspec.UNSET
    category_id: Id | msgspec.UnsetType | None = msgspec.UNSET
    active: bool | msgspec.UnsetType = msgspec.UNSET
    items: Annotated[list[ItemSpec], msgspec.Meta(max_length=MAX_ITEMS)] | msgspec.UnsetType = (
        msgspec.UNSET
    )
    version: Version | msgspec.UnsetType = msgspec.UNSET


class ItemRead(Schema):
    key: str
    label: str
    kind: ItemKind
    unit: str
    min: Decimal | None
    max: Decimal | None
    required: bool


class ChecklistTemplateRead(Schema):
    id: int
    name: str
    category_id: int | None
    category_name: str | None
    active: bool
    version: int
    version_id: int
    items: list[ItemRead]
    created_at: datetime
    version_created_at: datetime


class ChecklistVersionRead(Schema):
    id: int
    template_id: int
    version: int
    items: list[ItemRead]
    created_by_id: int | None
    created_at: datetime


# ---- a work order's checklist ----------------------------------------------------------


class ChecklistItemRead(Schema):
    id: int
    position: int
    key: str
    label: str
    kind: ItemKind
    unit: str
    min: Decimal | None
    max: Decimal | None
    required: bool
    answered: bool
    value_text: str | None
    value_number: Decimal | None
    has_photo: bool
    photo_url: str | None
    out_of_limits: bool
    needs_follow_up: bool  # failed, flagged or out of limits
    answered_by_id: int | None
    answered_by_name: str | None
    answered_at: datetime | None
    follow_up_id: int | None


class ChecklistRead(Schema):
    work_order_id: int
    version_id: int | None
    template_id: int | None
    template_name: str | None
    version: int | None
    editable: bool  # the order is accepted or in progress
    items: list[ChecklistItemRead]
    unanswered_required: list[str]


class AnswerUpdate(Schema):
    """The answer, by kind: checkbox ``true``/``false``; pass_flag_fail ``"pass"``, ``"flag"``
    or ``"fail"``; number and meter a number (or a decimal string); text a string;
    signature the signer's typed name with ``signature_png``, the drawn strokes (a PNG data
    URL from a signature pad; a blank or non-PNG drawing is refused with 422).
    ``null`` clears the answer. Photos: the multipart endpoint."""

    value: str | int | float | bool | None = None
    signature_png: Annotated[str, msgspec.Meta(max_length=3_000_000)] | None = None


class ChecklistAttach(Schema):
    template_id: Id


class FollowUpRead(Schema):
    work_order_id: int
    item_id: int
    created: bool  # False: the item already had its follow-up (nothing new was created)

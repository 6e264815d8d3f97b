"""API schemas of training: types, named people, completions, requirements, the matrix and
the CSV import."""

from __future__ import annotations

from datetime import date
from typing import Annotated

import msgspec

from facilities.accounts.enums import Role
from facilities.kit.schema import Id, Schema
from facilities.safety.training.enums import Cell

Name = Annotated[str, msgspec.Meta(min_length=1, max_length=200)]
Key = Annotated[str, msgspec.Meta(pattern="^[a-z][a-z0-9_]{1,39}$")]
Months = Annotated[int, msgspec.Meta(ge=1, le=240)]
Email = Annotated[str, msgspec.Meta(max_length=254, pattern=r"^$|^[^@\s]+@[^@\s]+\.[^@\s]+$")]
Reference = Annotated[str, msgspec.Meta(max_length=100)]


class TrainingTypeCreate(Schema):
    key: Key
    name_en: Name
    name_de: Name
    validity_months: Months | None = None


class TrainingTypeRead(Schema):
    id: int
    key: str
    name: str
    name_en: str
    name_de: str
    validity_months: int | None
    shipped: bool
    active: bool


class TraineeCreate(Schema):
    """A named person without an account, working at a site (optionally for a partner)."""

    name: Name
    site_id: Id
    email: Email = ""
    partner_organisation_id: Id | None = None


class TraineeRead(Schema):
    id: int
    name: str
    email: str
    site_id: int | None
    partner_organisation_id: int | None
    active: bool


class CompletionCreate(Schema):
    """Exactly one of ``user_id`` and ``trainee_id``."""

    training_type_id: Id
    completed_on: date
    user_id: Id | None = None
    trainee_id: Id | None = None
    valid_until: date | None = None  # None: completed_on + the type's validity
    reference: Reference = ""


class CompletionRead(Schema):
    id: int
    training_type_id: int
    type_name: str
    user_id: int | None
    trainee_id: int | None
    person_name: str
    completed_on: date
    valid_until: date | None
    reference: str
    source: str


class RequirementCreate(Schema):
    """``role`` None: everyone; ``site_id`` None: every site."""

    training_type_id: Id
    role: Role | None = None
    site_id: Id | None = None


class RequirementRead(Schema):
    id: int
    training_type_id: int
    type_name: str
    role: Role | None
    site_id: int | None


class MatrixCell(Schema):
    training_type_id: int
    state: Cell
    required: bool
    valid_until: date | None
    completed_on: date | None


class MatrixRow(Schema):
    subject: str  # u<user id> or t<trainee id>
    name: str
    role: str  # "" for a named person
    cells: list[MatrixCell]


class MatrixRead(Schema):
    types: list[TrainingTypeRead]
    rows: list[MatrixRow]
    required: int  # required cells
    covered: int  # of which valid (green or amber)
    coverage: float | None  # covered / required × 100; None without requirements


class ImportResult(Schema):
    created: int
    skipped: int  # rows already recorded (the same person, training and day)

"""API schemas of facility services: contracts, documents, visit plans, visits, scorecards."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Annotated

import msgspec

from facilities.accounts.enums import Trade
from facilities.kit.schema import Id, Schema, Version
from facilities.services.enums import ContractStatus, ContractType, PriceModel, VisitStatus

Aware = Annotated[datetime, msgspec.Meta(tz=True)]
Name = Annotated[str, msgspec.Meta(min_length=1, max_length=200)]
Reference = Annotated[str, msgspec.Meta(max_length=100)]
Money = Decimal  # >= 0, at most 2 decimals (checked by the action, naming the field)
Currency = Annotated[str, msgspec.Meta(pattern="^[A-Z]{3}$")]
NoticeDays = Annotated[int, msgspec.Meta(ge=0, le=3650)]
TermMonths = Annotated[int, msgspec.Meta(ge=1, le=120)]
Scope = Annotated[str, msgspec.Meta(max_length=20_000)]


class ContractCreate(Schema):
    provider_id: Id
    name: Name
    contract_type: ContractType
    start_date: date
    end_date: date
    reference: Reference = ""
    trades: list[Trade] = []
    site_ids: list[Id] = []
    scope: Scope = ""
    notice_days: NoticeDays = 90
    auto_renew: bool = False
    renewal_term_months: TermMonths = 12
    price_model: PriceModel = PriceModel.fixed_monthly
    price: Money | None = None
    currency: Currency = "EUR"
    budget_per_year: Money | None = None
    status: ContractStatus = ContractStatus.draft  # draft, or active (the dates decide later)
    confirm_overlap: bool = False


class ContractUpdate(Schema):
    version: Version
    provider_id: Id | msgspec.UnsetType = msgspec.UNSET
    name: Name | msgspec.UnsetType = msgspec.UNSET
    contract_type: ContractType | msgspec.UnsetType = msgspec.UNSET
    start_date: date | msgspec.UnsetType = msgspec.UNSET
    end_date: date | msgspec.UnsetType = msgspec.UNSET
    reference: Reference | msgspec.UnsetType = msgspec.UNSET
    trades: list[Trade] | msgspec.UnsetType = msgspec.UNSET
    site_ids: list[Id] | msgspec.UnsetType = msgspec.UNSET
    scope: Scope | msgspec.UnsetType = msgspec.UNSET
    notice_days: NoticeDays | msgspec.UnsetType = msgspec.UNSET
    auto_renew: bool | msgspec.UnsetType = msgspec.UNSET
    renewal_term_months: TermMonths | msgspec.UnsetType = msgspec.UNSET
    price_model: PriceModel | msgspec.UnsetType = msgspec.UNSET
    price: Money | msgspec.UnsetType | None = msgspec.UNSET
    currency: Currency | msgspec.UnsetType = msgspec.UNSET
    budget_per_year: Money | msgspec.UnsetType | None = msgspec.UNSET
    status: ContractStatus | msgspec.UnsetType = msgspec.UNSET
    confirm_overlap: bool = False


class ContractSummary(Schema):
    """A contract in an overlap warning."""

    id: int
    name: str
    provider_name: str
    start_date: date
    end_date: date
    site_ids: list[int]
    trades: list[str]


class ContractRead(Schema):
    id: int
    provider_id: int
    provider_name: str
    name: str
    reference: str
    contract_type: ContractType
    trades: list[str]  # as listed
    covered_trades: list[str]  # listed + implied by the type
    site_ids: list[int]
    scope: str
    start_date: date
    end_date: date
    notice_days: int
    notice_deadline: date
    auto_renew: bool
    renewal_term_months: int
    price_model: PriceModel
    price: Decimal | None
    currency: str
    budget_per_year: Decimal | None
    status: ContractStatus
    version: int
    created_at: datetime
    updated_at: datetime


class DocumentRead(Schema):
    id: int
    contract_id: int
    filename: str
    content_type: str
    size: int
    created_at: datetime


class VisitPlanCreate(Schema):
    name: Name
    rrule: Annotated[str, msgspec.Meta(min_length=1, max_length=500)]
    dtstart_local: datetime  # naive, site-local wall time of the window start
    window_minutes: Annotated[int, msgspec.Meta(ge=1, le=24 * 60)] = 120
    lead_days: Annotated[int, msgspec.Meta(ge=0, le=365)] = 14
    skip_closed_days: bool = True
    end_date: date | None = None
    site_ids: list[Id] = []  # none = every site of the contract
    active: bool = True


class VisitPlanUpdate(Schema):
    name: Name | msgspec.UnsetType = msgspec.UNSET
    window_minutes: Annotated[int, msgspec.Meta(ge=1, le=24 * 60)] | msgspec.UnsetType = (
        msgspec.UNSET
    )
    lead_days: Annotated[int, msgspec.Meta(ge=0, le=365)] | msgspec.UnsetType = msgspec.UNSET
    end_date: date | msgspec.UnsetType | None = msgspec.UNSET
    active: bool | msgspec.UnsetType = msgspec.UNSET


class VisitPlanRead(Schema):
    id: int
    contract_id: int
    name: str
    rrule: str
    dtstart_local: str
    window_minutes: int
    lead_days: int
    skip_closed_days: bool
    end_date: date | None
    site_ids: list[int]
    active: bool
    created_at: datetime


class VisitRead(Schema):
    id: int
    plan_id: int
    plan_name: str
    contract_id: int
    contract_name: str
    provider_name: str
    site_id: int
    site_name: str
    site_time_zone: str
    scheduled_for: datetime
    window_end: datetime
    status: VisitStatus
    rating: int | None
    comment: str
    signed_off_at: datetime | None
    signed_off_by_name: str | None


class VisitSignOff(Schema):
    """``done`` with a rating 1-5 (and an optional comment), or ``not_done`` with a comment."""

    done: bool
    rating: Annotated[int, msgspec.Meta(ge=1, le=5)] | None = None
    comment: Annotated[str, msgspec.Meta(max_length=2000)] = ""


class TargetAttainment(Schema):
    target: str  # response | attendance | resolution
    measured: int
    met: int
    rate: float | None  # met / measured, None without data


class Scorecard(Schema):
    partner_id: int
    partner_name: str
    start: date
    end: date
    work_orders: int
    completed: int
    sla_available: bool
    sla: list[TargetAttainment]
    median_response_minutes: float | None
    median_resolution_minutes: float | None
    first_time_fix_rate: float | None
    reopen_rate: float | None
    visits_due: int
    visits_missed: int
    average_rating: float | None
    work_order_cost: Decimal
    contract_cost: Decimal
    total_cost: Decimal

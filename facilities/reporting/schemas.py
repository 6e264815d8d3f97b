"""Reporting's read and write shapes (hand-written msgspec structs)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Annotated, Literal

import msgspec

from facilities.kit.schema import Id, Schema
from facilities.reporting.enums import CostCategory, Frequency, ReportKind, Split

Locale = Literal["en", "de"]


class KpiDefinitionRead(Schema):
    name: str
    title: str
    unit: str
    better: str
    formula: str
    population: str
    edge_cases: str
    standard: str
    help_url: str


class TileRead(Schema):
    name: str
    title: str
    unit: str
    better: str  # "higher" | "lower"
    value: float | None
    previous: float | None
    # the figure of each of the last periods of the same length, oldest first (last = now)
    trend: list[float | None]
    records_url: str | None  # the list of records behind the figure (API)
    help_url: str


class DashboardRead(Schema):
    start: date
    end: date  # included
    previous_start: date
    previous_end: date
    scope: str
    region_id: int | None
    site_id: int | None
    site_ids: list[int]
    tiles: list[TileRead]


class RecordRead(Schema):
    kind: str  # work_order | asset | inspection | finding | incident | meter_month
    id: int
    title: str
    site_id: int
    site_name: str
    value: float | None  # the record's contribution (minutes, days, 1/0, hours…)
    extra: dict[str, float | None]
    url: str | None = None  # the record's page (none for a confidential incident)


class RecordsRead(Schema):
    kpi: str
    start: date
    end: date
    count: int
    limit: int
    offset: int
    items: list[RecordRead]


# ---- budgets and actuals ------------------------------------------------------------

Money = Decimal  # bounds and sign checked by the action, naming the field


class BudgetSet(Schema):
    """A year's budget for a site or a region (exactly one) and a cost category. ``split``
    even: the year in four equal quarters (cents to the last quarter); manual: ``quarters``
    as given, which must add up to ``amount``. Setting it again replaces it."""

    year: Annotated[int, msgspec.Meta(ge=2000, le=2100)]
    category: CostCategory
    amount: Money
    site_id: Id | None = None
    region_id: Id | None = None
    split: Split = Split.even
    quarters: list[Money] | None = None


class BudgetRead(Schema):
    id: int
    year: int
    category: str
    site_id: int | None
    region_id: int | None
    amount: Decimal
    quarters: list[Decimal]
    split: str


class ExpenseCreate(Schema):
    site_id: Id
    category: CostCategory
    spent_on: date
    amount: Money
    currency: Annotated[str, msgspec.Meta(min_length=3, max_length=3)]
    description: Annotated[str, msgspec.Meta(max_length=2000)] = ""


class ExpenseRead(Schema):
    id: int
    site_id: int
    category: str
    spent_on: date
    amount: Decimal
    currency: str
    description: str
    filename: str | None
    has_attachment: bool


class CostLine(Schema):
    """Budget, actual and variance of one category (or the total) for one quarter or the
    year; forecast = the year's run-rate (actual so far ÷ days so far × days of the year)."""

    category: str
    label: str
    budget: Decimal
    actual: Decimal
    variance: Decimal  # actual − budget (positive: over budget)
    forecast: Decimal | None = None


class BudgetReportRead(Schema):
    year: int
    quarter: int
    scope: str
    currency: str
    site_ids: list[int]
    quarter_lines: list[CostLine]
    year_lines: list[CostLine]
    quarter_total: CostLine
    year_total: CostLine
    elapsed_days: int
    labour_rate: Decimal


# ---- report subscriptions ------------------------------------------------------------


class SubscriptionCreate(Schema):
    """``report`` operations (the regional operations report: the dashboard's figures) or
    budget (the quarterly budget report); scope a site, a region or (neither) every site
    the user sees; ``locale`` the language of the e-mail and the PDF."""

    report: ReportKind
    frequency: Frequency
    site_id: Id | None = None
    region_id: Id | None = None
    locale: Locale = "en"


class SubscriptionRead(Schema):
    id: int
    report: str
    frequency: str
    site_id: int | None
    region_id: int | None
    locale: str
    last_period: str | None


# ---- benchmarking ----------------------------------------------------------------------


class BenchmarkSite(Schema):
    site_id: int
    site: str
    figure: float | None  # the KPI's value for the site
    divisor: float | None  # floor area, desks or visits (1 when not normalised)
    value: float | None = None  # figure ÷ divisor (ranked sites only)
    rank: int | None = None
    outlier: bool = False


class BenchmarkStats(Schema):
    median: float
    q1: float
    q3: float
    low: float  # Q1 − 1.5 × IQR
    high: float  # Q3 + 1.5 × IQR


class BenchmarkRead(Schema):
    kpi: str
    title: str
    per: str
    per_label: str
    better: str
    start: date
    end: date
    scope: str
    region_id: int | None
    stats: BenchmarkStats | None
    ranked: list[BenchmarkSite]
    apart: list[BenchmarkSite]  # without a figure or without the divisor: not ranked


class CapacityWeek(Schema):
    start: date  # the Monday
    minutes: int  # planned work in the week
    items: int
    load: float | None  # minutes ÷ weekly capacity × 100; None without a stated capacity
    overload: bool  # more planned than the stated capacity


class CapacityRow(Schema):
    kind: str  # partner | person
    id: int
    name: str
    capacity_minutes: int | None  # stated weekly capacity (accounts); None: not stated
    undated_minutes: int  # open work orders without a scheduled or due time
    weeks: list[CapacityWeek]


class CapacityRead(Schema):
    scope: str
    region_id: int | None
    weeks: list[date]
    rows: list[CapacityRow]

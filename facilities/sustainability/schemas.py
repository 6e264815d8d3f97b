"""API schemas of sustainability: meters, readings, bill periods, occupancy, emission
factors and monthly results."""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum
from typing import Annotated

import msgspec

from facilities.kit.schema import Id, Schema
from facilities.sustainability.enums import Carrier, FactorMethod, ReadingKind

Aware = Annotated[datetime, msgspec.Meta(tz=True)]
Name = Annotated[str, msgspec.Meta(min_length=1, max_length=200)]
Number = Annotated[str, msgspec.Meta(max_length=60)]
Note = Annotated[str, msgspec.Meta(max_length=300)]
Digits = Annotated[int, msgspec.Meta(ge=1, le=12)]
CorrectionFactor = Annotated[float, msgspec.Meta(gt=0, le=2)]
CalorificValue = Annotated[float, msgspec.Meta(gt=0, le=50)]
Quantity = Annotated[float, msgspec.Meta(ge=0, le=1e12)]
Money = Annotated[float, msgspec.Meta(ge=0, le=1e10)]
Currency = Annotated[str, msgspec.Meta(pattern="^[A-Z]{3}$")]
Visits = Annotated[int, msgspec.Meta(ge=0, le=10_000_000)]
Region = Annotated[str, msgspec.Meta(pattern="^[A-Z0-9-]{2,20}$")]
Year = Annotated[int, msgspec.Meta(ge=1990, le=2100)]
Source = Annotated[str, msgspec.Meta(max_length=2000)]
MarketFactor = Annotated[float, msgspec.Meta(ge=0, le=5)]
ClientKey = Annotated[str, msgspec.Meta(pattern="^[0-9A-Za-z-]{8,36}$")]


class MeterCreate(Schema):
    site_id: Id
    name: Name
    carrier: Carrier
    unit: str  # one of the carrier's units (enums.CARRIER_UNITS), checked by the action
    number: Number = ""
    asset_id: Id | None = None
    space_id: Id | None = None
    register_digits: Digits | None = None
    installed_on: date | None = None
    correction_factor: CorrectionFactor | None = None  # gas in m³: Zustandszahl
    calorific_value: CalorificValue | None = None  # gas kWh/m³ or oil kWh/l, gross (Hs)
    active: bool = True
    # electricity or district heat: the supplier's factor (kg CO2e/kWh) for market-based
    market_factor: MarketFactor | None = None
    market_factor_source: Source = ""


class MeterUpdate(Schema):
    """Carrier and unit are fixed once a meter exists (its history is in that unit)."""

    name: Name | msgspec.UnsetType = msgspec.UNSET
    number: Number | msgspec.UnsetType = msgspec.UNSET
    asset_id: Id | msgspec.UnsetType | None = msgspec.UNSET
    space_id: Id | msgspec.UnsetType | None = msgspec.UNSET
    register_digits: Digits | msgspec.UnsetType | None = msgspec.UNSET
    installed_on: date | msgspec.UnsetType | None = msgspec.UNSET
    correction_factor: CorrectionFactor | msgspec.UnsetType | None = msgspec.UNSET
    calorific_value: CalorificValue | msgspec.UnsetType | None = msgspec.UNSET
    active: bool | msgspec.UnsetType = msgspec.UNSET
    market_factor: MarketFactor | msgspec.UnsetType | None = msgspec.UNSET
    market_factor_source: Source | msgspec.UnsetType = msgspec.UNSET


class MeterRead(Schema):
    id: int
    site_id: int
    site_name: str
    name: str
    number: str
    carrier: Carrier
    unit: str
    asset_id: int | None
    space_id: int | None
    register_digits: int | None
    installed_on: date | None
    correction_factor: float | None
    calorific_value: float | None
    active: bool
    market_factor: float | None = None
    market_factor_source: str = ""
    last_read_at: datetime | None = None
    last_value: float | None = None
    qr_code: str | None = None  # the label's code; scanning qr_url opens "enter a reading"
    qr_url: str | None = None


class LabelRequest(Schema):
    """What to print: meters (in order) or every active meter of a site."""

    meter_ids: list[Id] = msgspec.field(default_factory=list)
    site_id: Id | None = None
    layout: Annotated[str, msgspec.Meta(pattern=r"^(sheet|single)$")] = "sheet"
    skip: Annotated[int, msgspec.Meta(ge=0, le=23)] = 0  # cells already used on the sheet


class ReadingCreate(Schema):
    value: Quantity
    read_at: Aware | None = None  # default: now
    kind: ReadingKind = ReadingKind.regular
    replaced_final: Quantity | None = None  # replacement: the old meter's final reading
    note: Note = ""
    confirm_jump: bool = False  # save although it is far above the usual consumption
    # The offline queue's key (a UUID the phone made): a repeat answers the first reading.
    client_key: ClientKey | None = None


class AssetReadingCreate(Schema):
    """A reading of an asset's operating-hours or counter meter (``/assets/{id}/meter-readings``;
    the asset's meter is made on its first reading). ``replacement``: the meter was swapped
    and ``value`` is the new one's start; ``replaced_final`` is the old one's last value
    (default: its previous reading, i.e. no usage counted since)."""

    value: Annotated[float, msgspec.Meta(ge=0, le=1e12)]
    read_at: Aware | None = None  # default: now
    replacement: bool = False
    replaced_final: Quantity | None = None
    note: Note = ""
    confirm_jump: bool = False  # save although it is far above the usual rate
    client_key: ClientKey | None = None


class AssetReadingRead(Schema):
    id: int
    asset_id: int
    meter_id: int
    value: float
    read_at: datetime
    replacement: bool
    kind: ReadingKind
    replaced_final: float | None
    note: str
    unit: str


class MeterReplace(Schema):
    """A meter swapped on site: the old meter's final reading and the new one's start, one
    moment; the record (and its history) continues with the new meter's number."""

    final_value: Quantity  # the old meter's last reading, read before removal
    start_value: Quantity  # the new meter's register at installation (often 0)
    read_at: Aware | None = None  # default: now
    number: Number | None = None  # the new meter's number; None keeps the old one
    register_digits: Digits | None = None  # the new register's size; None keeps it
    note: Note = ""


class ReadingRead(Schema):
    id: int
    meter_id: int
    read_at: datetime
    value: float
    kind: ReadingKind
    replaced_final: float | None
    note: str
    entered_by: str | None
    consumption: float | None = None  # since the previous reading, in the meter's unit


class PeriodCreate(Schema):
    starts_on: date
    ends_on: date  # included (a bill from 1 Jan to 31 Jan covers 31 days)
    quantity: Quantity
    cost: Money | None = None
    currency: Currency = "EUR"
    estimated: bool = False
    note: Note = ""


class PeriodRead(Schema):
    id: int
    meter_id: int
    starts_on: date
    ends_on: date
    quantity: float
    cost: float | None
    currency: str
    estimated: bool
    note: str


class OccupancySet(Schema):
    visits: Visits


class OccupancyRead(Schema):
    site_id: int
    month: date
    visits: int


class FactorCreate(Schema):
    carrier: Carrier
    region: Region
    year: Year
    method: FactorMethod
    value: float  # kg CO2e per kWh; the action refuses a negative value, naming the field
    source: Source


class FactorRead(Schema):
    id: int
    carrier: Carrier
    region: str
    year: int
    method: FactorMethod
    value: float
    unit: str
    source: str
    version: int
    shipped: bool


class CarrierMonth(Schema):
    carrier: Carrier
    quantity: float  # in the reporting unit: kWh, m³ or kg
    unit: str
    cost: float | None
    estimated: bool


class Intensities(Schema):
    energy_kwh_per_m2: float | None
    co2e_location_kg_per_m2: float | None
    co2e_market_kg_per_m2: float | None
    co2e_location_kg_per_desk: float | None
    co2e_location_kg_per_visit: float | None


class MonthResult(Schema):
    month: date  # the month's first day (the year's first day for the year's total)
    carriers: list[CarrierMonth]
    energy_kwh: float
    scope1_kg: float  # fuels and refrigerant top-ups
    scope1_refrigerant_kg: float  # of it: refrigerants (kg filled in × GWP100, AR6)
    scope2_location_kg: float
    scope2_market_kg: float
    market_fallback: bool  # market-based used a location factor for lack of a market one
    missing_factors: list[Carrier]
    visits: int | None
    intensities: Intensities
    diversion_rate: float | None  # % of waste collected separately


class ResultsRead(Schema):
    year: int
    site_id: int | None  # None: every site the caller sees (or the region's)
    region_id: int | None
    site_count: int
    floor_area_m2: float | None
    desks: int | None
    months: list[MonthResult]
    total: MonthResult
    factor_ids: list[int]


class IntervalImportRead(Schema):
    id: int
    filename: str
    rows: int  # values stored
    meters: int
    first_at: datetime | None
    last_at: datetime | None
    created_at: datetime


class TargetMetric(StrEnum):
    co2e = "co2e"  # Scope 1 + Scope 2 location-based, kg
    energy = "energy"  # kWh


class TargetCreate(Schema):
    """Exactly one of ``site_id`` and ``region_id``."""

    metric: TargetMetric
    baseline_year: Year
    target_year: Year
    reduction_pct: Annotated[float, msgspec.Meta(gt=0, le=100)]
    site_id: Id | None = None
    region_id: Id | None = None
    note: Note = ""


class TargetProgress(Schema):
    year: int
    baseline: float  # the metric in the baseline year
    current: float  # the metric in ``year``
    goal: float  # the metric the target asks for in the target year
    path: float  # where a straight line from baseline to goal stands in ``year``
    reduction_pct: float | None  # achieved so far (None without a baseline)
    on_track: bool | None


class TargetRead(Schema):
    id: int
    metric: TargetMetric
    baseline_year: int
    target_year: int
    reduction_pct: float
    site_id: int | None
    region_id: int | None
    scope_name: str
    note: str
    progress: TargetProgress | None = None

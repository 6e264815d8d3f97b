"""Reporting's read and write shapes (hand-written msgspec structs)."""

from __future__ import annotations

from datetime import date

from facilities.kit.schema import Schema


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
    kind: str  # "work_order" | "asset"
    id: int
    title: str
    site_id: int
    site_name: str
    value: float | None  # the record's contribution (minutes, days, 1/0, hours…)
    extra: dict[str, float | None]


class RecordsRead(Schema):
    kpi: str
    start: date
    end: date
    count: int
    limit: int
    offset: int
    items: list[RecordRead]

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated

import msgspec

from facilities.kit.schema import Id, Schema
from facilities.sites.enums import SiteKind, SpaceKind

Code = Annotated[
    str, msgspec.Meta(min_length=2, max_length=20, pattern=r"^[A-Za-z0-9][A-Za-z0-9_-]*$")
]
Name = Annotated[str, msgspec.Meta(min_length=1, max_length=200)]
Country = Annotated[str, msgspec.Meta(pattern=r"^[A-Za-z]{2}$")]
Latitude = Annotated[float, msgspec.Meta(ge=-90, le=90)]
Longitude = Annotated[float, msgspec.Meta(ge=-180, le=180)]
Area = Annotated[float, msgspec.Meta(ge=0, le=10_000_000)]  # msgspec bounds need float
Desks = Annotated[int, msgspec.Meta(ge=0, le=100_000)]
# {"mon": [["08:00", "18:00"]], ...}; checked further in actions (format, order, overlap).
OpeningHours = dict[str, list[list[str]]]


class RegionRead(Schema):
    id: int
    name: str
    site_count: int


class RegionCreate(Schema):
    name: Name


class RegionUpdate(Schema):
    name: Name


class SiteRead(Schema):
    id: int
    region_id: int
    region_name: str
    name: str
    code: str
    kind: SiteKind
    address: str
    postal_code: str
    city: str
    country: str
    latitude: float | None
    longitude: float | None
    time_zone: str
    floor_area_m2: float | None
    desks: int | None
    opening_hours: OpeningHours
    holiday_country: str
    holiday_subdivision: str
    access_notes: str
    allow_anonymous_reports: bool
    archived: bool
    created_at: datetime
    updated_at: datetime


class SiteCreate(Schema):
    region_id: Id
    name: Name
    code: Code
    kind: SiteKind
    time_zone: str = "Europe/Berlin"
    address: Annotated[str, msgspec.Meta(max_length=300)] = ""
    postal_code: Annotated[str, msgspec.Meta(max_length=20)] = ""
    city: Annotated[str, msgspec.Meta(max_length=120)] = ""
    country: Country = "DE"
    latitude: Latitude | None = None
    longitude: Longitude | None = None
    floor_area_m2: Area | None = None
    desks: Desks | None = None
    opening_hours: OpeningHours = msgspec.field(default_factory=dict)
    holiday_country: Country = "DE"
    holiday_subdivision: Annotated[str, msgspec.Meta(max_length=10)] = ""
    access_notes: Annotated[str, msgspec.Meta(max_length=5000)] = ""
    allow_anonymous_reports: bool = True


class SiteUpdate(Schema):
    region_id: Id | msgspec.UnsetType = msgspec.UNSET
    name: Name | msgspec.UnsetType = msgspec.UNSET
    code: Code | msgspec.UnsetType = msgspec.UNSET
    kind: SiteKind | msgspec.UnsetType = msgspec.UNSET
    time_zone: str | msgspec.UnsetType = msgspec.UNSET
    address: Annotated[str, msgspec.Meta(max_length=300)] | msgspec.UnsetType = msgspec.UNSET
    postal_code: Annotated[str, msgspec.Meta(max_length=20)] | msgspec.UnsetType = msgspec.UNSET
    city: Annotated[str, msgspec.Meta(max_length=120)] | msgspec.UnsetType = msgspec.UNSET
    country: Country | msgspec.UnsetType = msgspec.UNSET
    latitude: Latitude | msgspec.UnsetType | None = msgspec.UNSET
    longitude: Longitude | msgspec.UnsetType | None = msgspec.UNSET
    floor_area_m2: Area | msgspec.UnsetType | None = msgspec.UNSET
    desks: Desks | msgspec.UnsetType | None = msgspec.UNSET
    opening_hours: OpeningHours | msgspec.UnsetType = msgspec.UNSET
    holiday_country: Country | msgspec.UnsetType = msgspec.UNSET
    holiday_subdivision: Annotated[str, msgspec.Meta(max_length=10)] | msgspec.UnsetType = (
        msgspec.UNSET
    )
    access_notes: Annotated[str, msgspec.Meta(max_length=5000)] | msgspec.UnsetType = msgspec.UNSET
    allow_anonymous_reports: bool | msgspec.UnsetType = msgspec.UNSET


# Fields a community manager may change on their own sites ("sites.operate").
OPERATIONAL_FIELDS = frozenset({"opening_hours", "access_notes", "allow_anonymous_reports"})


class ClosureRead(Schema):
    id: int
    day: date
    reason: str


class ClosureCreate(Schema):
    day: date
    reason: Annotated[str, msgspec.Meta(max_length=200)] = ""


class HolidayRead(Schema):
    day: date
    name: str
    source: str  # "public" or "site"


class SpaceRead(Schema):
    id: int
    site_id: int
    parent_id: int | None
    name: str
    kind: SpaceKind
    archived: bool
    path: str


class SpaceCreate(Schema):
    name: Name
    kind: SpaceKind
    parent_id: Id | None = None


class SpaceUpdate(Schema):
    name: Name | msgspec.UnsetType = msgspec.UNSET
    kind: SpaceKind | msgspec.UnsetType = msgspec.UNSET
    parent_id: Id | msgspec.UnsetType | None = msgspec.UNSET
    archived: bool | msgspec.UnsetType = msgspec.UNSET


class AccessRead(Schema):
    user_id: int
    site_ids: list[int]
    region_ids: list[int]


class AccessUpdate(Schema):
    site_ids: list[Id] = msgspec.field(default_factory=list)
    region_ids: list[Id] = msgspec.field(default_factory=list)

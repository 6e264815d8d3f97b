"""Regions → sites → spaces; closure days; who is assigned where."""

from piccolo.columns import (
    JSONB,
    Boolean,
    Date,
    Float,
    ForeignKey,
    Integer,
    LazyTableReference,
    Numeric,
    OnDelete,
    Serial,
    Text,
    Timestamptz,
    Varchar,
)
from piccolo.columns.defaults.timestamptz import TimestamptzNow
from piccolo.table import Table

from facilities.accounts.tables import User


class Region(Table, tablename="region"):
    id: Serial  # implicit primary key, declared for type checkers
    name = Varchar(length=120, unique=True, null=False)
    created_at = Timestamptz(default=TimestamptzNow())


class Site(Table, tablename="site"):
    id: Serial  # implicit primary key, declared for type checkers
    region = ForeignKey(Region, null=False, on_delete=OnDelete.restrict, index=True)
    name = Varchar(length=200, null=False)
    code = Varchar(length=20, unique=True, null=False)
    kind = Varchar(length=20, null=False, index=True)
    address = Varchar(length=300, default="")
    postal_code = Varchar(length=20, default="")
    city = Varchar(length=120, default="")
    country = Varchar(length=2, default="DE")
    latitude = Float(null=True, default=None)
    longitude = Float(null=True, default=None)
    time_zone = Varchar(length=64, null=False, default="Europe/Berlin")
    floor_area_m2 = Numeric(digits=(12, 2), null=True, default=None)
    desks = Integer(null=True, default=None)
    # {"mon": [["08:00", "18:00"]], ..., "sun": []} - site-local wall-clock times.
    opening_hours = JSONB(default={})
    holiday_country = Varchar(length=2, default="DE")
    holiday_subdivision = Varchar(length=10, default="")
    access_notes = Text(default="")
    allow_anonymous_reports = Boolean(default=True)
    archived = Boolean(default=False, index=True)
    created_at = Timestamptz(default=TimestamptzNow())
    updated_at = Timestamptz(default=TimestamptzNow())


class ClosureDay(Table, tablename="site_closure_day"):
    """A site-specific closed day (company holiday, renovation) on top of public holidays."""

    id: Serial  # implicit primary key, declared for type checkers
    site = ForeignKey(Site, null=False, on_delete=OnDelete.cascade, index=True)
    day = Date(null=False)
    reason = Varchar(length=200, default="")


class Space(Table, tablename="space"):
    id: Serial  # implicit primary key, declared for type checkers
    site = ForeignKey(Site, null=False, on_delete=OnDelete.restrict, index=True)
    parent: ForeignKey = ForeignKey(
        LazyTableReference("Space", module_path="facilities.sites.tables"),
        null=True,
        default=None,
        on_delete=OnDelete.restrict,
    )
    name = Varchar(length=200, null=False)
    kind = Varchar(length=20, null=False)
    archived = Boolean(default=False)
    created_at = Timestamptz(default=TimestamptzNow())


class SiteAssignment(Table, tablename="site_assignment"):
    """Community managers and viewers see the sites they are assigned to."""

    id: Serial  # implicit primary key, declared for type checkers
    user = ForeignKey(User, null=False, on_delete=OnDelete.cascade, index=True)
    site = ForeignKey(Site, null=False, on_delete=OnDelete.cascade, index=True)


class RegionAssignment(Table, tablename="region_assignment"):
    """Ops managers and viewers see every site of the regions they are assigned to."""

    id: Serial  # implicit primary key, declared for type checkers
    user = ForeignKey(User, null=False, on_delete=OnDelete.cascade, index=True)
    region = ForeignKey(Region, null=False, on_delete=OnDelete.cascade, index=True)

"""Meters (per site, optionally on an asset or space), register readings, bill periods,
monthly occupancy, and the versioned emission-factor library."""

from decimal import Decimal

from piccolo.columns import (
    BigInt,
    Boolean,
    Date,
    DoublePrecision,
    ForeignKey,
    Integer,
    Numeric,
    OnDelete,
    Serial,
    SmallInt,
    Text,
    Timestamptz,
    Varchar,
)
from piccolo.columns.defaults.timestamptz import TimestamptzNow
from piccolo.table import Table

from facilities.accounts.tables import User
from facilities.assets.tables import Asset
from facilities.sites.tables import Region, Site, Space


class Meter(Table, tablename="meter"):
    """A utility meter or a waste stream of a site.

    ``register_digits``: digits before the decimal point; the register rolls over to zero
    after ``10 ** register_digits``. Gas meters counting m³ carry the bill's volume
    correction factor (Zustandszahl) and gross calorific value (Brennwert, kWh/m³); oil
    meters counting litres carry their gross calorific value (kWh/l).
    """

    id: Serial
    site = ForeignKey(Site, null=False, on_delete=OnDelete.restrict, index=True)
    asset = ForeignKey(Asset, null=True, default=None, on_delete=OnDelete.set_null)
    space = ForeignKey(Space, null=True, default=None, on_delete=OnDelete.set_null)
    name = Varchar(length=200, null=False)
    number = Varchar(length=60, default="")  # the number printed on the meter (Zählernummer)
    carrier = Varchar(length=30, null=False, index=True)
    unit = Varchar(length=10, null=False)
    register_digits = Integer(null=True, default=None)
    installed_on = Date(null=True, default=None)
    correction_factor = Numeric(digits=(8, 4), null=True, default=None)
    calorific_value = Numeric(digits=(8, 4), null=True, default=None)
    active = Boolean(default=True, index=True)
    created_at = Timestamptz(default=TimestamptzNow())
    updated_at = Timestamptz(default=TimestamptzNow())
    # Market-based Scope 2: the supplier's own factor for this meter's contract (kg CO2e per
    # kWh, e.g. from the supplier's Stromkennzeichnung) and where it comes from; it takes
    # precedence over the library's market-based factor of the region.
    market_factor = Numeric(digits=(10, 6), null=True, default=None)
    market_factor_source = Varchar(length=300, default="")


class MeterReading(Table, tablename="meter_reading"):
    """A register reading. ``replaced_final``: on a replacement, the old meter's last value
    (``value`` is then the new meter's start). Unique (meter, read_at) by a raw index."""

    id: Serial
    meter = ForeignKey(Meter, null=False, on_delete=OnDelete.cascade, index=True)
    read_at = Timestamptz(null=False)
    value = Numeric(digits=(16, 3), null=False)
    kind = Varchar(length=20, null=False, default="regular")
    replaced_final = Numeric(digits=(16, 3), null=True, default=None)
    note = Varchar(length=300, default="")
    entered_by = ForeignKey(User, null=True, default=None, on_delete=OnDelete.set_null)
    created_at = Timestamptz(default=TimestamptzNow())
    # The offline queue's key: a repeat of the same (meter, client_key) writes nothing and
    # answers the first reading (unique by a raw index; NULLs never collide).
    client_key = Varchar(length=36, null=True, default=None)


class MeterPeriod(Table, tablename="meter_period"):
    """A bill or any quantity for a date range, both days included (Portfolio Manager's
    convention; a shared boundary day goes to the later period)."""

    id: Serial
    meter = ForeignKey(Meter, null=False, on_delete=OnDelete.cascade, index=True)
    starts_on = Date(null=False)
    ends_on = Date(null=False)
    quantity = Numeric(digits=(16, 3), null=False)
    cost = Numeric(digits=(14, 2), null=True, default=None)
    currency = Varchar(length=3, default="EUR")
    estimated = Boolean(default=False)
    note = Varchar(length=300, default="")
    entered_by = ForeignKey(User, null=True, default=None, on_delete=OnDelete.set_null)
    created_at = Timestamptz(default=TimestamptzNow())


class Occupancy(Table, tablename="occupancy"):
    """Member visits of a site in a month (``month`` is its first day). Unique (site, month)."""

    id: Serial
    site = ForeignKey(Site, null=False, on_delete=OnDelete.cascade, index=True)
    month = Date(null=False)
    visits = Integer(null=False)
    entered_by = ForeignKey(User, null=True, default=None, on_delete=OnDelete.set_null)
    updated_at = Timestamptz(default=TimestamptzNow())


class EmissionFactor(Table, tablename="emission_factor"):
    """kg CO2e per reporting unit of a carrier (kWh for energy, on the gross calorific basis
    for fuels) for a country or grid region, a year and a method. Never edited: a correction
    is a new ``version``; results use the highest. Unique (carrier, region, year, method,
    version) by a raw index."""

    id: Serial
    carrier = Varchar(length=30, null=False)
    region = Varchar(length=20, null=False)  # ISO country ("DE") or a grid region
    year = Integer(null=False)
    method = Varchar(length=10, null=False)
    value = Numeric(digits=(10, 6), null=False)
    unit = Varchar(length=10, null=False)  # the denominator: kWh
    source = Text(null=False)
    version = Integer(null=False, default=1)
    shipped = Boolean(default=False)  # a shipped default (to be checked against the source)
    created_by = ForeignKey(User, null=True, default=None, on_delete=OnDelete.set_null)
    created_at = Timestamptz(default=TimestamptzNow())


class MeterInterval(Table, tablename="meter_interval"):
    """One value of a load profile (15-minute or hourly), in the meter's unit, from
    ``starts_at`` for ``minutes``. Written only by the interval import, in bulk through the
    driver; unique (meter, starts_at) by a raw index, so a re-import replaces, never adds.
    ``quantity`` is a double: utilities export three or four decimals, and 8.8 million
    numerics cost twice the space and time for no precision a report shows."""

    id: Serial
    meter = ForeignKey(Meter, null=False, on_delete=OnDelete.cascade, index=False)
    starts_at = Timestamptz(null=False)
    minutes = SmallInt(null=False)
    quantity = DoublePrecision(null=False)


class IntervalImport(Table, tablename="interval_import"):
    """One imported interval file (unique by its SHA-256: the same file twice answers the
    first import and writes nothing)."""

    id: Serial
    sha256 = Varchar(length=64, null=False, unique=True)
    # SHA-256 of the file's first 64 KiB (``HEAD_BYTES``) and its size: a new upload whose
    # head matches an earlier import is only hashed, not parsed, until its full hash decides.
    head_sha256 = Varchar(length=64, null=True, default=None, index=True)
    size = BigInt(null=True, default=None)
    filename = Varchar(length=200, default="")
    rows = Integer(null=False)
    meters = Integer(null=False)
    first_at = Timestamptz(null=True, default=None)
    last_at = Timestamptz(null=True, default=None)
    created_by = ForeignKey(User, null=True, default=None, on_delete=OnDelete.set_null)
    created_at = Timestamptz(default=TimestamptzNow())


class MeterMonth(Table, tablename="meter_month"):
    """The stored monthly figures of a meter (site-local calendar month; ``month`` is its
    first day), rewritten by every write that changes them (readings, bills, intervals,
    emission factors) so results read them instead of recomputing. ``interval_quantity``
    is the month's sum of interval data in the meter's unit (kept so a refresh does not
    re-read millions of values); ``quantity`` is in the carrier's reporting unit and
    ``source`` says which entries it came from (bill, interval, reading). CO2e: the meter's
    share, Scope 1 for fuels, Scope 2 both methods for purchased energy. Unique (meter,
    month) by a raw index."""

    id: Serial
    meter = ForeignKey(Meter, null=False, on_delete=OnDelete.cascade, index=False)
    month = Date(null=False)
    interval_quantity = DoublePrecision(null=True, default=None)
    quantity = Numeric(digits=(18, 4), null=False)
    cost = Numeric(digits=(14, 2), null=True, default=None)
    estimated = Boolean(default=False)
    source = Varchar(length=10, default="")
    scope1_kg = Numeric(digits=(16, 4), null=False, default=Decimal(0))
    location_kg = Numeric(digits=(16, 4), null=False, default=Decimal(0))
    market_kg = Numeric(digits=(16, 4), null=False, default=Decimal(0))
    market_fallback = Boolean(default=False)
    missing_factor = Boolean(default=False)
    location_factor = Integer(null=True, default=None)  # emission_factor ids used
    market_factor = Integer(null=True, default=None)


class Target(Table, tablename="sustainability_target"):
    """A reduction target of a site or a region (exactly one of them): ``reduction_pct`` of
    the ``metric`` from ``baseline_year`` to ``target_year`` (progress in ``targets.py``)."""

    id: Serial
    site = ForeignKey(Site, null=True, default=None, on_delete=OnDelete.cascade, index=True)
    region = ForeignKey(Region, null=True, default=None, on_delete=OnDelete.cascade, index=True)
    metric = Varchar(length=20, null=False)  # co2e | energy
    baseline_year = Integer(null=False)
    target_year = Integer(null=False)
    reduction_pct = Numeric(digits=(5, 2), null=False)
    note = Varchar(length=300, default="")
    created_by = ForeignKey(User, null=True, default=None, on_delete=OnDelete.set_null)
    created_at = Timestamptz(default=TimestamptzNow())


class Anomaly(Table, tablename="meter_anomaly"):
    """Consumption far from a meter's own recent baseline, found by the nightly scan
    (``anomalies.py``) for one site-local day: an alert on the meter's site. Unique (meter,
    kind, day) by a raw index (the scan is idempotent). Acknowledged with a known cause, it
    mutes that kind on that meter (until ``muted_until``; forever when empty)."""

    id: Serial
    meter = ForeignKey(Meter, null=False, on_delete=OnDelete.cascade, index=True)
    site = ForeignKey(Site, null=False, on_delete=OnDelete.cascade, index=True)
    kind = Varchar(length=20, null=False)  # night_flow | baseload_jump | no_data
    day = Date(null=False)
    value = DoublePrecision(null=True, default=None)  # per hour, in the meter's unit
    baseline = DoublePrecision(null=True, default=None)
    evidence = Text(default="")
    status = Varchar(length=12, null=False, default="open")  # open | acknowledged
    cause = Varchar(length=300, default="")
    muted_until = Date(null=True, default=None)
    acknowledged_by = ForeignKey(User, null=True, default=None, on_delete=OnDelete.set_null)
    acknowledged_at = Timestamptz(null=True, default=None)
    work_order = Integer(null=True, default=None)  # the work order opened for it
    created_at = Timestamptz(default=TimestamptzNow())

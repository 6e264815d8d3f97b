"""Reads of sustainability, scoped by ``facilities.sites.scope``: a meter, its readings and
bills, a site's occupancy and results are visible to whoever sees the site; any other id is
404. Emission factors are a shared library (every caller with ``sustainability.view``)."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any

from facilities.accounts.principal import Principal
from facilities.assets.queries import qr_url, target_codes
from facilities.kit.errors import NotFound, RuleViolation
from facilities.kit.i18n import _
from facilities.sites import scope
from facilities.sustainability import calc
from facilities.sustainability.defaults import localized_source
from facilities.sustainability.enums import (
    Carrier,
    FactorMethod,
    ReadingKind,
)
from facilities.sustainability.schemas import (
    FactorRead,
    MeterRead,
    OccupancyRead,
    PeriodRead,
    ReadingRead,
)
from facilities.sustainability.tables import (
    EmissionFactor,
    Meter,
    MeterPeriod,
    MeterReading,
    Occupancy,
)


def aware(value: Any) -> datetime:
    if isinstance(value, str):
        value = datetime.fromisoformat(value)
    return value if value.tzinfo is not None else value.replace(tzinfo=UTC)


def to_date(value: Any) -> date:
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    return date.fromisoformat(str(value)[:10])


def dec(value: Any) -> Decimal:
    return value if isinstance(value, Decimal) else Decimal(str(value))


def opt_dec(value: Any) -> Decimal | None:
    return None if value is None else dec(value)


def opt_float(value: Any) -> float | None:
    return None if value is None else float(value)


# ---- meters ---------------------------------------------------------------------------

METER_LABEL = "meter"  # qr_code.target_kind of a meter's label (actions._labels.KIND)

METER_COLUMNS = (
    Meter.id,
    Meter.site,
    Meter.site.name.as_alias("site_name"),
    Meter.site.time_zone.as_alias("time_zone"),
    Meter.name,
    Meter.number,
    Meter.carrier,
    Meter.unit,
    Meter.asset,
    Meter.space,
    Meter.register_digits,
    Meter.installed_on,
    Meter.correction_factor,
    Meter.calorific_value,
    Meter.active,
    Meter.market_factor,
    Meter.market_factor_source,
)


def _meter(
    row: dict[str, Any], last: dict[str, Any] | None = None, code: str | None = None
) -> MeterRead:
    return MeterRead(
        id=row["id"],
        site_id=row["site"],
        site_name=row["site_name"],
        name=row["name"],
        number=row["number"],
        carrier=Carrier(row["carrier"]),
        unit=row["unit"],
        asset_id=row["asset"],
        space_id=row["space"],
        register_digits=row["register_digits"],
        installed_on=to_date(row["installed_on"]) if row["installed_on"] else None,
        correction_factor=opt_float(row["correction_factor"]),
        calorific_value=opt_float(row["calorific_value"]),
        active=bool(row["active"]),
        market_factor=opt_float(row["market_factor"]),
        market_factor_source=row["market_factor_source"] or "",
        last_read_at=aware(last["read_at"]) if last else None,
        last_value=float(last["value"]) if last else None,
        qr_code=code,
        qr_url=qr_url(code) if code else None,
    )


async def _last_readings(meter_ids: list[int]) -> dict[int, dict[str, Any]]:
    if not meter_ids:
        return {}
    rows = await (
        MeterReading.select(MeterReading.meter, MeterReading.read_at, MeterReading.value)
        .where(MeterReading.meter.is_in(meter_ids))
        .order_by(MeterReading.read_at)
    )
    return {r["meter"]: r for r in rows}  # the latest wins


async def list_meters(
    actor: Principal,
    *,
    site_id: int | None = None,
    carrier: Carrier | None = None,
    active: bool | None = None,
) -> list[MeterRead]:
    query = Meter.select(*METER_COLUMNS).order_by(Meter.site.name).order_by(Meter.name)
    visible = await scope.visible_site_ids(actor)
    if site_id is not None:
        await scope.require_site(actor, site_id)
        query = query.where(Meter.site == site_id)
    elif visible is not None:
        if not visible:
            return []
        query = query.where(Meter.site.is_in(sorted(visible)))
    if carrier is not None:
        query = query.where(Meter.carrier == carrier.value)
    if active is not None:
        query = query.where(Meter.active == active)
    rows = await query
    ids = [r["id"] for r in rows]
    last = await _last_readings(ids)
    codes = await target_codes(METER_LABEL, ids)
    return [_meter(r, last.get(r["id"]), codes.get(r["id"])) for r in rows]


async def meter_row(actor: Principal, meter_id: int) -> dict[str, Any]:
    """The meter's row if the caller sees its site; else 404."""
    row = await Meter.select(*METER_COLUMNS).where(Meter.id == meter_id).first()
    if row is None or not await scope.can_see_site(actor, row["site"]):
        raise NotFound()
    return dict(row)


async def get_meter(actor: Principal, meter_id: int) -> MeterRead:
    row = await meter_row(actor, meter_id)
    last = await _last_readings([meter_id])
    codes = await target_codes(METER_LABEL, [meter_id])
    return _meter(row, last.get(meter_id), codes.get(meter_id))


# ---- readings and periods ---------------------------------------------------------------


def reading_of(row: dict[str, Any]) -> calc.Reading:
    return calc.Reading(
        read_at=aware(row["read_at"]),
        value=dec(row["value"]),
        kind=ReadingKind(row["kind"]),
        replaced_final=opt_dec(row["replaced_final"]),
    )


async def reading_rows(meter_ids: list[int]) -> list[dict[str, Any]]:
    if not meter_ids:
        return []
    rows = await (
        MeterReading.select(
            MeterReading.id,
            MeterReading.meter,
            MeterReading.read_at,
            MeterReading.value,
            MeterReading.kind,
            MeterReading.replaced_final,
            MeterReading.note,
            MeterReading.entered_by.name.as_alias("entered_by_name"),
        )
        .where(MeterReading.meter.is_in(meter_ids))
        .order_by(MeterReading.read_at)
    )
    return [dict(r) for r in rows]


async def list_readings(actor: Principal, meter_id: int, *, limit: int = 100) -> list[ReadingRead]:
    """Newest first, each with its consumption since the previous reading."""
    meter = await meter_row(actor, meter_id)
    rows = await reading_rows([meter_id])
    result = []
    previous: calc.Reading | None = None
    for row in rows:
        current = reading_of(row)
        consumption = None
        if previous is not None:
            try:
                consumption = float(calc.step(previous, current, meter["register_digits"]))
            except calc.ReadingError:
                consumption = None
        previous = current
        result.append(
            ReadingRead(
                id=row["id"],
                meter_id=meter_id,
                read_at=current.read_at,
                value=float(current.value),
                kind=current.kind,
                replaced_final=opt_float(row["replaced_final"]),
                note=row["note"],
                entered_by=row["entered_by_name"],
                consumption=consumption,
            )
        )
    return list(reversed(result))[:limit]


def _period(row: dict[str, Any]) -> PeriodRead:
    return PeriodRead(
        id=row["id"],
        meter_id=row["meter"],
        starts_on=to_date(row["starts_on"]),
        ends_on=to_date(row["ends_on"]),
        quantity=float(row["quantity"]),
        cost=opt_float(row["cost"]),
        currency=row["currency"],
        estimated=bool(row["estimated"]),
        note=row["note"],
    )


async def period_rows(meter_ids: list[int]) -> list[dict[str, Any]]:
    if not meter_ids:
        return []
    rows = await (
        MeterPeriod.select()
        .where(MeterPeriod.meter.is_in(meter_ids))
        .order_by(MeterPeriod.starts_on)
    )
    return [dict(r) for r in rows]


async def list_periods(actor: Principal, meter_id: int) -> list[PeriodRead]:
    await meter_row(actor, meter_id)
    return [_period(r) for r in reversed(await period_rows([meter_id]))]


# ---- occupancy ----------------------------------------------------------------------------


async def list_occupancy(actor: Principal, site_id: int, year: int) -> list[OccupancyRead]:
    await scope.require_site(actor, site_id)
    if not 1990 <= year <= 2100:
        raise RuleViolation("year", _("Choose a year between 1990 and 2100."))
    rows = await (
        Occupancy.select(Occupancy.month, Occupancy.visits)
        .where(
            (Occupancy.site == site_id)
            & (Occupancy.month >= date(year, 1, 1))
            & (Occupancy.month <= date(year, 12, 1))
        )
        .order_by(Occupancy.month)
    )
    return [
        OccupancyRead(site_id=site_id, month=to_date(r["month"]), visits=r["visits"]) for r in rows
    ]


# ---- emission factors -------------------------------------------------------------------


def factor_read(row: dict[str, Any]) -> FactorRead:
    return FactorRead(
        id=row["id"],
        carrier=Carrier(row["carrier"]),
        region=row["region"],
        year=row["year"],
        method=FactorMethod(row["method"]),
        value=float(row["value"]),
        unit=row["unit"],
        # A shipped default's note in the reader's language; a typed one as entered.
        source=localized_source(row["source"], shipped=bool(row["shipped"])),
        version=row["version"],
        shipped=bool(row["shipped"]),
    )


async def list_factors(
    *, carrier: Carrier | None = None, region: str | None = None, year: int | None = None
) -> list[FactorRead]:
    query = (
        EmissionFactor.select()
        .order_by(EmissionFactor.carrier)
        .order_by(EmissionFactor.region)
        .order_by(EmissionFactor.year)
        .order_by(EmissionFactor.method)
        .order_by(EmissionFactor.version)
    )
    if carrier is not None:
        query = query.where(EmissionFactor.carrier == carrier.value)
    if region is not None:
        query = query.where(EmissionFactor.region == region)
    if year is not None:
        query = query.where(EmissionFactor.year == year)
    return [factor_read(r) for r in await query]


async def factors_for(regions: set[str]) -> list[calc.Factor]:
    if not regions:
        return []
    rows = await EmissionFactor.select().where(EmissionFactor.region.is_in(sorted(regions)))
    return [
        calc.Factor(
            carrier=Carrier(r["carrier"]),
            region=r["region"],
            year=r["year"],
            method=FactorMethod(r["method"]),
            value=dec(r["value"]),
            source=r["source"],
            version=r["version"],
            id=r["id"],
        )
        for r in rows
    ]

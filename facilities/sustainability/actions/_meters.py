"""Meters and monthly occupancy."""

from __future__ import annotations

import csv
import io
from datetime import date
from typing import Any

import msgspec

from facilities.accounts import audit
from facilities.accounts.principal import Principal
from facilities.assets.tables import Asset
from facilities.db import transaction
from facilities.kit import clock
from facilities.kit.errors import Conflict, FieldError, InvalidInput, RuleViolation
from facilities.kit.i18n import _
from facilities.sites import scope
from facilities.sites.tables import Site, Space
from facilities.sustainability import monthly, queries
from facilities.sustainability.actions._common import dec_or_none
from facilities.sustainability.actions._labels import issue_meter_code
from facilities.sustainability.enums import (
    CARRIER_UNITS,
    UNIT_LABELS,
    USAGE,
    Carrier,
)
from facilities.sustainability.schemas import (
    MeterCreate,
    MeterRead,
    MeterUpdate,
    OccupancyRead,
    OccupancySet,
)
from facilities.sustainability.tables import (
    Meter,
    MeterPeriod,
    MeterReading,
    Occupancy,
)

# ---- meters ---------------------------------------------------------------------------


async def _check_links(site_id: int, asset_id: int | None, space_id: int | None) -> None:
    if asset_id is not None:
        asset = await Asset.select(Asset.site).where(Asset.id == asset_id).first()
        if asset is None or asset["site"] != site_id:
            raise RuleViolation("asset_id", _("Choose an asset of the meter's site."))
    if space_id is not None:
        space = await Space.select(Space.site).where(Space.id == space_id).first()
        if space is None or space["site"] != site_id:
            raise RuleViolation("space_id", _("Choose a space of the meter's site."))


async def _check_usage(
    carrier: Carrier, asset_id: int | None, active: bool, meter_id: int | None = None
) -> None:
    """An operating-hours or counter meter is an asset's own (meter-based maintenance reads
    it): it names its asset, and an asset has one active such meter at a time."""
    if carrier not in USAGE:
        return
    if asset_id is None:
        raise RuleViolation(
            "asset_id", _("An operating-hours or counter meter belongs to an asset; choose it.")
        )
    if not active:
        return
    other = Meter.select(Meter.id).where(
        (Meter.asset == asset_id)
        & Meter.carrier.is_in([c.value for c in USAGE])
        & (Meter.active == True)  # noqa: E712 - Piccolo's column comparison
    )
    if meter_id is not None:
        other = other.where(Meter.id != meter_id)
    if await other.first() is not None:
        raise Conflict(
            _(
                "The asset already has an active operating-hours or counter meter; "
                "deactivate that one first."
            ),
            field="asset_id",
        )


def _check_settings(values: dict[str, Any]) -> None:
    carrier = Carrier(values["carrier"])
    if values.get("market_factor") is not None:
        if carrier not in (Carrier.electricity_grid, Carrier.district_heating):
            raise RuleViolation(
                "market_factor",
                _("A supplier factor is kept for grid electricity and district heating."),
            )
        if not str(values.get("market_factor_source") or "").strip():
            raise RuleViolation(
                "market_factor_source",
                _("Name the source of the supplier factor (supplier, disclosure, year)."),
            )
    if carrier is Carrier.natural_gas and values["unit"] == "m3":
        for field in ("correction_factor", "calorific_value"):
            if values.get(field) is None:
                raise RuleViolation(
                    field,
                    _(
                        "A gas meter counting m³ needs the volume correction factor "
                        "(Zustandszahl) and the calorific value (Brennwert, kWh/m³) from "
                        "the gas bill."
                    ),
                )


async def create_meter(*, actor: Principal, data: MeterCreate) -> MeterRead:
    async with transaction():
        site = await Site.select(Site.archived).where(Site.id == data.site_id).first()
        if site is None or not await scope.can_see_site(actor, data.site_id):
            # Unknown and out of scope answer alike, so ids leak nothing.
            raise RuleViolation("site_id", _("Unknown site: %(id)s.") % {"id": data.site_id})
        if site["archived"]:
            raise RuleViolation("site_id", _("The site is archived."))
        allowed = CARRIER_UNITS[data.carrier]
        if data.unit not in allowed:
            raise RuleViolation(
                "unit",
                _("Choose one of these units: %(units)s.")
                % {"units": ", ".join(UNIT_LABELS[u] for u in allowed)},
            )
        await _check_links(data.site_id, data.asset_id, data.space_id)
        await _check_usage(data.carrier, data.asset_id, data.active)
        values = msgspec.structs.asdict(data)
        _check_settings(values)
        now = clock.now()
        row = Meter(
            site=data.site_id,
            asset=data.asset_id,
            space=data.space_id,
            name=data.name.strip(),
            number=data.number.strip(),
            carrier=data.carrier.value,
            unit=data.unit,
            register_digits=data.register_digits,
            installed_on=data.installed_on,
            correction_factor=dec_or_none(data.correction_factor, 4),
            calorific_value=dec_or_none(data.calorific_value, 4),
            active=data.active,
            market_factor=dec_or_none(data.market_factor, 6),
            market_factor_source=data.market_factor_source.strip(),
            created_at=now,
            updated_at=now,
        )
        await row.save()
        await audit.record(
            actor=actor,
            action="meter.create",
            object_type="meter",
            object_id=row.id,
            summary=f"{row.name} ({data.carrier.value}, {data.unit})",
            site_id=data.site_id,
        )
        await issue_meter_code(actor=actor, meter_id=row.id, site_id=data.site_id)
        return await queries.get_meter(actor, row.id)


async def update_meter(*, actor: Principal, meter_id: int, data: MeterUpdate) -> MeterRead:
    async with transaction():
        before = await queries.meter_row(actor, meter_id)
        changes = {k: v for k, v in msgspec.structs.asdict(data).items() if v is not msgspec.UNSET}
        merged = {
            "carrier": before["carrier"],
            "unit": before["unit"],
            "correction_factor": before["correction_factor"],
            "calorific_value": before["calorific_value"],
            "market_factor": before["market_factor"],
            "market_factor_source": before["market_factor_source"],
            **changes,
        }
        _check_settings(merged)
        await _check_links(
            before["site"],
            changes.get("asset_id", before["asset"]),
            changes.get("space_id", before["space"]),
        )
        await _check_usage(
            Carrier(before["carrier"]),
            changes.get("asset_id", before["asset"]),
            bool(changes.get("active", before["active"])),
            meter_id,
        )
        columns: dict[Any, Any] = {Meter.updated_at: clock.now()}
        for key, value in changes.items():
            if key in ("correction_factor", "calorific_value"):
                value = dec_or_none(value, 4)
            elif key == "market_factor":
                value = dec_or_none(value, 6)
            elif isinstance(value, str):
                value = value.strip()
            column = {"asset_id": Meter.asset, "space_id": Meter.space}.get(key)
            columns[column or getattr(Meter, key)] = value
        await Meter.update(columns).where(Meter.id == meter_id)
        await audit.record(
            actor=actor,
            action="meter.update",
            object_type="meter",
            object_id=meter_id,
            summary=", ".join(sorted(changes)),
            site_id=before["site"],
            before={k: before.get(k.removesuffix("_id")) for k in changes},
            after=changes,
        )
        await monthly.refresh([meter_id])  # a new calorific value changes every month
        return await queries.get_meter(actor, meter_id)


async def delete_meter(*, actor: Principal, meter_id: int) -> None:
    """Only a meter without readings or bills; otherwise deactivate it (history stays)."""
    async with transaction():
        meter = await queries.meter_row(actor, meter_id)
        used = await MeterReading.exists().where(MeterReading.meter == meter_id) or (
            await MeterPeriod.exists().where(MeterPeriod.meter == meter_id)
        )
        if used:
            raise Conflict(
                _("The meter has readings or bills. Deactivate it instead of deleting it."),
                field="active",
            )
        await Meter.delete().where(Meter.id == meter_id)
        await audit.record(
            actor=actor,
            action="meter.delete",
            object_type="meter",
            object_id=meter_id,
            summary=meter["name"],
            site_id=meter["site"],
        )


# ---- occupancy ------------------------------------------------------------------------


async def set_occupancy(
    *, actor: Principal, site_id: int, month: date, data: OccupancySet
) -> OccupancyRead:
    """Member visits of a site in a month (any day of the month names it); replaces the
    month's previous figure."""
    first = month.replace(day=1)
    async with transaction():
        await scope.require_site(actor, site_id)
        existing = await (
            Occupancy.select(Occupancy.id, Occupancy.visits)
            .where((Occupancy.site == site_id) & (Occupancy.month == first))
            .first()
        )
        now = clock.now()
        if existing is None:
            await Occupancy(
                site=site_id,
                month=first,
                visits=data.visits,
                entered_by=actor.user_id,
                updated_at=now,
            ).save()
        else:
            await Occupancy.update(
                {
                    Occupancy.visits: data.visits,
                    Occupancy.entered_by: actor.user_id,
                    Occupancy.updated_at: now,
                }
            ).where(Occupancy.id == existing["id"])
        await audit.record(
            actor=actor,
            action="occupancy.set",
            object_type="site",
            object_id=site_id,
            summary=f"{first:%Y-%m}: {data.visits}",
            site_id=site_id,
            before={"visits": existing["visits"]} if existing else None,
            after={"visits": data.visits},
        )
        return OccupancyRead(site_id=site_id, month=first, visits=data.visits)


async def set_occupancy_months(
    *, actor: Principal, site_id: int, months: dict[date, int]
) -> list[OccupancyRead]:
    """Several months of one site at once (the occupancy page), all or nothing."""
    async with transaction():
        return [
            await set_occupancy(
                actor=actor, site_id=site_id, month=month, data=OccupancySet(visits=visits)
            )
            for month, visits in sorted(months.items())
        ]


async def import_occupancy(*, actor: Principal, text: str) -> list[OccupancyRead]:
    """Member visits from CSV (``site_id,month,visits``; month as YYYY-MM), e.g. a coworking
    platform's monthly export. Every row is checked first; one bad row and nothing is
    written (422 listing each as ``Line N: …``). A month already entered is replaced."""
    rows = list(csv.reader(io.StringIO(text.lstrip("\ufeff"))))
    errors: list[FieldError] = []
    wanted: list[tuple[int, date, int]] = []
    visible = await scope.visible_site_ids(actor)

    def fail(line: int, field: str, message: str) -> None:
        errors.append(
            FieldError(field, _("Line %(line)s: %(message)s") % {"line": line, "message": message})
        )

    header = [c.strip().lower() for c in rows[0]] if rows else []
    if header[:3] != ["site_id", "month", "visits"]:
        raise RuleViolation("file", _("The header must be: site_id,month,visits."))
    for line, cells in enumerate(rows[1:], start=2):
        if not cells:
            continue
        if len(cells) < 3:
            fail(line, "row", _("The row has too few columns."))
            continue
        raw_site, raw_month, raw_visits = (c.strip() for c in cells[:3])
        site_id = int(raw_site) if raw_site.isdigit() else 0
        if (
            not site_id
            or (visible is not None and site_id not in visible)
            or not await scope.can_see_site(actor, site_id)
        ):
            fail(line, "site_id", _("Unknown site: %(id)s.") % {"id": raw_site or "–"})
            continue
        try:
            month = date.fromisoformat(f"{raw_month[:7]}-01")
        except ValueError:
            fail(line, "month", _("Give the month as YYYY-MM, e.g. 2026-03."))
            continue
        if not raw_visits.isdigit() or int(raw_visits) > 10_000_000:
            fail(line, "visits", _("Give the visits as a whole number."))
            continue
        wanted.append((site_id, month, int(raw_visits)))
    if errors:
        raise InvalidInput(errors, _("Nothing was imported: correct the rows listed."))
    if not wanted:
        raise RuleViolation("file", _("The file has no values."))
    async with transaction():
        return [
            await set_occupancy(
                actor=actor, site_id=site_id, month=month, data=OccupancySet(visits=visits)
            )
            for site_id, month, visits in wanted
        ]

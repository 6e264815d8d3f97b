"""Reads of assets' own meters: the operating-hours or counter meter (``enums.USAGE``) that
meter-based maintenance counts on. They are ordinary meters of the one meter model (readings
written by ``actions.record_reading``); this module finds an asset's meter, lists its
readings for the asset's page and API, and gives every asset's register to preventive
maintenance through ``assets.meters.asset_registers`` (``wiring.install()`` sets
``usage_registers`` as its source; maintenance never imports sustainability)."""

from __future__ import annotations

from collections import defaultdict
from decimal import Decimal
from typing import Any

from facilities import db
from facilities.accounts.principal import Principal
from facilities.assets import meters
from facilities.assets.tables import Asset
from facilities.kit.errors import NotFound
from facilities.sites import scope
from facilities.sustainability.enums import USAGE, ReadingKind
from facilities.sustainability.queries import aware, dec, opt_float, reading_rows
from facilities.sustainability.schemas import AssetReadingRead
from facilities.sustainability.tables import Meter

_USAGE = sorted(c.value for c in USAGE)


async def asset_row(actor: Principal, asset_id: int) -> dict[str, Any]:
    """The asset (id, site, name) if the caller sees its site; else 404."""
    row = await Asset.select(Asset.id, Asset.site, Asset.name).where(Asset.id == asset_id).first()
    if row is None or not await scope.can_see_site(actor, row["site"]):
        raise NotFound()
    return dict(row)


async def usage_meter(asset_id: int) -> dict[str, Any] | None:
    """The asset's active operating-hours or counter meter (id, unit, site), if it has one."""
    row = await (
        Meter.select(Meter.id, Meter.unit, Meter.site)
        .where(
            (Meter.asset == asset_id) & Meter.carrier.is_in(_USAGE) & (Meter.active == True)  # noqa: E712 - Piccolo's column comparison
        )
        .order_by(Meter.id)
        .first()
    )
    return dict(row) if row is not None else None


def to_read(asset_id: int, unit: str, row: dict[str, Any]) -> AssetReadingRead:
    kind = ReadingKind(row["kind"])
    return AssetReadingRead(
        id=row["id"],
        asset_id=asset_id,
        meter_id=row["meter"],
        value=float(row["value"]),
        read_at=aware(row["read_at"]),
        replacement=kind is ReadingKind.replacement,
        kind=kind,
        replaced_final=opt_float(row["replaced_final"]),
        note=row["note"],
        unit=unit,
    )


async def list_asset_readings(
    actor: Principal, asset_id: int, *, limit: int = 200
) -> list[AssetReadingRead]:
    """The readings of the asset's meter, newest first (404 for an asset out of scope)."""
    await asset_row(actor, asset_id)
    meter = await usage_meter(asset_id)
    if meter is None:
        return []
    rows = await reading_rows([meter["id"]])
    rows.sort(key=lambda r: (aware(r["read_at"]), r["id"]), reverse=True)
    return [to_read(asset_id, meter["unit"], r) for r in rows[:limit]]


async def usage_registers() -> dict[int, meters.Register]:
    """Every asset's active usage meter as a register of ``assets.meters`` (one query): a
    replacement becomes the old meter's final value followed by the new one's start."""
    marks = ", ".join("{}" for _ in _USAGE)
    rows = await db.raw(
        "SELECT m.asset AS asset, m.register_digits AS digits, r.read_at AS read_at,"  # noqa: S608 - placeholders only
        " r.value AS value, r.kind AS kind, r.replaced_final AS replaced_final"
        " FROM meter_reading r JOIN meter m ON m.id = r.meter"
        f" WHERE m.asset IS NOT NULL AND m.active = {{}} AND m.carrier IN ({marks})"
        " ORDER BY m.asset, r.read_at, r.id",
        True,
        *_USAGE,
    )
    readings: dict[int, list[meters.Reading]] = defaultdict(list)
    rollover: dict[int, Decimal | None] = {}
    for row in rows:
        asset = int(row["asset"])
        at = aware(row["read_at"])
        digits = row["digits"]
        rollover[asset] = Decimal(10) ** int(digits) if digits is not None else None
        if row["kind"] == ReadingKind.replacement.value:
            if row["replaced_final"] is not None:
                readings[asset].append(meters.Reading(at, dec(row["replaced_final"])))
            readings[asset].append(meters.Reading(at, dec(row["value"]), replacement=True))
        else:
            readings[asset].append(meters.Reading(at, dec(row["value"])))
    return {
        asset: meters.Register(list(found), rollover[asset]) for asset, found in readings.items()
    }

"""A reading of an asset's operating-hours or counter meter: the asset page's form and
``POST /api/v1/assets/{id}/meter-readings``. The asset's meter is a ``meter`` row like any
other (made through ``create_meter`` on its first reading, with its QR label), and the
reading goes through ``record_reading`` with all its checks."""

from __future__ import annotations

from facilities import db
from facilities.accounts import audit
from facilities.accounts.principal import Principal
from facilities.kit import clock
from facilities.sustainability import asset_meters
from facilities.sustainability.actions._entries import record_reading
from facilities.sustainability.actions._meters import create_meter
from facilities.sustainability.enums import Carrier, ReadingKind
from facilities.sustainability.queries import aware, reading_rows
from facilities.sustainability.schemas import (
    AssetReadingCreate,
    AssetReadingRead,
    MeterCreate,
    ReadingCreate,
)
from facilities.sustainability.tables import Meter


async def record_asset_reading(
    *, actor: Principal, asset_id: int, data: AssetReadingCreate
) -> AssetReadingRead:
    """The asset's meter (an operating-hours meter in hours, made now if the asset has
    none), then the reading. A replacement without the old meter's final value takes its
    previous reading as the final one: no usage is counted for the unknown rest."""
    async with db.transaction():
        asset = await asset_meters.asset_row(actor, asset_id)
        if not db.is_sqlite():  # two first readings at once make one meter (SQLite: one writer)
            await db.raw("SELECT id FROM asset WHERE id = {} FOR UPDATE", asset_id)
        meter = await asset_meters.usage_meter(asset_id)
        if meter is None:
            created = await create_meter(
                actor=actor,
                data=MeterCreate(
                    site_id=asset["site"],
                    name=str(asset["name"])[:200],
                    carrier=Carrier.operating_hours,
                    unit="h",
                    asset_id=asset_id,
                ),
            )
            meter = {"id": created.id, "unit": created.unit}
        elif meter["site"] != asset["site"]:
            await _follow_the_asset(actor, meter["id"], meter["site"], asset["site"])
        kind = ReadingKind.regular
        replaced_final = data.replaced_final
        if data.replacement:
            previous = [
                r
                for r in await reading_rows([meter["id"]])
                if data.read_at is None or aware(r["read_at"]) < data.read_at
            ]
            if previous:  # a first reading needs no replacement
                kind = ReadingKind.replacement
                if replaced_final is None:
                    replaced_final = float(previous[-1]["value"])
        reading = await record_reading(
            actor=actor,
            meter_id=meter["id"],
            data=ReadingCreate(
                value=data.value,
                read_at=data.read_at,
                kind=kind,
                replaced_final=replaced_final,
                note=data.note,
                # a swap restarts the register: no usual rate applies
                confirm_jump=data.confirm_jump or kind is ReadingKind.replacement,
                client_key=data.client_key,
            ),
        )
        return AssetReadingRead(
            id=reading.id,
            asset_id=asset_id,
            meter_id=meter["id"],
            value=reading.value,
            read_at=reading.read_at,
            replacement=reading.kind is ReadingKind.replacement,
            kind=reading.kind,
            replaced_final=reading.replaced_final,
            note=reading.note,
            unit=meter["unit"],
        )


async def _follow_the_asset(actor: Principal, meter_id: int, old_site: int, site: int) -> None:
    """An asset moved to another site takes its runtime meter along: the meter (and so its
    readings and label) belongs to the asset's site from now on, so the new site's people
    can read it. Usage meters count in no site's figures, so nothing is recalculated."""
    await Meter.update({Meter.site: site, Meter.updated_at: clock.now()}).where(
        Meter.id == meter_id
    )
    await audit.record(
        actor=actor,
        action="meter.update",
        object_type="meter",
        object_id=meter_id,
        site_id=site,
        summary="site",
        before={"site": old_site},
        after={"site": site},
    )

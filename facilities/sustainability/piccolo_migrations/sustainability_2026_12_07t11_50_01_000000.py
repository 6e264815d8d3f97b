from datetime import UTC, datetime
from decimal import Decimal

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.table import Table

from facilities import db
from facilities.sustainability.actions import backfill_meter_codes

ID = "2026-12-07T11:50:01:000000"
VERSION = "1.38.0"
DESCRIPTION = (
    "One meter model: each asset with runtime readings (from maintenance's "
    "asset_meter_reading, kept in meter_reading_move) gets an operating-hours meter; "
    "one active usage meter per asset (partial unique index)"
)


def _aware(value):
    if isinstance(value, str):
        value = datetime.fromisoformat(value)
    return value if value.tzinfo is not None else value.replace(tzinfo=UTC)


async def _table_exists(name: str) -> bool:
    if db.is_sqlite():
        rows = await Table.raw(
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name = {}", name
        ).run()
    else:
        rows = await Table.raw("SELECT to_regclass({}) AS name", name).run()
        rows = [r for r in rows if r["name"] is not None]
    return bool(rows)


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="sustainability", description=DESCRIPTION)

    async def move():
        if not await _table_exists("meter_reading_move"):
            return
        rows = await Table.raw(
            "SELECT r.id AS id, r.asset AS asset, r.value AS value, r.read_at AS read_at,"
            " r.replacement AS replacement, r.entered_by AS entered_by, r.note AS note,"
            " r.created_at AS created_at, a.site AS site, a.name AS asset_name"
            " FROM meter_reading_move r JOIN asset a ON a.id = r.asset"
        ).run()
        by_asset: dict[int, list[dict]] = {}
        for row in rows:
            row["read_at"] = _aware(row["read_at"])
            by_asset.setdefault(int(row["asset"]), []).append(row)
        now = datetime.now(UTC)
        for asset, readings in sorted(by_asset.items()):
            readings.sort(key=lambda r: (r["read_at"], r["id"]))
            kept: dict[datetime, dict] = {}  # one reading per moment (unique (meter, read_at))
            for row in readings:
                kept[row["read_at"]] = row
            first = readings[0]
            created = await Table.raw(
                "INSERT INTO meter (site, asset, space, name, number, carrier, unit,"
                " register_digits, installed_on, correction_factor, calorific_value, active,"
                " created_at, updated_at, market_factor, market_factor_source)"
                " VALUES ({}, {}, NULL, {}, '', 'operating_hours', 'h', NULL, NULL, NULL,"
                " NULL, {}, {}, {}, NULL, '') RETURNING id",
                first["site"],
                asset,
                str(first["asset_name"])[:200],
                True,
                now,
                now,
            ).run()
            meter = created[0]["id"]
            previous = None
            for at in sorted(kept):
                row = kept[at]
                value = Decimal(str(row["value"])).quantize(Decimal("0.001"))
                replacement = bool(row["replacement"]) and previous is not None
                await Table.raw(
                    "INSERT INTO meter_reading (meter, read_at, value, kind, replaced_final,"
                    " note, entered_by, created_at, client_key)"
                    " VALUES ({}, {}, {}, {}, {}, {}, {}, {}, NULL)",
                    meter,
                    at,
                    value,
                    "replacement" if replacement else "regular",
                    previous if replacement else None,
                    str(row["note"] or "")[:300],
                    row["entered_by"],
                    _aware(row["created_at"]) if row["created_at"] is not None else now,
                ).run()
                previous = value
        await Table.raw("DROP TABLE meter_reading_move").run()
        # The moved meters get their label codes like every meter (printing only reads).
        await backfill_meter_codes(actor=None)

    async def one_per_asset():
        # An asset has one active operating-hours or counter meter (the action checks it
        # first and answers in words; this is the backstop for two first readings at once).
        await Table.raw(
            "CREATE UNIQUE INDEX IF NOT EXISTS meter_asset_usage ON meter (asset)"
            " WHERE active AND carrier IN ('operating_hours', 'counter')"
        ).run()

    manager.add_raw(move)
    manager.add_raw(one_per_asset)
    return manager

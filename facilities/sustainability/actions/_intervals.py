"""Interval data import: one file, one transaction, all or nothing.

The file is read once, as a stream (``intervals.Parser``); checked rows go to the database
in batches through the driver, inside the one transaction: PostgreSQL ``COPY`` into a
temporary table (dropped at commit), then one ``INSERT … SELECT … ON CONFLICT`` into
``meter_interval``; SQLite ``executemany`` of an upsert straight into ``meter_interval``
(nobody else sees it before the commit). After the first bad row nothing more is written,
the rest of the file is still checked, and the import fails with every error listed: the
transaction rolls back and nothing is kept. A crash half-way rolls back the same way.

The same file twice (same SHA-256) answers the first import and keeps nothing new; an
overlapping file replaces the values it repeats (unique meter and start), so consumption is
never counted twice. The stored monthly figures of the touched months are rewritten in the
same transaction.
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
from collections.abc import AsyncIterable, AsyncIterator
from typing import Any
from zoneinfo import ZoneInfo

import asyncpg

from facilities import db
from facilities.accounts import audit
from facilities.accounts.principal import Principal
from facilities.db import transaction
from facilities.kit import clock
from facilities.kit.errors import FieldError, InvalidInput, RuleViolation
from facilities.kit.i18n import _
from facilities.sites import scope
from facilities.sustainability import monthly, queries
from facilities.sustainability.enums import Carrier
from facilities.sustainability.intervals import INTERVALS, MeterInfo, Parser
from facilities.sustainability.schemas import IntervalImportRead
from facilities.sustainability.tables import IntervalImport, Meter

STAGE = "meter_interval_load"
UPSERT_SQLITE = (
    "INSERT INTO meter_interval (meter, starts_at, minutes, quantity) VALUES (?, ?, ?, ?)"
    " ON CONFLICT (meter, starts_at) DO UPDATE SET minutes = excluded.minutes,"
    " quantity = excluded.quantity"
)
MERGE_POSTGRES = (
    "INSERT INTO meter_interval (meter, starts_at, minutes, quantity)"
    " SELECT meter, starts_at, minutes, quantity FROM meter_interval_load"
    " ON CONFLICT (meter, starts_at) DO UPDATE SET minutes = excluded.minutes,"
    " quantity = excluded.quantity"
)


async def _writable_meters(actor: Principal) -> dict[int, MeterInfo]:
    query = Meter.select(
        Meter.id,
        Meter.carrier,
        Meter.unit,
        Meter.installed_on,
        Meter.site.time_zone.as_alias("time_zone"),
    )
    visible = await scope.visible_site_ids(actor)
    if visible is not None:
        query = query.where(Meter.site.is_in(sorted(visible) or [0]))
    zones: dict[str, ZoneInfo] = {}
    result = {}
    for row in await query:
        zone = zones.setdefault(row["time_zone"], ZoneInfo(row["time_zone"]))
        installed = row["installed_on"]
        result[row["id"]] = MeterInfo(
            id=row["id"],
            carrier=Carrier(row["carrier"]),
            unit=row["unit"],
            zone=zone,
            installed_on=queries.to_date(installed) if installed else None,
        )
    return result


class _Hashing:
    """Passes the chunks through and hashes them."""

    def __init__(self, chunks: AsyncIterable[bytes]) -> None:
        self.chunks = chunks
        self.sha = hashlib.sha256()
        self.size = 0

    async def __aiter__(self) -> AsyncIterator[bytes]:
        async for chunk in self.chunks:
            self.sha.update(chunk)
            self.size += len(chunk)
            yield chunk


class _Writer:
    """PostgreSQL: ``COPY`` straight into ``meter_interval`` under a savepoint per batch
    (new data, the usual case); once a batch repeats stored values (a unique violation),
    that batch and the rest go to the temporary table, merged by one upsert at the end.
    SQLite: an upsert by ``executemany``."""

    COLUMNS = ("meter", "starts_at", "minutes", "quantity")

    def __init__(self) -> None:
        self.staging = False
        self.pending: asyncio.Task[None] | None = None

    async def write(self, rows: list[tuple[int, Any, int, float]]) -> None:
        """Writes the batch while the caller parses the next one (one batch in flight)."""
        await self.drain()
        self.pending = asyncio.create_task(self._write(rows))

    async def drain(self) -> None:
        pending, self.pending = self.pending, None
        if pending is not None:
            await pending

    async def _write(self, rows: list[tuple[int, Any, int, float]]) -> None:
        engine: Any = db.engine()
        connection = engine.current_transaction.get().connection
        if db.is_sqlite():
            await connection.executemany(UPSERT_SQLITE, rows)
            return
        if not self.staging:
            try:
                async with connection.transaction():  # a savepoint
                    await connection.copy_records_to_table(
                        "meter_interval", records=rows, columns=self.COLUMNS
                    )
                return
            except asyncpg.UniqueViolationError:
                self.staging = True
                await connection.execute(
                    f"CREATE TEMPORARY TABLE {STAGE} (meter integer, starts_at timestamptz,"
                    " minutes smallint, quantity double precision) ON COMMIT DROP"
                )
        await connection.copy_records_to_table(STAGE, records=rows, columns=self.COLUMNS)

    async def finish(self) -> None:
        await self.drain()
        if self.staging:
            await db.raw(MERGE_POSTGRES)


async def _write_batch(writer: _Writer, rows: list[tuple[int, Any, int, float]]) -> None:
    await writer.write(rows)


def _read(row: dict[str, Any], *, duplicate: bool) -> IntervalImportRead:
    return IntervalImportRead(
        id=row["id"],
        filename=row["filename"],
        rows=row["rows"],
        meters=row["meters"],
        first_at=queries.aware(row["first_at"]) if row["first_at"] else None,
        last_at=queries.aware(row["last_at"]) if row["last_at"] else None,
        created_at=queries.aware(row["created_at"]),
        duplicate=duplicate,
    )


async def _import(
    *,
    actor: Principal,
    chunks: AsyncIterable[bytes],
    filename: str = "",
    interval: int = 15,
) -> IntervalImportRead:
    if interval not in INTERVALS:
        raise RuleViolation("interval", _("Choose 15 or 60 minutes."))
    meters = await _writable_meters(actor)
    parser = Parser(meters, interval=interval, now=clock.now(), text_times=db.is_sqlite())
    source = _Hashing(chunks)
    writer = _Writer()
    async with transaction():
        try:
            async for batch in parser.batches(source):
                if not parser.summary.error_count:
                    await _write_batch(writer, batch)
            await writer.drain()
        except BaseException:
            if writer.pending is not None:  # never roll back under a write in flight
                writer.pending.cancel()
                with contextlib.suppress(BaseException):
                    await writer.pending
            raise
        summary = parser.summary
        if summary.error_count:
            raise _errors(summary)
        if not summary.rows:
            raise RuleViolation("file", _("The file has no values."))
        digest = source.sha.hexdigest()
        earlier = await IntervalImport.select().where(IntervalImport.sha256 == digest).first()
        if earlier is not None:
            raise _Duplicate(dict(earlier))
        await writer.finish()
        now = clock.now()
        record = IntervalImport(
            sha256=digest,
            filename=filename[:200],
            rows=summary.rows,
            meters=len(summary.meters),
            first_at=summary.first_at,
            last_at=summary.last_at,
            created_by=actor.user_id,
            created_at=now,
        )
        await record.save()
        await monthly.refresh(
            summary.meters, {mid: state.months for mid, state in summary.meters.items()}
        )
        await audit.record(
            actor=actor,
            action="meter_interval.import",
            object_type="interval_import",
            object_id=record.id,
            summary=f"{filename[:100]}: {summary.rows} values, {len(summary.meters)} meters",
        )
        return _read(record.to_dict(), duplicate=False)


class _Duplicate(Exception):
    def __init__(self, row: dict[str, Any]) -> None:
        self.row = row


async def import_intervals(
    *,
    actor: Principal,
    chunks: AsyncIterable[bytes],
    filename: str = "",
    interval: int = 15,
) -> IntervalImportRead:
    """Import a load-profile CSV (see ``intervals`` for the format). 422 listing every bad
    row (``Line N: …``, naming the column) and nothing written. The same file again is
    rolled back and answered as the earlier import, with ``duplicate`` set."""
    try:
        return await _import(actor=actor, chunks=chunks, filename=filename, interval=interval)
    except _Duplicate as duplicate:
        return _read(duplicate.row, duplicate=True)


def _errors(summary: Any) -> InvalidInput:
    fields = [
        FieldError(
            error.field,
            _("Line %(line)s: %(message)s") % {"line": error.row, "message": error.message},
        )
        for error in summary.errors
    ]
    more = summary.error_count - len(summary.errors)
    message = _(
        "%(count)s rows have errors; nothing was imported. Correct them and import the file again."
    ) % {"count": summary.error_count}
    if more:
        message += " " + _("The first %(shown)s are listed.") % {"shown": len(summary.errors)}
    return InvalidInput(fields, message)

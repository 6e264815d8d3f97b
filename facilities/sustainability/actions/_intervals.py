"""Interval data import: one file, one transaction, all or nothing.

The file is read once, as a stream (``intervals.Parser``); checked rows go to the database
in batches through the driver, inside the one transaction, one batch written while the next
is parsed (``_Writer``): new values by PostgreSQL ``COPY`` straight into ``meter_interval``
(a savepoint per batch) or SQLite ``executemany``; once a batch repeats stored values, the
rest replaces them (PostgreSQL: ``COPY`` into a temporary table dropped at commit, then one
``INSERT … SELECT … ON CONFLICT``; SQLite: an upsert). After the first bad row nothing more
is written, the rest of the file is still checked, and the import fails with every error
listed: the transaction rolls back and nothing is kept. A crash half-way rolls back the
same way.

The same file twice (same SHA-256) is refused with 409 naming the earlier import, and it is
known before the file is parsed: a caller that sends the file's SHA-256 (``sha256``) is
answered before a byte is read; otherwise the first 64 KiB are hashed and compared with the
heads of earlier imports, and only on a match is the rest read — hashed, not parsed, kept in
a temporary file — until the full hash decides (a file that merely starts alike is then
parsed from that copy). A duplicate that slips past both (an import from before the head
was stored, or two uploads at once) is still refused by the full hash at the end, and
where two uploads of one file pass that check at the same instant, the loser's record
meets the winner's in the unique index of ``interval_import.sha256`` and gets the same 409.
An overlapping file replaces the values it repeats (unique meter and start), so consumption
is never counted twice. The stored monthly figures of the touched months are rewritten in
the same transaction: from the sums the parser kept per meter and month when nothing was
replaced (the stored sum plus the file's), else read back from ``meter_interval``.
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import re
import sqlite3
import tempfile
from collections.abc import AsyncIterable, AsyncIterator
from typing import Any
from zoneinfo import ZoneInfo

import asyncpg

from facilities import db
from facilities.accounts import audit
from facilities.accounts.principal import Principal
from facilities.db import transaction
from facilities.kit import clock
from facilities.kit.errors import Conflict, FieldError, InvalidInput, RuleViolation
from facilities.kit.i18n import _, format_number
from facilities.kit.timefmt import format_datetime
from facilities.sites import scope
from facilities.sustainability import monthly, queries
from facilities.sustainability.enums import Carrier
from facilities.sustainability.intervals import INTERVALS, MeterInfo, Parser
from facilities.sustainability.schemas import IntervalImportRead
from facilities.sustainability.tables import IntervalImport, Meter

STAGE = "meter_interval_load"
HEAD_BYTES = 64 * 1024  # the head hashed first (interval_import.head_sha256)
SPOOL_MEMORY = 8 * 1024**2  # a suspected duplicate's rest: in memory up to this, then on disk
_HEX = re.compile("[0-9a-f]{64}")
INSERT_SQLITE = (
    "INSERT INTO meter_interval (meter, starts_at, minutes, quantity) VALUES (?, ?, ?, ?)"
)
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
            # Parsing never waits by itself: let the write in flight move on (send its rows,
            # take the server's answer) between chunks, so both go on at once.
            await asyncio.sleep(0)


class _Writer:
    """Writes the checked batches, one in flight while the next is parsed.

    New values (the usual case) go straight in: PostgreSQL ``COPY`` into ``meter_interval``
    under a savepoint per batch, SQLite ``executemany`` of a plain insert. Once a batch
    repeats stored values (a unique violation), that batch and the rest are written as
    replacements: PostgreSQL ``COPY`` into a temporary table merged by one upsert at the
    end, SQLite an upsert. ``replaced`` says whether that happened: if not, every value was
    added beside the stored ones and the monthly sums need no read-back."""

    COLUMNS = ("meter", "starts_at", "minutes", "quantity")

    def __init__(self) -> None:
        self.replaced = False
        self.pending: asyncio.Task[None] | None = None

    async def write(self, rows: list[tuple[int, Any, int, float]]) -> None:
        """Writes the batch while the caller parses the next one (one batch in flight)."""
        await self.drain()
        self.pending = asyncio.create_task(self._write(rows))
        await asyncio.sleep(0)  # start it now (it sends the rows), then parse on

    async def drain(self) -> None:
        pending, self.pending = self.pending, None
        if pending is not None:
            await pending

    async def _write(self, rows: list[tuple[int, Any, int, float]]) -> None:
        engine: Any = db.engine()
        connection = engine.current_transaction.get().connection
        if db.is_sqlite():
            if not self.replaced:
                try:
                    await connection.executemany(INSERT_SQLITE, rows)
                    return
                except sqlite3.IntegrityError:  # the rows before the repeat stay; upserted again
                    self.replaced = True
            await connection.executemany(UPSERT_SQLITE, rows)
            return
        if not self.replaced:
            try:
                async with connection.transaction():  # a savepoint
                    await connection.copy_records_to_table(
                        "meter_interval", records=rows, columns=self.COLUMNS
                    )
                return
            except asyncpg.UniqueViolationError:
                self.replaced = True
                await connection.execute(
                    f"CREATE TEMPORARY TABLE {STAGE} (meter integer, starts_at timestamptz,"
                    " minutes smallint, quantity double precision) ON COMMIT DROP"
                )
        await connection.copy_records_to_table(STAGE, records=rows, columns=self.COLUMNS)

    async def finish(self) -> None:
        await self.drain()
        if self.replaced and not db.is_sqlite():
            await db.raw(MERGE_POSTGRES)


async def _write_batch(writer: _Writer, rows: list[tuple[int, Any, int, float]]) -> None:
    await writer.write(rows)


class DuplicateImport(Conflict):
    """The same file (same SHA-256) was imported before: 409 naming that import."""

    def __init__(self, earlier: IntervalImportRead) -> None:
        super().__init__(
            _(
                "This file was imported before: import %(id)s%(file)s on %(when)s, "
                "%(rows)s values. Nothing was imported again."
            )
            % {
                "id": earlier.id,
                "file": f" ({earlier.filename})" if earlier.filename else "",
                "when": format_datetime(earlier.created_at, None, "short"),
                "rows": format_number(earlier.rows),
            },
            field="file",
        )
        self.earlier = earlier


async def _earlier(where: Any) -> list[dict[str, Any]]:
    return [dict(r) for r in await IntervalImport.select().where(where)]


async def _head(chunks: AsyncIterable[bytes]) -> tuple[bytes, AsyncIterator[bytes]]:
    """The first ``HEAD_BYTES`` (or more, up to a chunk's end) and the rest of the stream."""
    rest = aiter(chunks)
    head = bytearray()
    while len(head) < HEAD_BYTES:
        try:
            head += await anext(rest)
        except StopAsyncIteration:
            break
    return bytes(head), rest


async def _chain(first: bytes, rest: AsyncIterable[bytes]) -> AsyncIterator[bytes]:
    if first:
        yield first
    async for chunk in rest:
        yield chunk


async def _spooled(spool: Any) -> AsyncIterator[bytes]:
    try:
        while chunk := spool.read(256 * 1024):
            yield chunk
    finally:
        spool.close()


async def _screen(
    chunks: AsyncIterable[bytes], declared: str | None
) -> tuple[AsyncIterator[bytes], str]:
    """Refuse a repeated file before parsing it (``DuplicateImport``); else the stream to
    parse, from its first byte, and the hash of its head."""
    if declared is not None:
        digest = declared.strip().lower()
        if not _HEX.fullmatch(digest):
            raise RuleViolation("sha256", _("Give the file's SHA-256 as 64 hexadecimal digits."))
        for row in await _earlier(IntervalImport.sha256 == digest):
            raise DuplicateImport(_read(row))
    head, rest = await _head(chunks)
    head_digest = hashlib.sha256(head[:HEAD_BYTES]).hexdigest()
    candidates = await _earlier(IntervalImport.head_sha256 == head_digest)
    if not candidates:
        return _chain(head, rest), head_digest
    # It starts like an earlier file: hash the rest without parsing it, keeping a copy
    # (memory, then disk) in case it differs further on.
    full = hashlib.sha256(head)
    spool = tempfile.SpooledTemporaryFile(max_size=SPOOL_MEMORY)  # noqa: SIM115 - closed by _spooled
    try:
        async for chunk in rest:
            full.update(chunk)
            spool.write(chunk)
    except BaseException:
        spool.close()
        raise
    digest = full.hexdigest()
    for row in candidates:
        if row["sha256"] == digest:
            spool.close()
            raise DuplicateImport(_read(row))
    spool.seek(0)
    return _chain(head, _spooled(spool)), head_digest


def _read(row: dict[str, Any]) -> IntervalImportRead:
    return IntervalImportRead(
        id=row["id"],
        filename=row["filename"],
        rows=row["rows"],
        meters=row["meters"],
        first_at=queries.aware(row["first_at"]) if row["first_at"] else None,
        last_at=queries.aware(row["last_at"]) if row["last_at"] else None,
        created_at=queries.aware(row["created_at"]),
    )


async def _import(
    *,
    actor: Principal,
    chunks: AsyncIterable[bytes],
    filename: str = "",
    interval: int = 15,
    sha256: str | None = None,
) -> IntervalImportRead:
    if interval not in INTERVALS:
        raise RuleViolation("interval", _("Choose 15 or 60 minutes."))
    stream, head_digest = await _screen(chunks, sha256)
    meters = await _writable_meters(actor)
    parser = Parser(meters, interval=interval, now=clock.now(), text_times=db.is_sqlite())
    source = _Hashing(stream)
    try:
        return await _store(parser, source, actor, filename, sha256, head_digest)
    except (asyncpg.UniqueViolationError, sqlite3.IntegrityError) as error:
        # The same file imported at the same instant committed between this import's last
        # check and its record: answered like any repeat (the transaction rolled back).
        if not _is_twin(error):
            raise
        for earlier in await _repeat_of(source.sha.hexdigest()):
            raise DuplicateImport(_read(earlier)) from None
        raise


def _is_twin(error: Exception) -> bool:
    """A unique violation of ``interval_import.sha256`` (the record of the same file)."""
    if isinstance(error, asyncpg.UniqueViolationError):
        return error.table_name == "interval_import" and "sha256" in (error.constraint_name or "")
    return "interval_import.sha256" in str(error)


async def _repeat_of(digest: str) -> list[dict[str, Any]]:
    """The committed import of the same file, if there is one."""
    return await _earlier(IntervalImport.sha256 == digest)


async def _store(
    parser: Parser,
    source: _Hashing,
    actor: Principal,
    filename: str,
    sha256: str | None,
    head_digest: str,
) -> IntervalImportRead:
    """Parse, check and write the file in one transaction (all or nothing)."""
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
        if sha256 is not None and digest != sha256.strip().lower():
            raise RuleViolation(
                "sha256", _("The file's SHA-256 differs from the one given: it was changed.")
            )
        for earlier in await _repeat_of(digest):
            raise DuplicateImport(_read(earlier))
        await writer.finish()
        now = clock.now()
        record = IntervalImport(
            sha256=digest,
            head_sha256=head_digest,
            size=source.size,
            filename=filename[:200],
            rows=summary.rows,
            meters=len(summary.meters),
            first_at=summary.first_at,
            last_at=summary.last_at,
            created_by=actor.user_id,
            created_at=now,
        )
        await record.save()
        if writer.replaced:  # read the touched months back from meter_interval
            await monthly.refresh(
                summary.meters,
                interval_months={mid: state.months for mid, state in summary.meters.items()},
            )
        else:  # nothing replaced: the stored sums plus the file's
            await monthly.refresh(
                summary.meters,
                interval_added={mid: state.sums for mid, state in summary.meters.items()},
            )
        await audit.record(
            actor=actor,
            action="meter_interval.import",
            object_type="interval_import",
            object_id=record.id,
            summary=f"{filename[:100]}: {summary.rows} values, {len(summary.meters)} meters",
        )
        return _read(record.to_dict())


async def import_intervals(
    *,
    actor: Principal,
    chunks: AsyncIterable[bytes],
    filename: str = "",
    interval: int = 15,
    sha256: str | None = None,
) -> IntervalImportRead:
    """Import a load-profile CSV (see ``intervals`` for the format). 422 listing every bad
    row (``Line N: …``, naming the column) and nothing written. The same file again is
    refused (``DuplicateImport``, 409 naming the earlier import) before it is parsed;
    ``sha256`` (the file's, if the caller knows it) refuses it before it is even read."""
    return await _import(
        actor=actor, chunks=chunks, filename=filename, interval=interval, sha256=sha256
    )


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

"""Interval data (15-minute or hourly load profiles) from CSV: a streaming parser and its
checks. Pure: no database, no clock (the caller passes the meters and "now").

The file, as utilities and smart-meter gateways export it::

    meter_id,start,value,unit
    12,2026-01-01 00:00,1.234,kWh
    12,2026-01-01T00:15:00+01:00,1.187,kWh

* ``start`` is the interval's beginning: local time of the meter's site (no offset), or
  ISO 8601 with an offset or ``Z``. A local time that occurs twice (the hour the clocks go
  back) is ambiguous and refused: export such files with offsets. A local time that does
  not exist (the hour the clocks go forward) is refused too.
* ``value`` is the quantity of the interval (energy, not power), in ``unit``: one of the
  meter's carrier's units (kWh or MWh for electricity, m³ or l for water, ...); it is
  stored in the meter's unit.
* Separator ``,`` or ``;`` (taken from the header line); with ``;`` a decimal comma is read
  too (``1,234``), as German exports write it. Fields containing line breaks are not
  supported (a load profile has none).
* Each meter's rows must come in time order, one every ``interval`` minutes (15 or 60),
  aligned on the interval; a step larger than the interval is a gap, an equal start a
  duplicate. Meters may be interleaved.

The parser reads the file chunk by chunk: what it holds is one chunk, one batch of parsed
rows and a few values per meter, whatever the file's size.
"""

from __future__ import annotations

import codecs
import csv
from collections.abc import AsyncIterable, AsyncIterator, Iterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from functools import cache
from typing import Any
from zoneinfo import ZoneInfo

from facilities.kit.i18n import _
from facilities.sustainability.enums import CARRIER_UNITS, UNIT_LABELS, Carrier
from facilities.sustainability.units import convert

INTERVALS = (15, 60)
MAX_ERRORS = 500  # listed; the rest are counted
MAX_VALUE = 1e9
REQUIRED = ("meter_id", "start", "value", "unit")


@dataclass(frozen=True, slots=True)
class MeterInfo:
    """What the checks need to know of a meter the caller may write to."""

    id: int
    carrier: Carrier
    unit: str
    zone: ZoneInfo
    installed_on: date | None = None


@dataclass(slots=True)
class RowError:
    row: int  # the line number in the file (the header is line 1)
    field: str
    message: str

    def as_dict(self) -> dict[str, Any]:
        return {"row": self.row, "field": self.field, "message": self.message}


@dataclass(slots=True)
class _MeterState:
    first: datetime  # UTC start of the meter's first row
    last: datetime | None = None  # UTC start of the meter's previous row
    rows: int = 0
    # Site-local month → the sum of the meter's values in it (in the meter's unit): the
    # monthly figures of an import that replaced nothing need no read-back.
    sums: dict[date, float] = field(default_factory=dict)

    @property
    def months(self) -> set[date]:
        """The site-local months touched."""
        return set(self.sums)


@dataclass(slots=True)
class Summary:
    rows: int = 0
    errors: list[RowError] = field(default_factory=list)
    error_count: int = 0
    meters: dict[int, _MeterState] = field(default_factory=dict)

    @property
    def first_at(self) -> datetime | None:
        return min((m.first for m in self.meters.values() if m.rows), default=None)

    @property
    def last_at(self) -> datetime | None:
        return max((m.last for m in self.meters.values() if m.last and m.rows), default=None)

    def add_error(self, row: int, field_name: str, message: str) -> None:
        self.error_count += 1
        if len(self.errors) < MAX_ERRORS:
            self.errors.append(RowError(row, field_name, message))


@cache
def _unit_factor(unit: str, meter_unit: str) -> float:
    return float(convert(Decimal(1), unit, meter_unit))


async def lines(chunks: AsyncIterable[bytes]) -> AsyncIterator[list[str]]:
    """Complete lines (UTF-8, a BOM dropped), a list per chunk."""
    decoder = codecs.getincrementaldecoder("utf-8-sig")(errors="replace")
    rest = ""
    async for chunk in chunks:
        text = rest + decoder.decode(chunk)
        parts = text.splitlines(keepends=False)
        complete = not text or text.endswith(("\n", "\r"))
        rest = "" if complete or not parts else parts.pop()
        if parts:
            yield parts
    tail = rest + decoder.decode(b"", final=True)
    if tail:
        yield [tail]


def _local_start(text: str, zone: ZoneInfo) -> tuple[datetime | None, str | None]:
    """The UTC start, or an error message."""
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        return None, _("Give the start as 2026-01-31 23:45 (local time) or with its offset.")
    if moment.tzinfo is not None:
        return moment.astimezone(UTC), None
    first = moment.replace(tzinfo=zone, fold=0)
    second = moment.replace(tzinfo=zone, fold=1)
    if first.utcoffset() != second.utcoffset():
        # Either the hour the clocks go back (it occurs twice) or the hour they go forward
        # (it does not exist): a round trip tells them apart.
        back = first.astimezone(UTC).astimezone(zone).replace(tzinfo=None)
        if back != moment:
            return None, _(
                "%(time)s does not exist in the site's time zone (the clocks go forward then)."
            ) % {"time": text}
        return None, _(
            "%(time)s occurs twice in the site's time zone (the clocks go back then): "
            "export the file with UTC offsets, e.g. 2026-10-25T02:15+02:00."
        ) % {"time": text}
    return first.astimezone(UTC), None


class Parser:
    """Checks rows one by one and yields batches of ``(meter, starts_at, minutes,
    quantity)`` in the meter's unit (``starts_at`` a UTC datetime, or its stored text with
    ``text_times``). After the last batch, ``summary`` holds every error
    (the caller writes nothing when there is one)."""

    def __init__(
        self,
        meters: dict[int, MeterInfo],
        *,
        interval: int,
        now: datetime,
        batch_size: int = 20_000,
        text_times: bool = False,
    ) -> None:
        self.meters = meters
        self.interval = interval
        self.step = timedelta(minutes=interval)
        self.now = now
        self.batch_size = batch_size
        # SQLite: starts as the text Piccolo stores ("2026-01-01 00:00:00+00:00"), made
        # once per distinct time instead of once per row by the driver's adapter.
        self.text_times = text_times
        self.summary = Summary()
        self._columns: dict[str, int] | None = None
        self._width = len(REQUIRED)
        self._delimiter = ","
        self._line = 0
        # The start column's text → (UTC start, what is stored, site-local month and
        # day), per time zone: a file of many meters repeats each time once per meter.
        self._starts: dict[tuple[str, ZoneInfo], tuple[Any, Any, Any, Any]] = {}

    def _header(self, line: str) -> None:
        self._delimiter = ";" if line.count(";") > line.count(",") else ","
        names = [n.strip().lower() for n in next(csv.reader([line], delimiter=self._delimiter))]
        missing = [n for n in REQUIRED if n not in names]
        if missing:
            self.summary.add_error(
                1,
                missing[0],
                _("The header must name the columns %(columns)s; missing: %(missing)s.")
                % {"columns": ", ".join(REQUIRED), "missing": ", ".join(missing)},
            )
            self._columns = {}
            return
        self._columns = {n: names.index(n) for n in REQUIRED}
        self._width = max(self._columns.values()) + 1

    def _start(self, text: str, zone: ZoneInfo) -> tuple[Any, Any, Any, Any]:
        """(UTC start, stored form, local month, local day), or (None, the error, …)."""
        start, problem = _local_start(text, zone)
        if start is None:
            return (None, problem or "", None, None)
        if start + self.step > self.now:
            return (None, _("An interval cannot end in the future."), None, None)
        if (start.minute % self.interval) or start.second or start.microsecond:
            message = _("%(time)s is not on the %(minutes)s-minute grid.") % {
                "time": text,
                "minutes": self.interval,
            }
            return (None, message, None, None)
        local = start.astimezone(zone)
        stored = str(start) if self.text_times else start
        return (start, stored, date(local.year, local.month, 1), local.date())

    def _row(self, cells: list[str]) -> tuple[int, Any, int, float] | None:
        assert self._columns is not None
        line = self._line
        summary = self.summary
        columns = self._columns
        if len(cells) < self._width:
            summary.add_error(line, "row", _("The row has too few columns."))
            return None
        raw_meter = cells[columns["meter_id"]].strip()
        meter = self.meters.get(int(raw_meter)) if raw_meter.isdigit() else None
        if meter is None:
            summary.add_error(
                line, "meter_id", _("Unknown meter: %(id)s.") % {"id": raw_meter or "–"}
            )
            return None
        unit = cells[columns["unit"]].strip()
        allowed = CARRIER_UNITS[meter.carrier]
        if unit not in allowed:
            summary.add_error(
                line,
                "unit",
                _("The unit %(unit)s does not fit meter %(id)s; use one of: %(units)s.")
                % {
                    "unit": unit or "–",
                    "id": meter.id,
                    "units": ", ".join(UNIT_LABELS[u] for u in allowed),
                },
            )
            return None
        raw_value = cells[columns["value"]].strip()
        if self._delimiter == ";":
            raw_value = raw_value.replace(",", ".")
        try:
            value = float(raw_value)
        except ValueError:
            summary.add_error(line, "value", _("Type a number, e.g. 12345,6."))
            return None
        if not 0 <= value <= MAX_VALUE:  # also refuses NaN
            summary.add_error(line, "value", _("A value must be between 0 and one billion."))
            return None
        text = cells[columns["start"]].strip()
        key = (text, meter.zone)
        known = self._starts.get(key)
        if known is None:
            known = self._start(text, meter.zone)
            if len(self._starts) > 50_000:
                self._starts.clear()
            self._starts[key] = known
        start, stored, month, local_day = known
        if start is None:
            summary.add_error(line, "start", stored)
            return None
        state = summary.meters.get(meter.id)
        if state is None:
            state = summary.meters[meter.id] = _MeterState(first=start)
        if meter.installed_on is not None and local_day < meter.installed_on:
            summary.add_error(line, "start", _("The meter was not installed yet at this time."))
            return None
        if state.last is not None:
            gap = start - state.last
            if gap != self.step:
                if gap == timedelta(0):
                    message = _("A second value for meter %(id)s at the same time.")
                elif gap < timedelta(0):
                    message = _(
                        "Earlier than the meter %(id)s's previous row: rows of a meter must "
                        "come in time order."
                    )
                elif gap % self.step == timedelta(0):
                    message = _(
                        "A gap: %(missing)s values of meter %(id)s are missing before this row."
                    ) % {"missing": gap // self.step - 1, "id": meter.id}
                else:
                    message = _("Not %(minutes)s minutes after meter %(id)s's previous row.")
                summary.add_error(
                    line, "start", message % {"id": meter.id, "minutes": self.interval}
                )
                if gap > timedelta(0):
                    state.last = start
                return None
        state.last = start
        state.rows += 1
        summary.rows += 1
        if unit != meter.unit:
            value *= _unit_factor(unit, meter.unit)
        sums = state.sums
        sums[month] = sums.get(month, 0.0) + value
        return (meter.id, stored, self.interval, value)

    async def batches(
        self, chunks: AsyncIterable[bytes]
    ) -> AsyncIterator[list[tuple[int, Any, int, float]]]:
        batch: list[tuple[int, Any, int, float]] = []
        async for group in lines(chunks):
            for cells in self._cells(group):
                if cells is None:
                    continue
                parsed = self._row(cells)
                if parsed is not None:
                    batch.append(parsed)
                    if len(batch) >= self.batch_size:
                        yield batch
                        batch = []
        if self._columns is None:
            self.summary.add_error(1, "file", _("The file is empty."))
        if batch:
            yield batch

    def _cells(self, group: list[str]) -> Iterator[list[str] | None]:
        start = 0
        if self._columns is None:
            while start < len(group) and not group[start].strip():
                start += 1
                self._line += 1
            if start == len(group):
                return
            self._line += 1
            self._header(group[start])
            start += 1
        if not self._columns:  # a bad header: one error, nothing more to check
            self._line += len(group) - start
            return
        for cells in csv.reader(group[start:], delimiter=self._delimiter):
            self._line += 1
            yield cells if cells else None

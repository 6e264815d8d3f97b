"""Bills from CSV: many meters' bill periods at once, e.g. a utility's or an energy
broker's export. Each row goes through ``add_period`` (the same checks as a bill entered on
the meter's page: dates, the meter's installation, overlaps, also with an earlier row of the
same file) inside one transaction; one bad row and nothing is written, every bad row listed."""

from __future__ import annotations

import csv
import io
from datetime import date
from decimal import Decimal, InvalidOperation

from facilities.accounts.principal import Principal
from facilities.db import transaction
from facilities.kit.errors import FacilitiesError, FieldError, InvalidInput, RuleViolation
from facilities.kit.i18n import _
from facilities.sustainability.actions._entries import add_period
from facilities.sustainability.schemas import PeriodCreate, PeriodRead

HEADER = ["meter_id", "starts_on", "ends_on", "quantity", "cost"]
# Each row goes through ``add_period`` (its checks and the meter's monthly figures refreshed,
# a few statements a row): a year of monthly bills for 400 meters fits; more, split the file.
MAX_ROWS = 5_000
MAX_QUANTITY = Decimal("1e12")  # the bounds of ``PeriodCreate``
MAX_COST = Decimal("1e10")
_YES = {"1", "true", "yes", "ja", "y", "x"}


def _number(text: str) -> Decimal | None:
    """A quantity or cost: ``1234.5``, or ``1234,5`` when the file uses a decimal comma."""
    cleaned = text.strip().replace(" ", "")
    if "," in cleaned and "." not in cleaned:
        cleaned = cleaned.replace(",", ".")
    try:
        value = Decimal(cleaned)
    except InvalidOperation:
        return None
    return value if value.is_finite() else None


class _Rows:
    """The bad rows found so far, listed in the file's order."""

    def __init__(self) -> None:
        self.found: list[tuple[int, FieldError]] = []

    def fail(self, line: int, field: str, message: str) -> None:
        text = _("Line %(line)s: %(message)s") % {"line": line, "message": message}
        self.found.append((line, FieldError(field, text)))

    @property
    def errors(self) -> list[FieldError]:
        return [error for _line, error in sorted(self.found, key=lambda pair: pair[0])]


def _parse(text: str, rows: _Rows) -> list[tuple[int, int, PeriodCreate]]:
    lines = list(csv.reader(io.StringIO(text.lstrip("\ufeff"))))
    header = [c.strip().lower() for c in lines[0]] if lines else []
    if header[:5] != HEADER:
        raise RuleViolation(
            "file",
            _("The header must be: %(columns)s (then optionally estimated, note).")
            % {"columns": ",".join(HEADER)},
        )
    if len(lines) - 1 > MAX_ROWS:
        raise RuleViolation("file", _("At most %(n)s rows in one file.") % {"n": MAX_ROWS})
    extra: dict[str, int] = {n: header.index(n) for n in ("estimated", "note") if n in header}
    wanted: list[tuple[int, int, PeriodCreate]] = []
    for line, cells in enumerate(lines[1:], start=2):
        if not any(c.strip() for c in cells):
            continue
        if len(cells) < 4:
            rows.fail(line, "row", _("The row has too few columns."))
            continue
        raw_meter, raw_start, raw_end, raw_quantity = (c.strip() for c in cells[:4])
        raw_cost = cells[4].strip() if len(cells) > 4 else ""
        if not raw_meter.isdigit():
            rows.fail(line, "meter_id", _("Unknown meter: %(id)s.") % {"id": raw_meter or "–"})
            continue
        try:
            starts_on, ends_on = date.fromisoformat(raw_start), date.fromisoformat(raw_end)
        except ValueError:
            rows.fail(line, "starts_on", _("Give the dates as YYYY-MM-DD, e.g. 2026-03-31."))
            continue
        quantity = _number(raw_quantity)
        if quantity is None or not 0 <= quantity <= MAX_QUANTITY:
            rows.fail(line, "quantity", _("Give the quantity as a number of at least 0."))
            continue
        cost = _number(raw_cost) if raw_cost else None
        if raw_cost and (cost is None or not 0 <= cost <= MAX_COST):
            rows.fail(
                line, "cost", _("Give the cost as an amount of at least 0, or leave it empty.")
            )
            continue

        def cell(name: str, cells: list[str] = cells) -> str:
            index = extra.get(name)
            return cells[index].strip() if index is not None and index < len(cells) else ""

        period = PeriodCreate(
            starts_on=starts_on,
            ends_on=ends_on,
            quantity=float(quantity),
            cost=float(cost) if cost is not None else None,
            estimated=cell("estimated").lower() in _YES,
            note=cell("note")[:2000],
        )
        wanted.append((line, int(raw_meter), period))
    return wanted


async def import_periods(*, actor: Principal, text: str) -> list[PeriodRead]:
    """Bill periods from CSV: ``meter_id,starts_on,ends_on,quantity,cost`` (dates
    ``YYYY-MM-DD``, both included; cost may be empty), then optionally ``estimated`` and
    ``note``. All or nothing: 422 listing every bad row as ``Line N: …``."""
    rows = _Rows()
    wanted = _parse(text, rows)
    if not wanted and not rows.errors:
        raise RuleViolation("file", _("The file has no values."))
    created: list[PeriodRead] = []
    async with transaction():
        for line, meter_id, period in wanted:
            try:
                created.append(await add_period(actor=actor, meter_id=meter_id, data=period))
            except FacilitiesError as error:
                if error.status_code == 404:
                    rows.fail(line, "meter_id", _("Unknown meter: %(id)s.") % {"id": meter_id})
                else:
                    field = error.fields[0].field if error.fields else "row"
                    rows.fail(line, field, error.message)
        if rows.errors:  # raised inside the transaction: every row written so far goes too
            raise InvalidInput(rows.errors, _("Nothing was imported: correct the rows listed."))
    return created

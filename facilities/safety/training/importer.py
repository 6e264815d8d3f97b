"""CSV import of training completions exported by a training platform.

Columns (header row, names case-insensitive, in any order; other columns are ignored;
comma or semicolon separated; UTF-8, with or without BOM, else Windows-1252) — the mapping
is documented in ``docs/training-import.md``:

=================  ========  ==========================================================
column             required  meaning
=================  ========  ==========================================================
``email``          yes       the person: a user's or a named person's e-mail
``training``       yes       the training type: its key, English or German name
``completed_on``   yes       ``YYYY-MM-DD`` or ``DD.MM.YYYY``
``valid_until``    no        the same formats; empty: completed_on + the type's validity
``certificate``    no        the platform's certificate number (kept as reference)
=================  ========  ==========================================================

All or nothing: every row is checked first and every row error is reported (422, one
field ``row N`` per error, N counting the header as row 1); nothing is written unless all
rows are good. A row already recorded (same person, training and day) is skipped, so a
repeated import adds nothing.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from facilities import db
from facilities.accounts import audit
from facilities.accounts.principal import Principal
from facilities.kit import clock
from facilities.kit.errors import FieldError, InvalidInput, RuleViolation
from facilities.kit.i18n import _
from facilities.safety.training import queries
from facilities.safety.training.actions import valid_until
from facilities.safety.training.schemas import ImportResult
from facilities.safety.training.tables import TrainingType

REQUIRED = ("email", "training", "completed_on")
OPTIONAL = ("valid_until", "certificate")
MAX_ROWS = 20_000
MAX_BYTES = 5 * 1024 * 1024


@dataclass(frozen=True, slots=True)
class Row:
    subject: str
    user_id: int | None
    trainee_id: int | None
    type_id: int
    completed_on: date
    valid_until: date | None
    reference: str


def _text(content: bytes) -> str:
    try:
        return content.decode("utf-8-sig")
    except UnicodeDecodeError:
        return content.decode("cp1252", errors="replace")


def parse_date(value: str) -> date | None:
    value = value.strip()
    for fmt in ("%Y-%m-%d", "%d.%m.%Y"):
        try:
            return datetime.strptime(value, fmt).date()
        except ValueError:
            continue
    return None


async def _type_lookup() -> dict[str, tuple[int, int | None]]:
    found: dict[str, tuple[int, int | None]] = {}
    for r in await TrainingType.select():
        value = (int(r["id"]), r["validity_months"])
        for name in (r["key"], r["name_en"], r["name_de"]):
            found[name.strip().lower()] = value
    return found


async def check_rows(actor: Principal, content: bytes) -> tuple[list[Row], list[FieldError]]:
    """Every row read and checked; (rows, errors)."""
    if len(content) > MAX_BYTES:
        raise RuleViolation("file", _("The file is too large (at most 5 MB)."))
    text = _text(content)
    first = text.split("\n", 1)[0]
    delimiter = ";" if first.count(";") > first.count(",") else ","
    reader = csv.reader(io.StringIO(text), delimiter=delimiter)
    header = next(reader, None)
    if header is None:
        raise RuleViolation("file", _("The file is empty."))
    names = [h.strip().lower() for h in header]
    missing = [c for c in REQUIRED if c not in names]
    if missing:
        raise RuleViolation(
            "file",
            _("The header lacks the column(s) %(missing)s. Expected: %(expected)s.")
            % {
                "missing": ", ".join(missing),
                "expected": ", ".join((*REQUIRED, *OPTIONAL)),
            },
        )
    index = {name: names.index(name) for name in (*REQUIRED, *OPTIONAL) if name in names}
    types = await _type_lookup()
    people = await queries.visible_people(actor)
    by_email: dict[str, str] = {}
    for person in people.values():
        if person.email:
            by_email.setdefault(person.email.strip().lower(), person.subject)
    today = clock.now().date()
    rows: list[Row] = []
    errors: list[FieldError] = []
    for number, record in enumerate(reader, start=2):
        if not any(cell.strip() for cell in record):
            continue
        if number - 1 > MAX_ROWS:
            raise RuleViolation("file", _("At most %(n)d rows per file.") % {"n": MAX_ROWS})

        def cell(name: str, record: list[str] = record) -> str:
            at = index.get(name)
            return record[at].strip() if at is not None and at < len(record) else ""

        problems: list[str] = []
        email = cell("email").lower()
        subject = by_email.get(email)
        if not email:
            problems.append(_("the e-mail is missing"))
        elif subject is None:
            problems.append(_("nobody known has the e-mail %(email)s") % {"email": email})
        training = types.get(cell("training").lower())
        if training is None:
            problems.append(_("unknown training type “%(name)s”") % {"name": cell("training")[:80]})
        completed = parse_date(cell("completed_on"))
        if completed is None:
            problems.append(
                _("“%(value)s” is no date (completed_on: YYYY-MM-DD or DD.MM.YYYY)")
                % {"value": cell("completed_on")[:40]}
            )
        elif completed > today:
            problems.append(_("the completion date lies in the future"))
        until: date | None = None
        if cell("valid_until"):
            until = parse_date(cell("valid_until"))
            if until is None:
                problems.append(
                    _("“%(value)s” is no date (valid_until: YYYY-MM-DD or DD.MM.YYYY)")
                    % {"value": cell("valid_until")[:40]}
                )
            elif completed is not None and until < completed:
                problems.append(_("valid_until lies before the completion"))
        if problems:
            errors.append(
                FieldError(
                    f"row {number}",
                    _("Row %(n)d: %(problems)s.") % {"n": number, "problems": "; ".join(problems)},
                )
            )
            continue
        assert subject is not None and training is not None and completed is not None
        rows.append(
            Row(
                subject=subject,
                user_id=int(subject[1:]) if subject.startswith("u") else None,
                trainee_id=int(subject[1:]) if subject.startswith("t") else None,
                type_id=training[0],
                completed_on=completed,
                valid_until=valid_until(completed, training[1], until),
                reference=cell("certificate")[:100],
            )
        )
    return rows, errors


_INSERT = (
    'INSERT INTO safety_training_completion (subject, "user", trainee, training_type,'
    " completed_on, valid_until, reference, source, created_by, created_at)"
    " VALUES ({}, {}, {}, {}, {}, {}, {}, 'import', {}, {})"
    " ON CONFLICT (subject, training_type, completed_on) DO NOTHING"
)


async def import_completions(*, actor: Principal, content: bytes) -> ImportResult:
    rows, errors = await check_rows(actor, content)
    if errors:
        raise InvalidInput(
            errors,
            _("%(n)d row(s) have errors; nothing was imported.") % {"n": len(errors)},
        )
    unique: dict[tuple[str, int, date], Row] = {}
    for row in rows:
        unique.setdefault((row.subject, row.type_id, row.completed_on), row)
    now = clock.now()
    async with db.transaction():
        before = await _count()
        params: list[tuple[Any, ...]] = [
            (
                r.subject,
                r.user_id,
                r.trainee_id,
                r.type_id,
                r.completed_on,
                r.valid_until,
                r.reference,
                actor.user_id,
                now,
            )
            for r in unique.values()
        ]
        for start in range(0, len(params), 5000):
            await db.executemany(_INSERT, params[start : start + 5000])
        created = await _count() - before
        await audit.record(
            actor=actor,
            action="training.import",
            object_type="training_completion",
            object_id=None,
            summary=f"{created} / {len(rows)}",
        )
    return ImportResult(created=created, skipped=len(rows) - created)


async def _count() -> int:
    rows = await db.raw("SELECT count(*) AS n FROM safety_training_completion")
    return int(rows[0]["n"])

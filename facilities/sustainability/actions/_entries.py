"""Register readings (with their checks) and bill periods."""

from __future__ import annotations

from typing import Any

from facilities.accounts import audit
from facilities.accounts.principal import Principal
from facilities.db import transaction
from facilities.kit import clock
from facilities.kit.errors import Conflict, NotFound, RuleViolation
from facilities.kit.i18n import _, format_date, format_number
from facilities.kit.timefmt import format_datetime
from facilities.sustainability import calc, monthly, queries
from facilities.sustainability.actions._common import (
    FUTURE_TOLERANCE,
    JumpWarning,
    dec_or_none,
    local_day,
    lock_meter,
)
from facilities.sustainability.actions._meters import update_meter
from facilities.sustainability.enums import (
    USAGE,
    Carrier,
    ReadingKind,
)
from facilities.sustainability.schemas import (
    MeterReplace,
    MeterUpdate,
    PeriodCreate,
    PeriodRead,
    ReadingCreate,
    ReadingRead,
)
from facilities.sustainability.tables import (
    MeterPeriod,
    MeterReading,
)

# ---- readings -------------------------------------------------------------------------


async def record_reading(*, actor: Principal, meter_id: int, data: ReadingCreate) -> ReadingRead:
    """The checks, in order: not in the future, not before the meter was installed, not a
    second reading at the same moment, not lower than the previous one (unless a rollover
    or a replacement), not higher than the next one, and no implausible jump unless
    confirmed. With a ``client_key`` (the offline queue's), a repeat of an earlier call
    answers that call's reading and writes nothing."""
    async with transaction():
        meter = await queries.meter_row(actor, meter_id)
        await lock_meter(meter_id)
        if data.client_key is not None:
            first = await (
                MeterReading.select(MeterReading.id)
                .where(
                    (MeterReading.meter == meter_id) & (MeterReading.client_key == data.client_key)
                )
                .first()
            )
            if first is not None:
                return await _reading_read(actor, meter_id, first["id"])
        now = clock.now()
        read_at = data.read_at or now
        if read_at > now + FUTURE_TOLERANCE:
            raise RuleViolation("read_at", _("A reading cannot be dated in the future."))
        installed = meter["installed_on"]
        if installed is not None and local_day(meter, read_at) < queries.to_date(installed):
            raise RuleViolation(
                "read_at",
                _("The meter was installed on %(day)s; a reading cannot be older.")
                % {"day": format_date(queries.to_date(installed))},
            )
        value = dec_or_none(data.value)
        assert value is not None
        replaced_final = dec_or_none(data.replaced_final)
        if data.kind is ReadingKind.replacement and replaced_final is None:
            raise RuleViolation(
                "replaced_final", _("Give the old meter's final reading, read before removal.")
            )
        current = calc.Reading(read_at, value, data.kind, replaced_final)
        rows = await queries.reading_rows([meter_id])
        existing = [queries.reading_of(r) for r in rows]
        if any(r.read_at == read_at for r in existing):
            raise RuleViolation("read_at", _("There is already a reading at this time."))
        earlier = [r for r in existing if r.read_at < read_at]
        later = [r for r in existing if r.read_at > read_at]
        previous = earlier[-1] if earlier else None
        zone = meter["time_zone"]
        if previous is None and data.kind is ReadingKind.rollover:
            raise RuleViolation("kind", _("There is no earlier reading to roll over from."))
        if previous is not None:
            try:
                consumed = calc.step(previous, current, meter["register_digits"])
            except calc.ReadingError as error:
                raise _reading_error(error, previous, meter, zone) from error
            history = calc.intervals(earlier, meter["register_digits"])
            interval = calc.Interval(previous.read_at, read_at, consumed, False)
            if not data.confirm_jump and calc.is_jump(history, interval):
                usual = calc.usual_daily(history)
                assert usual is not None
                raise JumpWarning(usual, interval.daily, meter["unit"])
        following = later[0] if later else None
        if (
            following is not None
            and following.kind in (ReadingKind.regular, ReadingKind.estimated)
            and following.value < value
            and data.kind is not ReadingKind.replacement
        ):
            raise RuleViolation(
                "value",
                _("The reading is higher than the later one (%(value)s on %(when)s).")
                % {
                    "value": format_number(following.value),
                    "when": format_datetime(following.read_at, zone),
                },
            )
        row = MeterReading(
            meter=meter_id,
            read_at=read_at,
            value=value,
            kind=data.kind.value,
            replaced_final=replaced_final,
            note=data.note.strip(),
            entered_by=actor.user_id,
            created_at=now,
            client_key=data.client_key,
        )
        await row.save()
        await audit.record(
            actor=actor,
            action="meter_reading.create",
            object_type="meter",
            object_id=meter_id,
            summary=f"{value} {meter['unit']} ({data.kind.value})"
            + (" confirmed jump" if data.confirm_jump else ""),
            site_id=meter["site"],
        )
        await monthly.refresh([meter_id])
    return await _reading_read(actor, meter_id, row.id)


async def _reading_read(actor: Principal, meter_id: int, reading_id: int) -> ReadingRead:
    readings = await queries.list_readings(actor, meter_id, limit=1_000_000)
    return next(r for r in readings if r.id == reading_id)


def _reading_error(
    error: calc.ReadingError, previous: calc.Reading, meter: dict[str, Any], zone: str
) -> RuleViolation:
    last = {
        "value": format_number(previous.value),
        "when": format_datetime(previous.read_at, zone),
    }
    if error.field == "value":
        message = (
            _(
                "The reading is lower than the previous one (%(value)s on %(when)s). If the "
                "register rolled over or the meter was replaced, choose that kind."
            )
            % last
        )
    elif error.field == "replaced_final":
        message = (
            _(
                "The old meter's final reading cannot be lower than its previous reading "
                "(%(value)s)."
            )
            % last
        )
    elif meter["register_digits"] is None:
        message = _("The meter has no register size; set its number of digits first.")
    else:
        message = (
            _(
                "This is not a rollover: the reading must be lower than the previous one "
                "(%(value)s)."
            )
            % last
        )
    return RuleViolation(error.field, message)


async def replace_meter(*, actor: Principal, meter_id: int, data: MeterReplace) -> ReadingRead:
    """The replacement reading (old final, new start; checked like every reading) and the
    new meter's number and register size, in one transaction."""
    async with transaction():
        reading = await record_reading(
            actor=actor,
            meter_id=meter_id,
            data=ReadingCreate(
                value=data.start_value,
                read_at=data.read_at,
                kind=ReadingKind.replacement,
                replaced_final=data.final_value,
                note=data.note,
                confirm_jump=True,  # a swap restarts the register: no usual rate applies
            ),
        )
        changes: dict[str, Any] = {}
        if data.number is not None:
            changes["number"] = data.number
        if data.register_digits is not None:
            changes["register_digits"] = data.register_digits
        if changes:
            await update_meter(actor=actor, meter_id=meter_id, data=MeterUpdate(**changes))
        return reading


# ---- bill periods ---------------------------------------------------------------------


async def add_period(*, actor: Principal, meter_id: int, data: PeriodCreate) -> PeriodRead:
    """A bill from ``starts_on`` to ``ends_on`` (both included). Refused when it overlaps
    another bill of the meter by more than one shared boundary day."""
    async with transaction():
        meter = await queries.meter_row(actor, meter_id)
        await lock_meter(meter_id)
        if Carrier(meter["carrier"]) in USAGE:
            raise RuleViolation(
                "quantity",
                _("An operating-hours or counter meter has no bills; enter its readings."),
            )
        if data.ends_on < data.starts_on:
            raise RuleViolation("ends_on", _("The period cannot end before it starts."))
        today = local_day(meter, clock.now())
        if data.ends_on > today:
            raise RuleViolation("ends_on", _("A period cannot end in the future."))
        installed = meter["installed_on"]
        if installed is not None and data.starts_on < queries.to_date(installed):
            raise RuleViolation(
                "starts_on",
                _("The meter was installed on %(day)s; a period cannot start earlier.")
                % {"day": format_date(queries.to_date(installed))},
            )
        for other in await queries.period_rows([meter_id]):
            span = (queries.to_date(other["starts_on"]), queries.to_date(other["ends_on"]))
            if calc.overlaps((data.starts_on, data.ends_on), span):
                raise Conflict(
                    _(
                        "This period overlaps the meter's period from %(start)s to %(end)s. "
                        "Periods may share only their boundary day."
                    )
                    % {"start": format_date(span[0]), "end": format_date(span[1])},
                    field="starts_on",
                )
        row = MeterPeriod(
            meter=meter_id,
            starts_on=data.starts_on,
            ends_on=data.ends_on,
            quantity=dec_or_none(data.quantity),
            cost=dec_or_none(data.cost, 2),
            currency=data.currency,
            estimated=data.estimated,
            note=data.note.strip(),
            entered_by=actor.user_id,
            created_at=clock.now(),
        )
        await row.save()
        await audit.record(
            actor=actor,
            action="meter_period.create",
            object_type="meter",
            object_id=meter_id,
            summary=f"{data.starts_on}..{data.ends_on}: {row.quantity} {meter['unit']}",
            site_id=meter["site"],
        )
        await monthly.refresh([meter_id])
        return queries._period({**row.to_dict(), "meter": meter_id})


async def delete_period(*, actor: Principal, meter_id: int, period_id: int) -> None:
    async with transaction():
        meter = await queries.meter_row(actor, meter_id)
        found = await MeterPeriod.exists().where(
            (MeterPeriod.id == period_id) & (MeterPeriod.meter == meter_id)
        )
        if not found:
            raise NotFound()
        await MeterPeriod.delete().where(MeterPeriod.id == period_id)
        await audit.record(
            actor=actor,
            action="meter_period.delete",
            object_type="meter",
            object_id=meter_id,
            summary=f"period {period_id}",
            site_id=meter["site"],
        )
        await monthly.refresh([meter_id])

"""Helpers shared by the actions."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

from facilities import db
from facilities.kit.errors import Conflict
from facilities.kit.i18n import _, format_number
from facilities.sustainability import queries
from facilities.sustainability.enums import (
    UNIT_LABELS,
)

# A phone's clock may run a little ahead of the server's.
FUTURE_TOLERANCE = timedelta(minutes=5)


class JumpWarning(Conflict):
    """The reading implies far more consumption per day than usual: confirm it
    (``confirm_jump``) or correct it. The API answers 409 naming ``confirm_jump``."""

    def __init__(self, usual: Decimal, now: Decimal, unit: str) -> None:
        super().__init__(
            _(
                "This reading means %(now)s %(unit)s a day, more than ten times the usual "
                "%(usual)s %(unit)s a day. Check the number; if it is right, confirm it."
            )
            % {
                "now": format_number(now, 1),
                "usual": format_number(usual, 1),
                "unit": UNIT_LABELS.get(unit, unit),
            },
            field="confirm_jump",
        )


def dec_or_none(value: float | None, places: int = 3) -> Decimal | None:
    return None if value is None else Decimal(str(round(value, places)))


async def lock_meter(meter_id: int) -> None:
    if not db.is_sqlite():
        await db.raw("SELECT id FROM meter WHERE id = {} FOR UPDATE", meter_id)


def local_day(meter: dict[str, Any], moment: Any) -> date:
    return queries.aware(moment).astimezone(ZoneInfo(meter["time_zone"])).date()

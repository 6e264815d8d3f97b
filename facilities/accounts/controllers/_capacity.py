"""Weekly capacity on the partner and user pages: entered in hours, stored in minutes."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation

from facilities.kit.errors import RuleViolation
from facilities.kit.i18n import _


def capacity_minutes(hours: str) -> int | None:
    """The form's weekly capacity in hours (``37,5`` or ``37.5``; empty: not stated) as the
    minutes the schemas store; a RuleViolation naming the form's field otherwise."""
    text = hours.strip().replace(",", ".")
    if not text:
        return None
    try:
        value = Decimal(text)
    except InvalidOperation:
        value = Decimal(-1)
    if not value.is_finite() or not 0 <= value <= 168:
        raise RuleViolation(
            "weekly_capacity_hours", _("Give the weekly capacity in hours, from 0 to 168.")
        )
    return int((value * 60).to_integral_value())


def capacity_hours(minutes: int | None) -> str:
    """The stored minutes as the form shows them (``37.5``; empty: not stated)."""
    return "" if minutes is None else f"{minutes / 60:g}"

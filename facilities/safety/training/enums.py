"""Red / amber / green of training and the reminder thresholds."""

from __future__ import annotations

from datetime import date
from enum import StrEnum

from facilities.kit.i18n import N_


class Cell(StrEnum):
    green = "green"  # valid
    amber = "amber"  # expires within AMBER_DAYS
    red = "red"  # required and expired or never done
    none = "none"  # not required and not done


CELL_LABELS = {
    Cell.green: N_("Valid"),
    Cell.amber: N_("Expires soon"),
    Cell.red: N_("Missing or expired"),
    Cell.none: N_("Not required"),
}

AMBER_DAYS = 30
REMINDER_DAYS = (30, 0)


def cell(valid_until: date | None, done: bool, required: bool, today: date) -> Cell:
    if not done:
        return Cell.red if required else Cell.none
    if valid_until is None:
        return Cell.green
    days = (valid_until - today).days
    if days < 0:
        return Cell.red if required else Cell.none
    if days <= AMBER_DAYS:
        return Cell.amber
    return Cell.green

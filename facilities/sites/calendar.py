"""Site-local time: opening hours, public holidays (``holidays`` package) and closure days."""

from __future__ import annotations

import re
from collections.abc import Iterable
from datetime import date, datetime, time
from functools import lru_cache
from zoneinfo import ZoneInfo, available_timezones

import holidays

from facilities.kit.errors import FieldError, InvalidInput, RuleViolation
from facilities.kit.i18n import _, current_locale
from facilities.sites.enums import WEEKDAYS

_HHMM = re.compile(r"^([01]\d|2[0-3]):[0-5]\d$|^24:00$")


@lru_cache(maxsize=1)
def _zones() -> frozenset[str]:
    return frozenset(available_timezones())


def check_time_zone(value: str, field: str = "time_zone") -> str:
    if value not in _zones():
        raise RuleViolation(field, _("Unknown time zone: use an IANA name such as Europe/Berlin."))
    return value


def check_holiday_region(country: str, subdivision: str) -> None:
    supported = holidays.list_supported_countries()
    if country.upper() not in supported:
        raise RuleViolation("holiday_country", _("No public holiday calendar for this country."))
    if subdivision and subdivision.upper() not in supported[country.upper()]:
        raise RuleViolation(
            "holiday_subdivision", _("Unknown subdivision for this country (e.g. BW for DE).")
        )


def check_opening_hours(hours: dict[str, list[list[str]]]) -> dict[str, list[list[str]]]:
    """Validate ``{"mon": [["08:00", "18:00"]], ...}``; returns it normalised (all 7 days)."""
    errors: list[FieldError] = []
    result: dict[str, list[list[str]]] = {day: [] for day in WEEKDAYS}
    for day, intervals in hours.items():
        field = f"opening_hours.{day}"
        if day not in WEEKDAYS:
            errors.append(FieldError(field, _("Unknown weekday: use mon, tue, … sun.")))
            continue
        previous_end = ""
        for interval in sorted(intervals, key=lambda i: i[0] if i else ""):
            if len(interval) != 2 or not all(_HHMM.match(v) for v in interval):
                errors.append(FieldError(field, _("Use pairs of times like 08:00–18:00.")))
                break
            start, end = interval
            if start >= end:
                errors.append(FieldError(field, _("Opening time must be before closing time.")))
                break
            if previous_end and start < previous_end:
                errors.append(FieldError(field, _("Opening intervals overlap.")))
                break
            previous_end = end
            result[day].append([start, end])
    if errors:
        raise InvalidInput(errors)
    return result


def _holiday_language(country: str) -> str | None:
    """The holiday names' language: the reader's, when the country's calendar has it."""
    try:
        supported: tuple[str, ...] = holidays.country_holidays(country).supported_languages
    except (NotImplementedError, KeyError, ValueError, AttributeError):
        return None
    wanted = current_locale()
    for candidate in (wanted, f"{wanted}_GB", f"{wanted}_US"):
        if candidate in supported:
            return candidate
    return None  # the calendar's own language


def public_holidays(country: str, subdivision: str, years: Iterable[int]) -> dict[date, str]:
    """Public holidays by date, named in the current language where the calendar has it."""
    return dict(_public_holidays(country.upper(), subdivision, tuple(years), current_locale()))


@lru_cache(maxsize=512)
def _public_holidays(
    country: str, subdivision: str, years: tuple[int, ...], _locale: str
) -> tuple[tuple[date, str], ...]:
    """Computed once per country, subdivision, years and language (a calendar page of 250
    sites asked the ``holidays`` package 250 times for the same answer)."""
    try:
        calendar = holidays.country_holidays(
            country,
            subdiv=subdivision or None,
            years=list(years),
            language=_holiday_language(country),
        )
    except (NotImplementedError, KeyError, ValueError):
        return ()
    return tuple(sorted(calendar.items()))


def is_open_at(
    moment: datetime,
    *,
    time_zone: str,
    opening_hours: dict[str, list[list[str]]],
    closed_days: set[date],
) -> bool:
    """Is the site open at ``moment`` (aware), judged in the site's own time zone?"""
    local = moment.astimezone(ZoneInfo(time_zone))
    if local.date() in closed_days:
        return False
    wall = local.time()
    for start, end in opening_hours.get(WEEKDAYS[local.weekday()], []):
        end_time = time(23, 59, 59, 999999) if end == "24:00" else time.fromisoformat(end)
        if time.fromisoformat(start) <= wall <= end_time:
            return True
    return False

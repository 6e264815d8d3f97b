"""Recurrence (RFC 5545 RRULE via python-dateutil), interpreted in a site's local time.

Occurrences are computed on the site's wall clock and only then converted to UTC, so
"every Monday 08:00" stays 08:00 across daylight-saving changes. A local time that does not
exist (the spring-forward gap) is read with the offset before the gap, as RFC 5545 says
(02:30 → 03:30 CEST); an ambiguous one (autumn) takes its first occurrence.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

from dateutil.rrule import (
    DAILY,
    MONTHLY,
    WEEKLY,
    YEARLY,
    rrule,
    rrulestr,
    weekday,
)

from facilities.kit.errors import RuleViolation
from facilities.kit.i18n import _

FREQUENCIES = {"daily": DAILY, "weekly": WEEKLY, "monthly": MONTHLY, "yearly": YEARLY}
WEEKDAY_CODES = ("MO", "TU", "WE", "TH", "FR", "SA", "SU")
_HORIZON = timedelta(days=366 * 10)  # a rule with no occurrence within 10 years is refused


def _to_utc(local: datetime, zone: ZoneInfo) -> datetime:
    """Wall-clock → UTC. Non-existent times use the offset before the gap (fold=0)."""
    aware = local.replace(tzinfo=zone, fold=0)
    return aware.astimezone(UTC)


_UNTIL_UTC = re.compile(r"UNTIL=(\d{8}T\d{6})Z", re.IGNORECASE)


def _localise_until(text: str, zone: ZoneInfo) -> str:
    """RFC 5545: with a local DTSTART, a UTC ``UNTIL`` is compared in UTC; we evaluate the
    rule on the local wall clock, so turn ``UNTIL=…Z`` into the same instant in local time."""

    def convert(match: re.Match[str]) -> str:
        instant = datetime.strptime(match.group(1), "%Y%m%dT%H%M%S").replace(tzinfo=UTC)
        return "UNTIL=" + instant.astimezone(zone).strftime("%Y%m%dT%H%M%S")

    return _UNTIL_UTC.sub(convert, text)


def parse(rule: str, start: datetime, time_zone: str = "UTC", *, field: str = "rrule") -> rrule:
    """Parse ``rule`` (an RRULE value, with or without the ``RRULE:`` prefix) from ``start``
    (naive, site-local wall time in ``time_zone``). Raises RuleViolation naming ``field``."""
    text = _localise_until(rule.strip().removeprefix("RRULE:"), ZoneInfo(time_zone))
    if not text or "\n" in text or "DTSTART" in text.upper():
        raise RuleViolation(field, _("Give one RRULE such as FREQ=MONTHLY;BYDAY=1MO."))
    if start.tzinfo is not None:
        raise ValueError("start must be a naive site-local datetime")
    try:
        parsed = rrulestr(text, dtstart=start, forceset=False, ignoretz=True)
    except (ValueError, TypeError, KeyError, IndexError) as error:
        raise RuleViolation(
            field, _("Invalid recurrence rule: %(error)s") % {"error": error}
        ) from None
    if not isinstance(parsed, rrule):  # pragma: no cover - forceset=False returns an rrule
        raise RuleViolation(field, _("Give one RRULE such as FREQ=MONTHLY;BYDAY=1MO."))
    # Bounded check only: after() would scan to year 9999 on an impossible rule.
    if not parsed.between(start, start + _HORIZON, inc=True, count=1):
        raise RuleViolation(field, _("This rule never occurs (for example 30 February)."))
    return parsed


def build(
    *,
    frequency: str,
    interval: int = 1,
    weekdays: Iterable[str] = (),
    month_day: int | None = None,
    nth: int | None = None,
    months: Iterable[int] = (),
    count: int | None = None,
    until: date | None = None,
) -> str:
    """Build an RRULE from the form's fields (the form shows the text, too)."""
    if frequency not in FREQUENCIES:
        raise RuleViolation("frequency", _("Choose daily, weekly, monthly or yearly."))
    if not 1 <= interval <= 1000:
        raise RuleViolation("interval", _("The interval must be between 1 and 1000."))
    parts = [f"FREQ={frequency.upper()}"]
    if interval != 1:
        parts.append(f"INTERVAL={interval}")
    days = [d.upper() for d in weekdays]
    if any(d not in WEEKDAY_CODES for d in days):
        raise RuleViolation("weekdays", _("Use weekday codes MO … SU."))
    if days:
        if nth is not None:
            if nth == 0 or not -5 <= nth <= 5:
                raise RuleViolation(
                    "nth", _("Use 1 to 5 for the n-th weekday, or -1 for the last.")
                )
            parts.append("BYDAY=" + ",".join(f"{nth}{d}" for d in days))
        else:
            parts.append("BYDAY=" + ",".join(days))
    if month_day is not None:
        if month_day == 0 or not -31 <= month_day <= 31:
            raise RuleViolation(
                "month_day", _("Use a day of the month from 1 to 31, or -1 for the last.")
            )
        parts.append(f"BYMONTHDAY={month_day}")
    month_list = sorted(set(months))
    if any(not 1 <= m <= 12 for m in month_list):
        raise RuleViolation("months", _("Months are 1 to 12."))
    if month_list:
        parts.append("BYMONTH=" + ",".join(str(m) for m in month_list))
    if count is not None and until is not None:
        raise RuleViolation("count", _("Give either a number of occurrences or an end date."))
    if count is not None:
        if not 1 <= count <= 10_000:
            raise RuleViolation(
                "count", _("The number of occurrences must be between 1 and 10000.")
            )
        parts.append(f"COUNT={count}")
    if until is not None:
        parts.append(f"UNTIL={until:%Y%m%d}T235959")
    return ";".join(parts)


@dataclass(frozen=True, slots=True)
class Occurrence:
    local: datetime  # naive site-local wall time (after any shift to an open day)
    nominal: datetime  # naive site-local time the rule produced (the idempotency key)
    utc: datetime


def occurrences(
    rule: str,
    start: datetime,
    time_zone: str,
    *,
    after: datetime,
    before: datetime,
    closed_days: set[date] | None = None,
    active_months: Iterable[int] = (),
    limit: int = 10_000,
) -> Iterator[Occurrence]:
    """Occurrences with ``after <= utc < before`` (both aware).

    Closed days (holidays, closures) move an occurrence to the next open day at the same
    wall time; occurrences outside ``active_months`` (seasons) are left out.
    """
    zone = ZoneInfo(time_zone)
    parsed = parse(rule, start, time_zone)
    months = set(active_months)
    closed = closed_days or set()
    window_start = after.astimezone(zone).replace(tzinfo=None) - timedelta(days=14)
    window_end = before.astimezone(zone).replace(tzinfo=None) + timedelta(days=1)
    produced = 0
    for nominal in parsed.xafter(max(window_start, start) - timedelta(seconds=1), inc=False):
        if nominal > window_end or produced >= limit:
            return
        if months and nominal.month not in months:
            continue
        local = nominal
        for _step in range(60):  # at most two months of consecutive closed days
            if local.date() not in closed:
                break
            local = local + timedelta(days=1)
        utc = _to_utc(local, zone)
        if after <= utc < before:
            produced += 1
            yield Occurrence(local=local, nominal=nominal, utc=utc)


def preview(rule: str, start: datetime, time_zone: str, *, count: int = 5) -> list[datetime]:
    """The next ``count`` occurrences from ``start`` as aware local datetimes (for the form)."""
    zone = ZoneInfo(time_zone)
    parsed = parse(rule, start, time_zone)
    result = []
    for nominal in parsed:
        result.append(_to_utc(nominal, zone).astimezone(zone))
        if len(result) >= count:
            break
    return result


def weekday_code(value: weekday) -> str:
    return WEEKDAY_CODES[value.weekday]

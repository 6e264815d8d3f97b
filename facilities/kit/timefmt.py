"""One set of time helpers for every page, e-mail, PDF, feed and export.

Times are stored as aware UTC. People read them in the **site's** time zone (a due time at a
site in Lisbon is Lisbon wall time), formatted with Babel for the reader's locale. When the
site's clock differs from the **reader's** (``FACILITIES_TIME_ZONE``, the operator's zone) at
that instant, the zone is named: ``9 Dec 2026, 09:00 (Europe/London)``.

Every template filter (``datetime``, ``date``, ``time``, ``ago``), the e-mail renderer, the
PDF sheet and the exports call these functions, so one instant reads the same everywhere.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta, tzinfo
from functools import cache
from typing import Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from babel import Locale, dates

from facilities.kit import clock
from facilities.kit.i18n import _, current_locale
from facilities.settings import get_settings

Width = Literal["short", "medium", "long", "full"]


def _babel_locale() -> str:
    """English texts with European formats (day month, 24 h) for a European operator."""
    locale = current_locale()
    return "en_GB" if locale == "en" else locale


@cache
def _zone(name: str) -> ZoneInfo:
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return ZoneInfo("UTC")


def reader_zone() -> ZoneInfo:
    """The zone people read times in unless told otherwise (``FACILITIES_TIME_ZONE``)."""
    return _zone(get_settings().time_zone)


def zone(tz: str | tzinfo | None) -> tzinfo:
    """A time zone by IANA name (or as given); None is the reader's zone."""
    if tz is None or tz == "":
        return reader_zone()
    if isinstance(tz, str):
        return _zone(tz)
    return tz


def to_local(value: datetime, tz: str | tzinfo | None = None) -> datetime:
    """An instant as wall time in ``tz`` (a naive value is taken as UTC, as stored)."""
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    return value.astimezone(zone(tz))


def zone_label(value: datetime, tz: str | tzinfo | None = None) -> str:
    """The zone's name when its clock differs from the reader's at that instant, else ''."""
    local = to_local(value, tz)
    if local.utcoffset() == local.astimezone(reader_zone()).utcoffset():
        return ""
    name = getattr(local.tzinfo, "key", None) or local.tzname() or ""
    return name


def _with_zone(text: str, value: datetime, tz: str | tzinfo | None) -> str:
    label = zone_label(value, tz)
    return f"{text} ({label})" if label else text


def format_datetime(
    value: datetime | None, tz: str | tzinfo | None = None, width: Width = "medium"
) -> str:
    """Date and time (minutes, no seconds) in the site's zone: ``9 Dec 2026, 10:00``."""
    if value is None:
        return ""
    local = to_local(value, tz)
    locale = Locale.parse(_babel_locale())
    day = dates.format_date(local.date(), width, locale=locale)
    clock_time = dates.format_time(local, "short", tzinfo=local.tzinfo, locale=locale)
    pattern = str(locale.datetime_formats.get(width, "{1}, {0}"))
    return _with_zone(pattern.format(clock_time, day), value, tz)


def format_date(
    value: date | datetime | None, tz: str | tzinfo | None = None, width: str = "medium"
) -> str:
    """A calendar day; an instant is first moved into the site's zone (its local date).

    ``|date('full')`` (a width or a Babel pattern in place of the zone, the older filter's
    signature) is understood too."""
    if value is None:
        return ""
    if isinstance(tz, str) and tz and "/" not in tz and tz != "UTC":
        width, tz = tz, None
    if isinstance(value, datetime):
        value = to_local(value, tz).date()
    return dates.format_date(value, width, locale=_babel_locale())


def format_day_month(value: date | datetime | None, tz: str | tzinfo | None = None) -> str:
    """Day and month without the year, the reader's way (``7 Dec``, ``7. Dez.``): column
    headings of a few weeks ahead."""
    if value is None:
        return ""
    if isinstance(value, datetime):
        value = to_local(value, tz).date()
    return dates.format_skeleton("MMMd", value, locale=_babel_locale())


def format_time(value: datetime | None, tz: str | tzinfo | None = None) -> str:
    """Wall-clock time in the site's zone, named when it differs from the reader's."""
    if value is None:
        return ""
    local = to_local(value, tz)
    text = dates.format_time(local, "short", tzinfo=local.tzinfo, locale=_babel_locale())
    return _with_zone(text, value, tz)


def format_relative(value: datetime | None, now: datetime | None = None) -> str:
    """ "in 2 hours", "3 days ago", "just now" in the reader's language."""
    if value is None:
        return ""
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    delta = value - (now or clock.now())
    if abs(delta) < timedelta(minutes=1):
        return _("just now")
    return dates.format_timedelta(
        delta, granularity="minute", add_direction=True, locale=_babel_locale()
    )


def local_input(value: datetime | None, tz: str | tzinfo | None = None) -> str:
    """The value of an ``<input type="datetime-local">``: site wall time, minutes."""
    if value is None:
        return ""
    return to_local(value, tz).strftime("%Y-%m-%dT%H:%M")


def iso(value: datetime | None) -> str:
    """Machine-readable exports (CSV, JSON): ISO 8601 in UTC with its offset."""
    if value is None:
        return ""
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    return value.astimezone(UTC).isoformat()


def format_iso_date(value: str | None) -> str:
    """A stored ``YYYY-MM-DD…`` text (site wall time) as a localised day."""
    if not value:
        return ""
    try:
        return format_date(date.fromisoformat(str(value)[:10]))
    except ValueError:
        return str(value)


def duration(minutes: int | None) -> str:
    """``1d 2h 5m``-style text of a number of minutes (negative: ``-…``), the units in the
    reader's language (German ``1 Tg. 2 Std. 5 Min.``: "1d 16h" and "1m" are English)."""
    if minutes is None:
        return "–"
    sign = "-" if minutes < 0 else ""
    minutes = abs(minutes)
    days, rest = divmod(minutes, 1440)
    hours, mins = divmod(rest, 60)
    parts = [
        _("%(num)dd") % {"num": days} if days else "",
        _("%(num)dh") % {"num": hours} if hours else "",
        _("%(num)dm") % {"num": mins} if mins or not (days or hours) else "",
    ]
    return sign + " ".join(p for p in parts if p)

"""Translations (gettext catalogs read with Babel) and locale-aware formatting.

The locale of the current request, job or e-mail lives in a context variable; ``_`` looks
the message up in that locale. Catalogs are ``facilities/locale/<lang>/LC_MESSAGES/*.po``,
read directly (no compile step); ``tests/test_i18n.py`` checks they are complete.
"""

from __future__ import annotations

import contextlib
import contextvars
from collections.abc import Iterator
from datetime import date, datetime
from decimal import Decimal
from functools import cache
from pathlib import Path
from zoneinfo import ZoneInfo

from babel import Locale, dates, numbers
from babel.messages.pofile import read_po

LOCALES = ("en", "de")
DEFAULT_LOCALE = "en"
LOCALE_DIR = Path(__file__).resolve().parent.parent / "locale"

_current: contextvars.ContextVar[str] = contextvars.ContextVar("locale", default=DEFAULT_LOCALE)


@cache
def _catalog(locale: str) -> dict[str, str]:
    path = LOCALE_DIR / locale / "LC_MESSAGES" / "messages.po"
    if not path.exists():
        return {}
    with path.open("rb") as handle:
        catalog = read_po(handle, locale=locale)
    result: dict[str, str] = {}
    for message in catalog:
        if message.id and message.string and not message.fuzzy:
            key = message.id if isinstance(message.id, str) else message.id[0]
            value = message.string if isinstance(message.string, str) else message.string[0]
            result[str(key)] = str(value)
    return result


def current_locale() -> str:
    return _current.get()


def set_locale(locale: str) -> contextvars.Token[str]:
    return _current.set(locale if locale in LOCALES else DEFAULT_LOCALE)


@contextlib.contextmanager
def using_locale(locale: str) -> Iterator[None]:
    token = set_locale(locale)
    try:
        yield
    finally:
        _current.reset(token)


def gettext(message: str) -> str:
    locale = _current.get()
    if locale == DEFAULT_LOCALE:
        return message
    return _catalog(locale).get(message, message)


def ngettext(singular: str, plural: str, n: int) -> str:
    return gettext(singular if n == 1 else plural)


_ = gettext


def N_(message: str) -> str:
    """Mark a string for extraction; translate later with ``_``."""
    return message


def negotiate(accept_language: str | None) -> str:
    """Pick a supported locale from an Accept-Language header."""
    if not accept_language:
        return DEFAULT_LOCALE
    weighted: list[tuple[float, str]] = []
    for part in accept_language.split(","):
        lang, _sep, params = part.strip().partition(";")
        quality = 1.0
        if params.strip().startswith("q="):
            try:
                quality = float(params.strip()[2:])
            except ValueError:
                quality = 0.0
        weighted.append((quality, lang.split("-")[0].lower()))
    for _quality, lang in sorted(weighted, key=lambda item: -item[0]):
        if lang in LOCALES:
            return lang
    return DEFAULT_LOCALE


def _babel_locale() -> str:
    """English texts, European formats (day.month, 24 h) for a European operator."""
    locale = _current.get()
    return "en_GB" if locale == "en" else locale


def format_datetime(value: datetime | None, tz: str | None = None, fmt: str = "medium") -> str:
    if value is None:
        return ""
    zone = ZoneInfo(tz) if tz else None
    return dates.format_datetime(value, fmt, tzinfo=zone, locale=_babel_locale())


def format_date(value: date | None, fmt: str = "medium") -> str:
    if value is None:
        return ""
    return dates.format_date(value, fmt, locale=_babel_locale())


def format_number(value: float | int | Decimal | None, digits: int | None = None) -> str:
    if value is None:
        return ""
    if digits is not None:
        return numbers.format_decimal(
            value, format=f"#,##0.{'0' * digits}" if digits else "#,##0", locale=_babel_locale()
        )
    return numbers.format_decimal(value, locale=_babel_locale())


def language_name(locale: str) -> str:
    return Locale.parse(locale).get_display_name(_current.get()) or locale

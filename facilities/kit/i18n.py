"""Translations (gettext catalogs read with Babel) and locale-aware formatting.

The locale of the current request, job or e-mail lives in a context variable; ``_`` looks
the message up in that locale. Catalogs are ``facilities/locale/<lang>/LC_MESSAGES/*.po``,
read directly (no compile step); ``tests/test_i18n.py`` checks they are complete.
"""

from __future__ import annotations

import contextlib
import contextvars
import gettext as _gettext
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from functools import cache
from pathlib import Path

from babel import Locale, dates, numbers
from babel.messages.pofile import read_po

from facilities.settings import get_settings

LOCALES = ("en", "de")
DEFAULT_LOCALE = "en"
LOCALE_DIR = Path(__file__).resolve().parent.parent / "locale"

_current: contextvars.ContextVar[str] = contextvars.ContextVar("locale", default=DEFAULT_LOCALE)


@dataclass(frozen=True, slots=True)
class _Catalog:
    singular: dict[str, str]
    plural: dict[str, tuple[str, ...]]  # msgid → every plural form (msgstr[0], msgstr[1] …)
    plural_index: Callable[[int], int]  # n → which form, from the catalogue's Plural-Forms


@cache
def _load(locale: str) -> _Catalog:
    path = LOCALE_DIR / locale / "LC_MESSAGES" / "messages.po"
    if not path.exists():
        return _Catalog({}, {}, lambda n: 0 if n == 1 else 1)
    with path.open("rb") as handle:
        catalog = read_po(handle, locale=locale)
    singular: dict[str, str] = {}
    plural: dict[str, tuple[str, ...]] = {}
    for message in catalog:
        if not message.id or not message.string or message.fuzzy:
            continue
        if isinstance(message.id, str):
            singular[message.id] = str(message.string)
        else:
            forms = tuple(str(form) for form in message.string)
            if all(forms):
                plural[str(message.id[0])] = forms
                singular[str(message.id[0])] = forms[0]
    # Plural-Forms is a C expression (gettext's own format); the standard library compiles it.
    return _Catalog(singular, plural, _gettext.c2py(catalog.plural_expr))


def _catalog(locale: str) -> dict[str, str]:
    return _load(locale).singular


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


def installation_locale() -> str:
    """The installation's language (``FACILITIES_DEFAULT_LOCALE``): the language of words the
    product writes by itself into a record (see ``in_installation_language``)."""
    return get_settings().default_locale


@contextlib.contextmanager
def in_installation_language() -> Iterator[None]:
    """Words the product writes by itself and stores (a work order's title, description and
    history note, a lock-out reason, an asset's status note) are read later by many people
    in their own languages, so they cannot follow whoever happened to trigger them: they are
    written in the installation's language, whether a job, a device's event, a webhook or
    a person's request set them off. Messages answered to the caller stay outside this
    block, in the caller's language."""
    with using_locale(installation_locale()):
        yield


def gettext(message: str) -> str:
    locale = _current.get()
    if locale == DEFAULT_LOCALE:
        return message
    return _catalog(locale).get(message, message)


def ngettext(singular: str, plural: str, n: int) -> str:
    """The plural form the current language uses for ``n`` (German and English: one, other)."""
    locale = _current.get()
    if locale != DEFAULT_LOCALE:
        catalog = _load(locale)
        forms = catalog.plural.get(singular)
        if forms:
            return forms[min(catalog.plural_index(n), len(forms) - 1)]
    return singular if n == 1 else plural


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


def format_date(value: date | None, fmt: str = "medium") -> str:
    """A calendar day (for instants use ``kit.timefmt``, which applies the site's zone)."""
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


def format_money(value: float | int | Decimal | None, currency: str | None = None) -> str:
    """An amount of money in the reader's language: English "€1,234.50", German "1.234,50 €";
    in the installation's currency (``FACILITIES_CURRENCY``) unless told another; "—" for
    none. Pages use it as ``{{ amount | money }}``."""
    if value is None:
        return "—"
    return numbers.format_currency(
        value, currency or get_settings().currency, locale=_babel_locale()
    )


def language_name(locale: str) -> str:
    return Locale.parse(locale).get_display_name(_current.get()) or locale

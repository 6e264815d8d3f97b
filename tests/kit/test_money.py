"""Amounts of money in the reader's language and the installation's currency (``money``
filter, ``kit.i18n.format_money``); the currency setting is checked at startup."""

from __future__ import annotations

from decimal import Decimal

import pytest

from facilities.kit import i18n
from facilities.kit.templating import TEMPLATE_DIR, make_environment
from facilities.settings import ConfigurationError, get_settings

NBSP = "\xa0"


def _render(source: str, **values: object) -> str:
    return make_environment([TEMPLATE_DIR]).from_string(source).render(**values)


def test_english_and_german_in_the_installation_currency() -> None:
    assert get_settings().currency == "EUR"  # the default
    with i18n.using_locale("en"):
        assert i18n.format_money(Decimal("1234.5")) == "€1,234.50"
        assert _render("{{ 1234.5 | money }}") == "€1,234.50"
    with i18n.using_locale("de"):
        assert i18n.format_money(Decimal("1234.5")) == f"1.234,50{NBSP}€"
        # A constant is not folded at compile time in the first reader's language.
        assert _render("{{ 1234.5 | money }}") == f"1.234,50{NBSP}€"
        assert _render("{{ amount | money }}", amount=Decimal("0")) == f"0,00{NBSP}€"


def test_nothing_is_a_dash() -> None:
    with i18n.using_locale("de"):
        assert i18n.format_money(None) == "—"
        assert _render("{{ amount | money }}", amount=None) == "—"


def test_another_installation_currency(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(get_settings(), "currency", "CHF")
    with i18n.using_locale("en"):
        assert _render("{{ amount | money }}", amount=Decimal("1234.5")) == "CHF1,234.50"
    with i18n.using_locale("de"):
        assert _render("{{ amount | money }}", amount=Decimal("1234.5")) == f"1.234,50{NBSP}CHF"
        # A currency given explicitly wins over the installation's.
        assert _render("{{ 5 | money('EUR') }}") == f"5,00{NBSP}€"


@pytest.mark.parametrize("value", ["euro", "eur", "EURO", "€", ""])
def test_a_bad_currency_names_the_variable(monkeypatch: pytest.MonkeyPatch, value: str) -> None:
    monkeypatch.setenv("FACILITIES_CURRENCY", value)
    get_settings.cache_clear()
    try:
        with pytest.raises(
            ConfigurationError,
            match="FACILITIES_CURRENCY: must be a three-letter ISO 4217 currency code such as EUR",
        ):
            get_settings()
    finally:
        monkeypatch.undo()
        get_settings.cache_clear()


def test_the_currency_is_read_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("FACILITIES_CURRENCY", "CHF")
    get_settings.cache_clear()
    try:
        assert get_settings().currency == "CHF"
    finally:
        monkeypatch.undo()
        get_settings.cache_clear()

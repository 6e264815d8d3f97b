"""Recurrence rules said in plain English and German (kit/rrule_text.py)."""

from __future__ import annotations

from datetime import datetime

import pytest

from facilities.kit import rrule_text
from facilities.kit.i18n import using_locale

CASES = [
    ("FREQ=DAILY", "every day", "täglich"),
    ("FREQ=DAILY;INTERVAL=3", "every 3 days", "alle 3 Tage"),
    ("FREQ=WEEKLY", "every week", "jede Woche"),
    ("FREQ=WEEKLY;BYDAY=MO,TH", "every Monday and Thursday", "jeden Montag und Donnerstag"),
    (
        "FREQ=WEEKLY;BYDAY=MO,TU,WE,TH,FR",
        "every weekday (Monday to Friday)",
        "jeden Werktag (Montag bis Freitag)",
    ),
    (
        "FREQ=WEEKLY;INTERVAL=2;BYDAY=MO,TU,WE",
        "every other week on Monday, Tuesday and Wednesday",
        "jede zweite Woche am Montag, Dienstag und Mittwoch",
    ),
    ("FREQ=WEEKLY;INTERVAL=4", "every 4 weeks", "alle 4 Wochen"),
    ("FREQ=MONTHLY", "every month", "jeden Monat"),
    (
        "FREQ=MONTHLY;INTERVAL=3;BYMONTHDAY=10",
        "every 3 months on the 10th",
        "alle 3 Monate am 10.",
    ),
    ("FREQ=MONTHLY;BYMONTHDAY=1", "every month on the 1st", "jeden Monat am 1."),
    ("FREQ=MONTHLY;BYMONTHDAY=22", "every month on the 22nd", "jeden Monat am 22."),
    ("FREQ=MONTHLY;BYMONTHDAY=13", "every month on the 13th", "jeden Monat am 13."),
    ("FREQ=MONTHLY;BYMONTHDAY=-1", "every month on the last day", "jeden Monat am letzten Tag"),
    ("FREQ=MONTHLY;BYDAY=1MO", "every month on the first Monday", "jeden Monat am ersten Montag"),
    (
        "FREQ=MONTHLY;INTERVAL=2;BYDAY=-1FR",
        "every other month on the last Friday",
        "jeden zweiten Monat am letzten Freitag",
    ),
    ("FREQ=YEARLY", "every year", "jedes Jahr"),
    (
        "FREQ=YEARLY;BYMONTH=3;BYMONTHDAY=15",
        "every year on the 15th in March",
        "jedes Jahr am 15. im März",
    ),
    (
        "FREQ=MONTHLY;BYMONTHDAY=1;BYMONTH=1,4,7,10",
        "every month on the 1st in January, April, July and October",
        "jeden Monat am 1. im Januar, April, Juli und Oktober",
    ),
    ("FREQ=WEEKLY;BYDAY=SA;COUNT=10", "every Saturday, 10 times", "jeden Samstag, 10-mal"),
    (
        "FREQ=DAILY;UNTIL=20271231T235959",
        "every day, until 31 Dec 2027",
        "täglich, bis 31.12.2027",
    ),
    ("RRULE:FREQ=YEARLY;INTERVAL=5", "every 5 years", "alle 5 Jahre"),
]


@pytest.mark.parametrize(("rule", "english", "german"), CASES)
def test_rules_in_words(rule: str, english: str, german: str) -> None:
    with using_locale("en"):
        assert rrule_text.describe(rule) == english
    with using_locale("de"):
        assert rrule_text.describe(rule) == german


def test_time_of_day_from_the_start() -> None:
    start = datetime(2026, 12, 10, 8, 0)
    with using_locale("en"):
        assert rrule_text.describe("FREQ=WEEKLY;BYDAY=MO", start) == "every Monday at 08:00"
    with using_locale("de"):
        assert rrule_text.describe("FREQ=WEEKLY;BYDAY=MO", start) == "jeden Montag um 08:00"


@pytest.mark.parametrize(
    "rule", ["", "garbage", "FREQ=HOURLY", "FREQ=MONTHLY;BYSETPOS=1;BYDAY=MO", "FREQ=DAILY;X"]
)
def test_rules_we_cannot_say_are_never_shown_as_codes(rule: str) -> None:
    with using_locale("de"):
        text = rrule_text.describe(rule)
    assert "FREQ" not in text and "=" not in text
    assert text == "eine eigene Wiederholungsregel"

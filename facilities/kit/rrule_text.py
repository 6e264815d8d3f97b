"""Recurrence rules in plain words: "every 3 months on the 10th", "jeden Montag und Donnerstag".

No maintained library says RFC 5545 rules in English *and* German (python-recurrent and
rrule.js' ``toText`` are English only and unmaintained or JavaScript), so this is a small,
table-tested humanizer over the rule's fields (the same fields ``dateutil.rrule`` takes:
FREQ, INTERVAL, BYDAY with an optional ordinal, BYMONTHDAY, BYMONTH, COUNT, UNTIL). Day and
month names come from Babel (CLDR); the grammar is written out per language, because German
word order and inflection ("am ersten Montag", "alle 3 Monate") do not fit one template.

A rule with parts we do not describe (BYSETPOS, BYHOUR, BYWEEKNO, …) reads "a custom rule";
the raw text stays visible behind the form's "Advanced" toggle.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime

from babel import dates

from facilities.kit.i18n import _, current_locale

WEEKDAY_CODES = ("MO", "TU", "WE", "TH", "FR", "SA", "SU")
_WORKDAYS = ("MO", "TU", "WE", "TH", "FR")
_KNOWN = frozenset({"FREQ", "INTERVAL", "BYDAY", "BYMONTHDAY", "BYMONTH", "COUNT", "UNTIL", "WKST"})
_FREQS = ("DAILY", "WEEKLY", "MONTHLY", "YEARLY")


@dataclass(frozen=True, slots=True)
class Rule:
    """The parts of an RRULE a person cares about."""

    freq: str
    interval: int = 1
    weekdays: tuple[tuple[int | None, str], ...] = ()  # (ordinal or None, "MO")
    month_days: tuple[int, ...] = ()
    months: tuple[int, ...] = ()
    count: int | None = None
    until: date | None = None
    extra: tuple[str, ...] = field(default=())  # parts we cannot say in words


def parse(text: str) -> Rule | None:
    """The rule's fields, or None when it is not a rule we can read."""
    parts: dict[str, str] = {}
    for chunk in text.strip().removeprefix("RRULE:").split(";"):
        if not chunk.strip():
            continue
        key, sep, value = chunk.partition("=")
        if not sep:
            return None
        parts[key.strip().upper()] = value.strip().upper()
    freq = parts.get("FREQ", "")
    if freq not in _FREQS:
        return None
    try:
        interval = int(parts.get("INTERVAL", "1"))
        weekdays: list[tuple[int | None, str]] = []
        for item in filter(None, parts.get("BYDAY", "").split(",")):
            code = item[-2:]
            if code not in WEEKDAY_CODES:
                return None
            weekdays.append((int(item[:-2]) if item[:-2] else None, code))
        month_days = tuple(int(v) for v in filter(None, parts.get("BYMONTHDAY", "").split(",")))
        months = tuple(int(v) for v in filter(None, parts.get("BYMONTH", "").split(",")))
        count = int(parts["COUNT"]) if "COUNT" in parts else None
        until = datetime.strptime(parts["UNTIL"][:8], "%Y%m%d").date() if "UNTIL" in parts else None
    except ValueError:
        return None
    if interval < 1 or any(not 1 <= m <= 12 for m in months):
        return None
    return Rule(
        freq=freq,
        interval=interval,
        weekdays=tuple(weekdays),
        month_days=month_days,
        months=months,
        count=count,
        until=until,
        extra=tuple(sorted(k for k in parts if k not in _KNOWN)),
    )


def describe(text: str, start: datetime | str | None = None) -> str:
    """The rule in the current language; ``start`` (site wall time) adds "at 08:00"."""
    if isinstance(start, str):
        try:
            start = datetime.fromisoformat(start) if start else None
        except ValueError:
            start = None
    rule = parse(text)
    if rule is None or rule.extra:
        return _("a custom recurrence rule")
    locale = current_locale()
    words = _German(rule).say() if locale == "de" else _English(rule).say()
    if start is not None:
        clock_time = dates.format_time(start, "short", locale=_babel(locale))
        words += (" um " if locale == "de" else " at ") + clock_time
    return words


def _babel(locale: str) -> str:
    return "en_GB" if locale == "en" else locale


def _day_name(code: str, locale: str, plural: bool = False) -> str:
    names = dates.get_day_names("wide", locale=_babel(locale))
    name = str(names[WEEKDAY_CODES.index(code)])
    return name + "s" if plural else name


def _month_name(month: int, locale: str) -> str:
    return str(dates.get_month_names("wide", locale=_babel(locale))[month])


class _English:
    def __init__(self, rule: Rule) -> None:
        self.rule = rule

    @staticmethod
    def join(items: list[str]) -> str:
        if len(items) <= 1:
            return "".join(items)
        return ", ".join(items[:-1]) + " and " + items[-1]

    @staticmethod
    def ordinal(n: int) -> str:
        if n == -1:
            return "last"
        if n == -2:
            return "second to last"
        words = {1: "first", 2: "second", 3: "third", 4: "fourth", 5: "fifth"}
        return words.get(n, f"{n}th")

    @staticmethod
    def day_of_month(n: int) -> str:
        if n == -1:
            return "the last day"
        if n < 0:
            return f"{-n} days before the end of the month"
        suffix = "th" if 11 <= n % 100 <= 13 else {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")
        return f"the {n}{suffix}"

    def every(self, one: str, many: str) -> str:
        n = self.rule.interval
        if n == 1:
            return f"every {one}"
        if n == 2 and one != "day":
            return f"every other {one}"
        return f"every {n} {many}"

    def weekdays(self) -> str:
        codes = [code for _n, code in self.rule.weekdays]
        if tuple(codes) == _WORKDAYS:
            return "weekday (Monday to Friday)"
        return self.join([_day_name(c, "en") for c in codes])

    def say(self) -> str:
        r = self.rule
        plain_days = r.weekdays and all(n is None for n, _c in r.weekdays)
        if r.freq == "DAILY":
            text = self.every("day", "days")
        elif r.freq == "WEEKLY" and plain_days and r.interval == 1:
            text = "every " + self.weekdays()
        elif r.freq == "WEEKLY":
            text = self.every("week", "weeks")
            if plain_days:
                text += " on " + self.weekdays()
        elif r.freq == "MONTHLY":
            text = self.every("month", "months")
        else:
            text = self.every("year", "years")
        if r.freq in ("MONTHLY", "YEARLY"):
            if r.month_days:
                text += " on " + self.join([self.day_of_month(d) for d in r.month_days])
            elif r.weekdays:
                text += " on " + self.join(
                    [
                        f"the {self.ordinal(n)} {_day_name(c, 'en')}"
                        if n is not None
                        else _day_name(c, "en", plural=True)
                        for n, c in r.weekdays
                    ]
                )
        elif r.freq == "DAILY" and r.weekdays:
            text += " on " + self.weekdays()
        if r.months:
            text += " in " + self.join([_month_name(m, "en") for m in r.months])
        if r.count is not None:
            text += ", once" if r.count == 1 else f", {r.count} times"
        if r.until is not None:
            text += ", until " + dates.format_date(r.until, "medium", locale="en_GB")
        return text


class _German:
    _ORDINALS = {1: "ersten", 2: "zweiten", 3: "dritten", 4: "vierten", 5: "fünften"}

    def __init__(self, rule: Rule) -> None:
        self.rule = rule

    @staticmethod
    def join(items: list[str]) -> str:
        if len(items) <= 1:
            return "".join(items)
        return ", ".join(items[:-1]) + " und " + items[-1]

    def ordinal(self, n: int) -> str:
        if n == -1:
            return "letzten"
        if n == -2:
            return "vorletzten"
        return self._ORDINALS.get(n, f"{n}.")

    @staticmethod
    def day_of_month(n: int) -> str:
        if n == -1:
            return "am letzten Tag"
        if n < 0:
            return f"{-n} Tage vor Monatsende"
        return f"am {n}."

    def every(self, one: str, many: str, neuter: bool = False) -> str:
        n = self.rule.interval
        if n == 1:
            return ("jedes " if neuter else "jeden ") + one
        if n == 2:
            return ("jedes zweite " if neuter else "jeden zweiten ") + one
        return f"alle {n} {many}"

    def weekdays(self) -> str:
        codes = [code for _n, code in self.rule.weekdays]
        if tuple(codes) == _WORKDAYS:
            return "Werktag (Montag bis Freitag)"
        return self.join([_day_name(c, "de") for c in codes])

    def say(self) -> str:
        r = self.rule
        plain_days = r.weekdays and all(n is None for n, _c in r.weekdays)
        if r.freq == "DAILY":
            text = "täglich" if r.interval == 1 else self.every("Tag", "Tage")
        elif r.freq == "WEEKLY" and plain_days and r.interval == 1:
            text = "jeden " + self.weekdays()
        elif r.freq == "WEEKLY":
            text = "jede Woche" if r.interval == 1 else self.every("Woche", "Wochen")
            if r.interval == 2:
                text = "jede zweite Woche"
            if plain_days:
                text += " am " + self.weekdays()
        elif r.freq == "MONTHLY":
            text = self.every("Monat", "Monate")
        else:
            text = self.every("Jahr", "Jahre", neuter=True)
        if r.freq in ("MONTHLY", "YEARLY"):
            if r.month_days:
                text += " " + self.join([self.day_of_month(d) for d in r.month_days])
            elif r.weekdays:
                text += " " + self.join(
                    [
                        f"am {self.ordinal(n)} {_day_name(c, 'de')}"
                        if n is not None
                        else f"jeden {_day_name(c, 'de')}"
                        for n, c in r.weekdays
                    ]
                )
        elif r.freq == "DAILY" and r.weekdays:
            text += " am " + self.weekdays()
        if r.months:
            text += " im " + self.join([_month_name(m, "de") for m in r.months])
        if r.count is not None:
            text += ", einmal" if r.count == 1 else f", {r.count}-mal"
        if r.until is not None:
            text += ", bis " + dates.format_date(r.until, "medium", locale="de")
        return text

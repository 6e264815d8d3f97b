"""The friendly recurrence editor shared by the schedule and visit-plan forms.

People choose a frequency, an interval, weekdays (checkboxes with their names), a day of the
month, months and how it ends; the server builds the RRULE (``recurrence.build``). The raw
rule is only a fallback behind an "Advanced" toggle, for rules the fields cannot express.
Works without JavaScript (plain form fields, posted and re-rendered).
"""

from __future__ import annotations

from typing import Any

from babel import dates

from facilities.kit import recurrence, rrule_text
from facilities.kit.errors import FacilitiesError
from facilities.kit.i18n import N_, _, current_locale

FREQUENCY_LABELS = {
    "daily": N_("days"),
    "weekly": N_("weeks"),
    "monthly": N_("months"),
    "yearly": N_("years"),
}
ENDS_LABELS = {
    "never": N_("Never"),
    "on": N_("On a date"),
    "after": N_("After a number of times"),
}
_BUILDER_KEYS = frozenset({"FREQ", "INTERVAL", "BYDAY", "BYMONTHDAY", "BYMONTH"})


def _babel_locale() -> str:
    locale = current_locale()
    return "en_GB" if locale == "en" else locale


def choices() -> dict[str, Any]:
    """Localised names for the editor's checkboxes and selects."""
    days = dates.get_day_names("wide", locale=_babel_locale())
    months = dates.get_month_names("wide", locale=_babel_locale())
    return {
        "frequency_labels": {k: _(v) for k, v in FREQUENCY_LABELS.items()},
        "weekday_choices": [
            (code, str(days[i])) for i, code in enumerate(rrule_text.WEEKDAY_CODES)
        ],
        "month_choices": [(m, str(months[m])) for m in range(1, 13)],
        "ends_labels": {k: _(v) for k, v in ENDS_LABELS.items()},
        "words": words,
    }


def _int(value: Any) -> int | None:
    if value in (None, ""):
        return None
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


def rule_from_values(values: dict[str, Any], *, with_count: bool = False) -> str:
    """The RRULE the form describes: the advanced raw rule when given, else built from the
    fields. ``with_count`` puts "ends after N" into the rule (visit plans have no separate
    count). Raises ``RuleViolation`` naming the field."""
    raw = str(values.get("rrule") or "").strip()
    if raw:
        return raw
    interval = _int(values.get("interval"))
    count = _int(values.get("max_count")) if values.get("ends") == "after" else None
    return recurrence.build(
        frequency=str(values.get("frequency") or ""),
        interval=interval if interval is not None else 1,
        weekdays=[str(d) for d in values.get("weekdays", []) or []],
        month_day=_int(values.get("month_day")),
        nth=_int(values.get("nth")),
        months=[m for m in (_int(v) for v in values.get("months", []) or []) if m is not None],
        count=count if with_count else None,
    )


def words(values: dict[str, Any]) -> str:
    """The rule the form describes, in words ("" while the fields do not make one)."""
    try:
        rule = rule_from_values(values)
    except FacilitiesError:
        return ""
    return rrule_text.describe(rule, values.get("dtstart_local") or None)


def values_from_rule(rule: str) -> dict[str, Any]:
    """Editor fields for a stored rule (edit forms). A rule the fields cannot express stays
    in the raw field (and the "Advanced" toggle opens)."""
    parsed = rrule_text.parse(rule)
    raw_keys = {
        part.partition("=")[0].strip().upper()
        for part in rule.strip().removeprefix("RRULE:").split(";")
        if part.strip()
    }
    ordinals = {n for n, _code in parsed.weekdays} if parsed else set()
    if (
        parsed is None
        or not raw_keys <= _BUILDER_KEYS
        or len(ordinals) > 1
        or len(parsed.month_days) > 1
    ):
        return {"rrule": rule, "advanced": True}
    nth = next(iter(ordinals), None)
    return {
        "frequency": parsed.freq.lower(),
        "interval": parsed.interval,
        "weekdays": [code for _n, code in parsed.weekdays],
        "nth": nth,
        "month_day": parsed.month_days[0] if parsed.month_days else None,
        "months": list(parsed.months),
        "rrule": "",
    }


def ends_of(end_date: Any, max_count: Any) -> str:
    if max_count not in (None, ""):
        return "after"
    if end_date not in (None, ""):
        return "on"
    return "never"

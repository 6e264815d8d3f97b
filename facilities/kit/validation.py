"""Validation messages for people: msgspec's and Litestar's technical messages ("Expected
`str` of length >= 1 - at `$.title`") said in plain words in the reader's language, with the
field they are about. Used by the API's error handler and by every HTML form (``kit.forms``).
"""

from __future__ import annotations

import re

from facilities.kit.i18n import N_, _

_MISSING = re.compile(r"missing required field `([^`]+)`")
_AT_PATH = re.compile(r"at `\$\.?([^`]*)`")


def field_name(key: str | None, message: str) -> str:
    """The field a validation message is about: msgspec names it in the message (``at `$.x```
    or ``missing required field `x```); Litestar's own key is the parameter ("data")."""
    for pattern in (_MISSING, _AT_PATH):
        match = pattern.search(message)
        if match and match.group(1):
            prefix = "" if not key or key == "data" else f"{key}."
            return prefix + match.group(1) if pattern is _AT_PATH and prefix else match.group(1)
    if not key:
        return "body"
    return key.removeprefix("$.").strip() or "body"


_TYPE_NAMES = {
    "int": N_("a whole number"),
    "float": N_("a number"),
    "str": N_("text"),
    "bool": N_("true or false"),
    "array": N_("a list"),
    "object": N_("an object"),
    "datetime": N_("a date and time"),
    "date": N_("a date"),
    "time": N_("a time of day"),
    "decimal": N_("a number"),
}
_RULES: list[tuple[re.Pattern[str], str]] = [
    (re.compile(r"^Expected `(\w+)`, got `null`"), N_("A value is required.")),
    (re.compile(r"^Expected `(?P<type>\w+)(?: \| null)?`, got `\w+`"), N_("Must be %(type)s.")),
    (re.compile(r"^Expected `str` of length <= (?P<n>\d+)"), N_("At most %(n)s characters.")),
    (re.compile(r"^Expected `str` of length >= 1\b"), N_("Must not be empty.")),
    (re.compile(r"^Expected `str` of length >= (?P<n>\d+)"), N_("At least %(n)s characters.")),
    (
        re.compile(r"^Expected `(?:array|object)` of length <= (?P<n>\d+)"),
        N_("At most %(n)s items."),
    ),
    (
        re.compile(r"^Expected `(?:array|object)` of length >= (?P<n>\d+)"),
        N_("At least %(n)s items."),
    ),
    (re.compile(r"^Expected `\w+` >= (?P<n>[\d.e+-]+)"), N_("Must be at least %(n)s.")),
    (re.compile(r"^Expected `\w+` > (?P<n>[\d.e+-]+)"), N_("Must be greater than %(n)s.")),
    (re.compile(r"^Expected `\w+` <= (?P<n>[\d.e+-]+)"), N_("Must be at most %(n)s.")),
    (re.compile(r"^Expected `\w+` < (?P<n>[\d.e+-]+)"), N_("Must be less than %(n)s.")),
    (
        re.compile(r"^Expected `datetime` with a timezone component"),
        N_("Give a time zone offset, e.g. 2026-05-04T09:00:00+02:00 or …Z."),
    ),
    (
        re.compile(r"^Invalid RFC3339 encoded datetime"),
        N_("Not a valid date and time (e.g. 2026-05-04T09:00:00+02:00)."),
    ),
    (re.compile(r"^Invalid RFC3339 encoded date"), N_("Not a valid date (e.g. 2026-05-04).")),
    (re.compile(r"^Invalid RFC3339 encoded time"), N_("Not a valid time (e.g. 09:30).")),
    (re.compile(r"^Invalid enum value"), N_("Not one of the allowed values.")),
    (re.compile(r"^Expected `str` matching regex"), N_("Not in the expected format.")),
    (
        re.compile(r"^Object contains unknown field `(?P<name>[^`]+)`"),
        N_("Unknown field “%(name)s”."),
    ),
    (re.compile(r"^Object missing required field"), N_("This field is required.")),
]


_TECHNICAL = re.compile(r"Expected|`|\$\.|\b(?:int|str|float|bool|null|object|array)\b")


def friendly(message: str) -> str:
    """msgspec's technical validation message, said for people (and translated)."""
    text = message.split(" - at `", 1)[0]
    for pattern, template in _RULES:
        match = pattern.search(text)
        if match is None:
            continue
        values = match.groupdict()
        if "type" in values:
            values["type"] = _(_TYPE_NAMES.get(values["type"], values["type"]))
        return _(template) % values if values else _(template)
    # A technical message we have no words for is said in general terms; plain text passes.
    if _TECHNICAL.search(text):
        return _("This value is not valid.")
    return text

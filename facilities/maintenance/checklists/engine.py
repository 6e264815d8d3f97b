"""The checklist item engine: item kinds, limits, required items, answer validation and
the "needs follow-up" rule, as pure functions (no database, no HTTP).

Work-order checklists (``checklists.actions``/``queries``) call it; inspections (safety) and
any other domain with typed questions can use the same rules on their own tables: validate a
template's items with ``normalise_items``, turn an answer into stored values with
``answer_values``, ask ``needs_follow_up`` and ``missing_required``. Errors are
``RuleViolation`` naming the field (``items[2].min``, ``value``), so callers answer 422.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

from facilities.kit.errors import RuleViolation
from facilities.kit.i18n import _
from facilities.maintenance.checklists.schemas import (
    CHECKLIST_KINDS,
    INSPECTION_KINDS,
    NO,
    NOT_APPLICABLE,
    UNIT_KINDS,
    YES,
    ItemKind,
    ItemSpec,
    ScoredItemSpec,
    Verdict,
)

__all__ = [
    "LIMIT",
    "PLACES",
    "ItemKind",
    "Score",
    "Verdict",
    "answer_values",
    "fails",
    "follow_up_severity",
    "missing_required",
    "needs_follow_up",
    "normalise_items",
    "normalise_scored_items",
    "out_of_limits",
    "parse_number",
    "plain",
    "score",
    "visible_keys",
]


def plain(number: Decimal) -> Decimal:
    """Without trailing zeros, never in exponent notation (100, not 1E+2)."""
    reduced = number.normalize()
    return reduced.quantize(Decimal(1)) if reduced == reduced.to_integral() else reduced


def _slug(label: str) -> str:
    ascii_label = unicodedata.normalize("NFKD", label).encode("ascii", "ignore").decode()
    slug = re.sub(r"[^a-z0-9]+", "_", ascii_label.lower()).strip("_")[:50]
    return slug or "item"


LIMIT = Decimal("10000000000")  # Numeric(14, 4): |value| < 10^10
PLACES = Decimal("0.0001")


def _limit(value: Decimal | None, field: str) -> Decimal | None:
    if value is None:
        return None
    if not value.is_finite() or abs(value) >= LIMIT:
        raise RuleViolation(field, _("Enter a number below ten billion."))
    return plain(value.quantize(PLACES))


def normalise_items(
    items: list[ItemSpec] | list[ScoredItemSpec],
    kinds: frozenset[ItemKind] = CHECKLIST_KINDS,
) -> list[dict[str, Any]]:
    """Validate a template's items; the JSON stored in a version. 422s name ``items[i].x``.
    ``kinds``: the item kinds this kind of template takes."""
    if not items:
        raise RuleViolation("items", _("Add at least one item."))
    taken: set[str] = set()
    for index, item in enumerate(items):
        if item.key is not None:
            if item.key in taken:
                raise RuleViolation(
                    f"items[{index}].key",
                    _("The key “%(key)s” is used twice.") % {"key": item.key},
                )
            taken.add(item.key)
    result = []
    for index, item in enumerate(items):
        at = f"items[{index}]"
        if item.kind not in kinds:
            raise RuleViolation(f"{at}.kind", _("This kind of item is not offered here."))
        label = " ".join(item.label.split())
        if not label:
            raise RuleViolation(f"{at}.label", _("Give the item a label."))
        unit = item.unit.strip()
        if unit and item.kind not in UNIT_KINDS:
            raise RuleViolation(f"{at}.unit", _("Only number and meter items have a unit."))
        if item.kind is not ItemKind.number:
            for name in ("min", "max"):
                if getattr(item, name) is not None:
                    raise RuleViolation(f"{at}.{name}", _("Only number items have limits."))
        low, high = _limit(item.min, f"{at}.min"), _limit(item.max, f"{at}.max")
        if low is not None and high is not None and low > high:
            raise RuleViolation(
                f"{at}.min",
                _("The lower limit is above the upper limit (%(max)s).") % {"max": high},
            )
        key = item.key
        if key is None:
            base = key = _slug(label)
            n = 2
            while key in taken:
                key, n = f"{base[:55]}_{n}", n + 1
            taken.add(key)
        result.append(
            {
                "key": key,
                "label": label,
                "kind": item.kind.value,
                "unit": unit,
                "min": str(low) if low is not None else None,
                "max": str(high) if high is not None else None,
                "required": item.required,
            }
        )
    return result


def _options(values: list[str], field: str) -> list[str]:
    result: list[str] = []
    for value in values:
        text = " ".join(value.split())
        if not text:
            raise RuleViolation(field, _("An answer option is empty."))
        if text in result:
            message = _("The option “%(option)s” is given twice.") % {"option": text}
            raise RuleViolation(field, message)
        result.append(text)
    return result


def normalise_scored_items(items: list[ScoredItemSpec]) -> list[dict[str, Any]]:
    """Validate an inspection template's items: the checklist rules (``normalise_items``
    with the inspection kinds) plus weight (>= 0), options of multiple-choice items, the
    answers that fail an item, and follow-ups (``show_if``) pointing at an earlier item and
    at answers it can have. 422s name ``items[i].x``."""
    result = normalise_items(items, INSPECTION_KINDS)
    seen: dict[str, dict[str, Any]] = {}
    for index, (item, row) in enumerate(zip(items, result, strict=True)):
        at = f"items[{index}]"
        if not item.weight.is_finite() or item.weight < 0:
            raise RuleViolation(f"{at}.weight", _("The weight cannot be negative."))
        if item.weight > 1000:
            raise RuleViolation(f"{at}.weight", _("Enter a weight of at most 1000."))
        options = _options(item.options, f"{at}.options")
        if item.kind is ItemKind.choice and len(options) < 2:
            raise RuleViolation(f"{at}.options", _("Give at least two answer options."))
        if item.kind is not ItemKind.choice and options:
            raise RuleViolation(f"{at}.options", _("Only multiple-choice items have options."))
        fail_answers = _options(item.fail_answers, f"{at}.fail_answers")
        allowed = _answers_of(item.kind.value, options)
        if fail_answers and (allowed is None or not set(fail_answers) <= set(allowed)):
            raise RuleViolation(
                f"{at}.fail_answers", _("Name only answers this item offers as failing.")
            )
        if item.kind is ItemKind.yes_no and not fail_answers:
            fail_answers = [NO]
        parent = None
        if item.show_if_item is not None:
            parent = seen.get(item.show_if_item)
            if parent is None:
                raise RuleViolation(
                    f"{at}.show_if_item", _("A follow-up must depend on an earlier item.")
                )
            parent_answers = _answers_of(parent["kind"], parent["options"])
            wanted = _options(item.show_if_answers, f"{at}.show_if_answers")
            if not wanted or parent_answers is None or not set(wanted) <= set(parent_answers):
                raise RuleViolation(
                    f"{at}.show_if_answers",
                    _("Name the answers of the earlier item that show this follow-up."),
                )
        elif item.show_if_answers:
            raise RuleViolation(f"{at}.show_if_item", _("Name the item this follow-up depends on."))
        row.update(
            {
                "section": " ".join(item.section.split()),
                "weight": str(plain(item.weight.quantize(PLACES))),
                "critical": item.critical,
                "options": options,
                "fail_answers": fail_answers,
                "show_if_item": item.show_if_item,
                "show_if_answers": _options(item.show_if_answers, f"{at}.show_if_answers"),
            }
        )
        seen[row["key"]] = row
    return result


def _answers_of(kind: str, options: list[str]) -> list[str] | None:
    """The answers an item can have (None: free, e.g. text or a number)."""
    if kind == ItemKind.pass_fail_na.value:
        return [Verdict.passed.value, Verdict.fail.value, NOT_APPLICABLE]
    if kind == ItemKind.pass_flag_fail.value:
        return [v.value for v in Verdict]
    if kind == ItemKind.yes_no.value:
        return [YES, NO]
    if kind == ItemKind.choice.value:
        return list(options)
    return None


def parse_number(value: Any, *, field: str = "value") -> Decimal:
    """A number from JSON or a form ("12,5" too), within the column's range."""
    if isinstance(value, bool) or value is None:
        raise RuleViolation(field, _("Enter a number."))
    text = str(value).strip().replace(",", ".") if isinstance(value, str) else repr(value)
    try:
        number = Decimal(text)
    except InvalidOperation:
        raise RuleViolation(field, _("Enter a number.")) from None
    if not number.is_finite() or abs(number) >= LIMIT:
        raise RuleViolation(field, _("Enter a number below ten billion."))
    return number.quantize(PLACES)


def out_of_limits(number: Decimal, low: Any, high: Any) -> bool:
    """A number reading below its lower or above its upper limit (either may be absent)."""
    return (low is not None and number < Decimal(str(low))) or (
        high is not None and number > Decimal(str(high))
    )


def nothing_drawn() -> RuleViolation:
    return RuleViolation(
        "signature_png",
        _("Nothing is drawn. Sign in the box with your finger or the mouse, then save."),
    )


def answer_values(
    kind: ItemKind,
    value: Any,
    *,
    min_value: Any = None,
    max_value: Any = None,
    drawn_signature: bool = False,
    options: list[str] | None = None,
) -> dict[str, Any]:
    """What an answer of this kind stores: ``value_text``, ``value_number``, ``answered``
    and, for numbers, ``out_of_limits``; a clear checkbox or ``None`` clears the answer.
    Photos arrive as files (the caller stores them). 422 on ``value``/``signature_png``."""
    if drawn_signature and kind is not ItemKind.signature:
        raise RuleViolation("signature_png", _("Only signature items take a drawn signature."))
    if value is None or (kind is ItemKind.checkbox and value is False):
        return {"value_text": None, "value_number": None, "photo_key": None, "answered": False}
    result: dict[str, Any] = {"value_text": None, "value_number": None, "answered": True}
    match kind:
        case ItemKind.checkbox:
            if value is not True:
                raise RuleViolation("value", _("Tick the box (true) or clear it (false)."))
            result["value_text"] = "true"
        case ItemKind.pass_flag_fail:
            if value not in {v.value for v in Verdict}:
                raise RuleViolation("value", _("Choose pass, flag or fail."))
            result["value_text"] = value
        case ItemKind.number | ItemKind.meter:
            number = parse_number(value)
            if kind is ItemKind.meter and number < 0:
                raise RuleViolation("value", _("A meter reading cannot be negative."))
            result["value_number"] = number
            if kind is ItemKind.number:
                result["out_of_limits"] = out_of_limits(number, min_value, max_value)
        case ItemKind.text | ItemKind.signature:
            if not isinstance(value, str) or not value.strip():
                message = (
                    _("Type the signer's name.")
                    if kind is ItemKind.signature
                    else _("Write an answer.")
                )
                raise RuleViolation("value", message)
            text = value.strip()
            if len(text) > (200 if kind is ItemKind.signature else 2000):
                raise RuleViolation("value", _("The answer is too long."))
            if kind is ItemKind.signature and not drawn_signature:
                raise nothing_drawn()  # a typed name is not a signature: the strokes are
            result["value_text"] = text
        case ItemKind.photo:
            raise RuleViolation("value", _("Upload the photo as a file."))
        case ItemKind.pass_fail_na:
            if value not in (Verdict.passed.value, Verdict.fail.value, NOT_APPLICABLE):
                raise RuleViolation("value", _("Choose pass, fail or not applicable."))
            result["value_text"] = value
        case ItemKind.yes_no:
            if value is True or value is False:
                value = YES if value else NO
            if value not in (YES, NO):
                raise RuleViolation("value", _("Answer yes or no."))
            result["value_text"] = value
        case ItemKind.choice:
            if not isinstance(value, str) or value.strip() not in (options or []):
                raise RuleViolation("value", _("Choose one of the offered answers."))
            result["value_text"] = value.strip()
    return result


def needs_follow_up(kind: str, value_text: str | None, out_of_limits: bool) -> bool:
    if kind == ItemKind.pass_flag_fail.value:
        return value_text in (Verdict.flag.value, Verdict.fail.value)
    return bool(out_of_limits)


def follow_up_severity(value_text: str | None, out_of_limits: bool) -> str:
    """``severe`` (fail, out of limits: corrective work at P2) or ``flag`` (P3 follow-up)."""
    return "severe" if value_text == Verdict.fail.value or out_of_limits else "flag"


def missing_required(items: Iterable[tuple[str, bool, bool]]) -> list[str]:
    """Labels of the required items not answered, in order: ``(label, required, answered)``."""
    return [label for label, required, answered in items if required and not answered]


# ---- scoring (inspections) ----------------------------------------------------------------
#
# ``items`` are the dicts ``normalise_scored_items`` stores; ``answers`` maps an item key to
# its stored answer (``value_text``, ``value_number``, ``out_of_limits``, ``answered``).


def visible_keys(items: list[dict[str, Any]], answers: dict[str, dict[str, Any]]) -> set[str]:
    """The items shown: every item without ``show_if``, and each follow-up whose earlier
    item is shown and answered with one of its ``show_if_answers``."""
    shown: set[str] = set()
    for item in items:
        parent = item.get("show_if_item")
        if parent is None:
            shown.add(item["key"])
            continue
        answer = answers.get(parent) or {}
        if (
            parent in shown
            and answer.get("answered")
            and (answer.get("value_text") in (item.get("show_if_answers") or []))
        ):
            shown.add(item["key"])
    return shown


def fails(item: dict[str, Any], answer: dict[str, Any] | None) -> bool:
    """Whether an answer fails its item: a fail (or flag), a number out of its limits, a
    yes/no or choice answer named in ``fail_answers``."""
    if not answer or not answer.get("answered"):
        return False
    kind, text = item["kind"], answer.get("value_text")
    if kind in (ItemKind.pass_fail_na.value, ItemKind.pass_flag_fail.value):
        return text in (Verdict.fail.value, Verdict.flag.value)
    if kind == ItemKind.number.value:
        return bool(answer.get("out_of_limits"))
    if kind in (ItemKind.yes_no.value, ItemKind.choice.value):
        return text in (item.get("fail_answers") or [])
    return False


_SCORED = frozenset(
    {
        ItemKind.pass_fail_na.value,
        ItemKind.pass_flag_fail.value,
        ItemKind.yes_no.value,
        ItemKind.choice.value,
        ItemKind.number.value,
    }
)


@dataclass(frozen=True, slots=True)
class Score:
    """``percent`` has one decimal place; None when nothing was possible."""

    earned: Decimal
    possible: Decimal
    percent: Decimal | None


def score(items: list[dict[str, Any]], answers: dict[str, dict[str, Any]]) -> Score:
    """``score % = earned / possible × 100``. Each shown, answered item of a scored kind
    (pass/fail/n.a., yes/no, multiple choice, number) adds its weight to ``possible`` and,
    unless it fails (``fails``), to ``earned``; "not applicable" answers, unanswered items,
    hidden follow-ups and text, photo and signature items count in neither."""
    shown = visible_keys(items, answers)
    earned = possible = Decimal(0)
    for item in items:
        if item["key"] not in shown or item["kind"] not in _SCORED:
            continue
        answer = answers.get(item["key"])
        if not answer or not answer.get("answered"):
            continue
        if answer.get("value_text") == NOT_APPLICABLE:
            continue
        weight = Decimal(str(item.get("weight", 1)))
        possible += weight
        if not fails(item, answer):
            earned += weight
    percent = (earned / possible * 100).quantize(Decimal("0.1")) if possible else None
    return Score(earned, possible, percent)

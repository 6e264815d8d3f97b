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
from decimal import Decimal, InvalidOperation
from typing import Any

from facilities.kit.errors import RuleViolation
from facilities.kit.i18n import _
from facilities.maintenance.checklists.schemas import UNIT_KINDS, ItemKind, ItemSpec, Verdict

__all__ = [
    "LIMIT",
    "PLACES",
    "ItemKind",
    "Verdict",
    "answer_values",
    "follow_up_severity",
    "missing_required",
    "needs_follow_up",
    "normalise_items",
    "out_of_limits",
    "parse_number",
    "plain",
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


def normalise_items(items: list[ItemSpec]) -> list[dict[str, Any]]:
    """Validate a template's items; the JSON stored in a version. 422s name ``items[i].x``."""
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

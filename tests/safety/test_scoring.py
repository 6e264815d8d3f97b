"""The inspection side of the checklist engine: template validation, answers of the new
kinds, follow-ups shown by answers, and the score (pure functions, no database)."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import msgspec
import pytest

from facilities.kit.errors import RuleViolation
from facilities.maintenance.checklists.engine import (
    answer_values,
    fails,
    normalise_items,
    normalise_scored_items,
    score,
    visible_keys,
)
from facilities.maintenance.checklists.schemas import ItemKind, ItemSpec, ScoredItemSpec


def spec(**values: Any) -> ScoredItemSpec:
    return msgspec.convert({"kind": "pass_fail_na", "label": "Item", **values}, ScoredItemSpec)


def answer(text: str | None = None, number: Any = None, oob: bool = False) -> dict[str, Any]:
    return {"answered": True, "value_text": text, "value_number": number, "out_of_limits": oob}


def field_of(error: pytest.ExceptionInfo[RuleViolation]) -> str:
    return error.value.fields[0].field


def test_template_without_items_is_refused() -> None:
    with pytest.raises(RuleViolation) as error:
        normalise_scored_items([])
    assert field_of(error) == "items"


def test_negative_weight_is_refused_naming_the_item() -> None:
    with pytest.raises(RuleViolation) as error:
        normalise_scored_items([spec(label="A"), spec(label="B", weight=-1)])
    assert field_of(error) == "items[1].weight"
    assert "negative" in error.value.message


def test_minimum_above_maximum_is_refused() -> None:
    with pytest.raises(RuleViolation) as error:
        normalise_scored_items([spec(kind="number", label="Pressure", min=10, max=2)])
    assert field_of(error) == "items[0].min"


def test_choice_needs_two_options_and_fail_answers_must_be_offered() -> None:
    with pytest.raises(RuleViolation) as error:
        normalise_scored_items([spec(kind="choice", options=["only"])])
    assert field_of(error) == "items[0].options"
    with pytest.raises(RuleViolation) as error:
        normalise_scored_items([spec(kind="choice", options=["a", "b"], fail_answers=["c"])])
    assert field_of(error) == "items[0].fail_answers"


def test_follow_up_must_point_at_an_earlier_item_and_its_answers() -> None:
    with pytest.raises(RuleViolation) as error:
        normalise_scored_items(
            [spec(key="b", show_if_item="a", show_if_answers=["fail"]), spec(key="a")]
        )
    assert field_of(error) == "items[0].show_if_item"
    with pytest.raises(RuleViolation) as error:
        normalise_scored_items(
            [spec(key="a"), spec(key="b", show_if_item="a", show_if_answers=["maybe"])]
        )
    assert field_of(error) == "items[1].show_if_answers"


def test_work_order_checklists_refuse_inspection_kinds_and_keep_their_own() -> None:
    with pytest.raises(RuleViolation) as error:
        normalise_items([ItemSpec(label="Fine?", kind=ItemKind.yes_no)])
    assert field_of(error) == "items[0].kind"
    assert normalise_items([ItemSpec(label="Done", kind=ItemKind.checkbox)])[0]["kind"] == (
        "checkbox"
    )


def test_answers_of_the_inspection_kinds() -> None:
    assert answer_values(ItemKind.pass_fail_na, "na")["value_text"] == "na"
    assert answer_values(ItemKind.yes_no, True)["value_text"] == "yes"
    assert answer_values(ItemKind.choice, "good", options=["good", "bad"])["value_text"] == "good"
    for kind, value in ((ItemKind.pass_fail_na, "flag"), (ItemKind.yes_no, "maybe")):
        with pytest.raises(RuleViolation):
            answer_values(kind, value)
    with pytest.raises(RuleViolation):
        answer_values(ItemKind.choice, "other", options=["good", "bad"])


def test_yes_no_fails_on_no_unless_told_otherwise() -> None:
    items = normalise_scored_items(
        [spec(kind="yes_no", key="ok"), spec(kind="yes_no", key="wedged", fail_answers=["yes"])]
    )
    assert fails(items[0], answer("no")) and not fails(items[0], answer("yes"))
    assert fails(items[1], answer("yes")) and not fails(items[1], answer("no"))


def test_score_is_earned_over_possible_with_not_applicable_left_out() -> None:
    items = normalise_scored_items(
        [
            spec(key="a", weight=2),
            spec(key="b", weight=1),
            spec(key="c", weight=3),
            spec(key="d", kind="number", min=0, max=5, weight=1),
            spec(key="e", kind="text", required=False),
        ]
    )
    answers = {
        "a": answer("pass"),
        "b": answer("fail"),
        "c": answer("na"),
        "d": answer(number=Decimal(7), oob=True),
        "e": answer("all good"),
    }
    result = score(items, answers)
    assert (result.earned, result.possible) == (Decimal(2), Decimal(4))
    assert result.percent == Decimal("50.0")


def test_all_not_applicable_has_no_score() -> None:
    items = normalise_scored_items([spec(key="a")])
    assert score(items, {"a": answer("na")}).percent is None


def test_zero_weight_counts_in_neither() -> None:
    items = normalise_scored_items([spec(key="a", weight=0), spec(key="b")])
    result = score(items, {"a": answer("fail"), "b": answer("pass")})
    assert result.percent == Decimal("100.0")


def test_follow_up_is_shown_only_for_its_answers_and_scored_only_then() -> None:
    items = normalise_scored_items(
        [
            spec(key="wedged", kind="yes_no", fail_answers=["yes"]),
            spec(key="removed", show_if_item="wedged", show_if_answers=["yes"]),
        ]
    )
    assert visible_keys(items, {"wedged": answer("no")}) == {"wedged"}
    assert visible_keys(items, {"wedged": answer("yes")}) == {"wedged", "removed"}
    hidden = score(items, {"wedged": answer("no"), "removed": answer("fail")})
    assert hidden.percent == Decimal("100.0")  # the hidden follow-up's answer counts not

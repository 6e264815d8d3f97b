"""The checklist item engine: pure rules, no database (usable by inspections too)."""

from __future__ import annotations

from decimal import Decimal

import pytest

from facilities.kit.errors import RuleViolation
from facilities.maintenance.checklists import engine
from facilities.maintenance.checklists.engine import ItemKind
from facilities.maintenance.checklists.schemas import ItemSpec


def _field(error: pytest.ExceptionInfo[RuleViolation]) -> str:
    return error.value.fields[0].field if error.value.fields else ""


def test_normalise_items_keys_units_limits() -> None:
    items = engine.normalise_items(
        [
            ItemSpec(
                label="  Pressure   gauge ",
                kind=ItemKind.number,
                unit="bar",
                min=Decimal("12.50"),
                max=Decimal(16),
            ),
            ItemSpec(label="Pressure gauge", kind=ItemKind.pass_flag_fail),
            ItemSpec(label="Türschloss", kind=ItemKind.text, required=False),
        ]
    )
    assert [i["key"] for i in items] == ["pressure_gauge", "pressure_gauge_2", "turschloss"]
    assert items[0] == {
        "key": "pressure_gauge",
        "label": "Pressure gauge",
        "kind": "number",
        "unit": "bar",
        "min": "12.5",
        "max": "16",
        "required": True,
    }
    assert items[2]["required"] is False


@pytest.mark.parametrize(
    ("specs", "field"),
    [
        ([], "items"),
        ([ItemSpec(label=" ", kind=ItemKind.text)], "items[0].label"),
        ([ItemSpec(label="A", kind=ItemKind.text, unit="kg")], "items[0].unit"),
        ([ItemSpec(label="A", kind=ItemKind.meter, min=Decimal(1))], "items[0].min"),
        (
            [ItemSpec(label="A", kind=ItemKind.number, min=Decimal(5), max=Decimal(1))],
            "items[0].min",
        ),
        ([ItemSpec(label="A", kind=ItemKind.number, max=Decimal("1e11"))], "items[0].max"),
        (
            [
                ItemSpec(label="A", kind=ItemKind.text, key="x"),
                ItemSpec(label="B", kind=ItemKind.text, key="x"),
            ],
            "items[1].key",
        ),
    ],
)
def test_normalise_items_names_the_bad_field(specs: list[ItemSpec], field: str) -> None:
    with pytest.raises(RuleViolation) as error:
        engine.normalise_items(specs)
    assert _field(error) == field


@pytest.mark.parametrize(
    ("value", "expected"),
    [("12,5", Decimal("12.5")), (3, Decimal(3)), (0.1, Decimal("0.1")), (" -4 ", Decimal(-4))],
)
def test_parse_number(value: object, expected: Decimal) -> None:
    assert engine.parse_number(value) == expected


@pytest.mark.parametrize("value", [None, True, "abc", "nan", "1e12", ""])
def test_parse_number_refuses(value: object) -> None:
    with pytest.raises(RuleViolation):
        engine.parse_number(value)


def test_answer_values_by_kind() -> None:
    assert engine.answer_values(ItemKind.checkbox, True)["value_text"] == "true"
    assert engine.answer_values(ItemKind.checkbox, False)["answered"] is False
    assert engine.answer_values(ItemKind.pass_flag_fail, "flag")["value_text"] == "flag"
    low = engine.answer_values(ItemKind.number, "11", min_value="12", max_value="16")
    assert low["value_number"] == Decimal(11) and low["out_of_limits"] is True
    inside = engine.answer_values(ItemKind.number, "16", min_value="12", max_value="16")
    assert inside["out_of_limits"] is False
    assert engine.answer_values(ItemKind.meter, "1234.5")["value_number"] == Decimal("1234.5")
    assert engine.answer_values(ItemKind.text, "  ok ")["value_text"] == "ok"
    assert engine.answer_values(ItemKind.signature, "A. Smith", drawn_signature=True)["answered"]


@pytest.mark.parametrize(
    ("kind", "value", "kwargs", "field"),
    [
        (ItemKind.checkbox, "yes", {}, "value"),
        (ItemKind.pass_flag_fail, "maybe", {}, "value"),
        (ItemKind.meter, "-1", {}, "value"),
        (ItemKind.text, "   ", {}, "value"),
        (ItemKind.text, "x" * 2001, {}, "value"),
        (ItemKind.signature, "x" * 201, {}, "value"),
        (ItemKind.photo, "a.jpg", {}, "value"),
        (ItemKind.text, "fine", {"drawn_signature": True}, "signature_png"),
        (ItemKind.signature, "A. Smith", {}, "signature_png"),  # a name, nothing drawn
    ],
)
def test_answer_values_refuses(kind: ItemKind, value: object, kwargs: dict, field: str) -> None:
    with pytest.raises(RuleViolation) as error:
        engine.answer_values(kind, value, **kwargs)
    assert _field(error) == field


def test_follow_up_rules() -> None:
    assert engine.needs_follow_up("pass_flag_fail", "fail", False)
    assert engine.needs_follow_up("pass_flag_fail", "flag", False)
    assert not engine.needs_follow_up("pass_flag_fail", "pass", False)
    assert engine.needs_follow_up("number", None, True)
    assert not engine.needs_follow_up("number", None, False)
    assert engine.follow_up_severity("fail", False) == "severe"
    assert engine.follow_up_severity(None, True) == "severe"
    assert engine.follow_up_severity("flag", False) == "flag"


def test_missing_required_in_order() -> None:
    items = [("A", True, False), ("B", False, False), ("C", True, True), ("D", True, False)]
    assert engine.missing_required(items) == ["A", "D"]
    assert (
        engine.plain(Decimal("100.000")) == Decimal(100)
        and str(engine.plain(Decimal("1E+2"))) == "100"
    )

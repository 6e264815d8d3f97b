"""Refrigerants: GWP100 (AR5, AR6; blends by mass), a top-up on a work order's part line
as Scope 1, and a gas outside the library refused naming the field."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal

import pytest

from facilities.accounts.enums import Role
from facilities.kit import clock
from facilities.sustainability import refrigerants, results
from facilities.sustainability.refrigerants import Basis
from tests import builders
from tests import workorders_builders as wb


@pytest.mark.parametrize(
    ("gas", "ar5", "ar6"),
    [
        ("R-32", "677", "771"),
        ("R-410A", "1923.5", "2255.5"),  # 50 % R-32 + 50 % R-125
        ("R-407C", "1624.21", "1907.93"),
        ("R-404A", "3942.8", "4728.0"),
        ("R-454B", "466.764", "531.374"),
        ("R-134a", "1300", "1530"),
    ],
)
def test_gwp_of_pure_gases_and_blends_by_mass(gas: str, ar5: str, ar6: str) -> None:
    assert refrigerants.gwp(gas, Basis.ar5) == pytest.approx(Decimal(ar5), abs=Decimal("0.01"))
    assert refrigerants.gwp(gas, Basis.ar6) == pytest.approx(Decimal(ar6), abs=Decimal("0.01"))


def test_blend_fractions_add_up_to_one() -> None:
    for name, parts in refrigerants.BLENDS.items():
        assert sum(parts.values()) == 1, name
        assert set(parts) <= set(refrigerants.PURE)


@pytest.mark.parametrize("typed", ["R-410A", "r410a", "R 410A", " R-410a "])
def test_names_as_typed(typed: str) -> None:
    assert refrigerants.canonical(typed) == "R-410A"


def test_unknown_gas() -> None:
    assert refrigerants.canonical("R-999X") is None


async def test_top_up_counts_as_scope_1_in_its_month(make_client) -> None:
    world = await wb.world()
    order = await wb.work_order(world.site.id, trade="hvac")
    ops = await builders.user(Role.ops_manager)
    await builders.assign(ops, regions=[world.site.region_id])
    api = await builders.api(make_client, ops)
    with clock.pinned(datetime(2025, 7, 14, 10, tzinfo=UTC)):
        response = await api.post(
            f"/api/v1/work-orders/{order.id}/costs",
            json={
                "kind": "refrigerant",
                "gas": "r410a",
                "description": "Top-up split unit meeting room",
                "quantity": "1.5",
                "unit_cost": "80",
            },
        )
    assert response.status_code == 201, response.text
    assert response.json()["gas"] == "R-410A"
    figures = await results.results(builders.principal(ops), year=2025)
    july = figures.months[6]
    assert july.scope1_refrigerant_kg == pytest.approx(1.5 * 2255.5)
    assert july.scope1_kg == pytest.approx(1.5 * 2255.5)
    assert figures.total.scope1_refrigerant_kg == pytest.approx(1.5 * 2255.5)
    assert figures.months[5].scope1_kg == 0


async def test_gas_outside_the_library_is_a_422_naming_the_field(make_client) -> None:
    world = await wb.world()
    order = await wb.work_order(world.site.id)
    admin = await builders.api(make_client, await builders.user(Role.admin))
    base = f"/api/v1/work-orders/{order.id}/costs"
    unknown = await admin.post(
        base,
        json={
            "kind": "refrigerant",
            "gas": "R-999X",
            "description": "Top-up",
            "quantity": "1",
            "unit_cost": "0",
        },
    )
    assert unknown.status_code == 422
    assert unknown.json()["fields"][0]["field"] == "gas"
    assert "R-999X" in unknown.json()["fields"][0]["message"]
    missing = await admin.post(
        base,
        json={"kind": "refrigerant", "description": "Top-up", "quantity": "1", "unit_cost": "0"},
    )
    assert missing.status_code == 422
    assert missing.json()["fields"][0]["field"] == "gas"
    assert (await admin.get(base)).json() == []

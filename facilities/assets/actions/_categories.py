"""Asset categories (ops-managed list with icons)."""

from __future__ import annotations

from typing import Any

import msgspec

from facilities.accounts import audit
from facilities.accounts.principal import Principal
from facilities.assets import queries
from facilities.assets.actions._common import _plain
from facilities.assets.schemas import (
    CategoryCreate,
    CategoryRead,
    CategoryUpdate,
)
from facilities.assets.tables import AssetCategory
from facilities.db import transaction
from facilities.kit import clock
from facilities.kit.errors import Conflict
from facilities.kit.i18n import _

# ---- categories -----------------------------------------------------------------------


async def _check_category_name(name: str, category_id: int | None) -> None:
    rows = await AssetCategory.select(AssetCategory.id, AssetCategory.name)
    if any(r["name"].lower() == name.lower() and r["id"] != category_id for r in rows):
        raise Conflict(_("A category with this name already exists."), field="name")


async def create_category(*, actor: Principal, data: CategoryCreate) -> CategoryRead:
    name = data.name.strip()
    async with transaction():
        await _check_category_name(name, None)
        row = AssetCategory(
            name=name,
            icon=data.icon,
            description=data.description.strip(),
            trade=data.trade.value if data.trade else None,
            created_at=clock.now(),
        )
        await row.save()
        await audit.record(
            actor=actor,
            action="asset_category.create",
            object_type="asset_category",
            object_id=row.id,
            summary=name,
            after={"name": name, "icon": data.icon, "trade": data.trade},
        )
        return await queries.get_category(row.id)


async def update_category(
    *, actor: Principal, category_id: int, data: CategoryUpdate
) -> CategoryRead:
    async with transaction():
        before = await queries.get_category(category_id)
        values: dict[Any, Any] = {}
        if data.name is not msgspec.UNSET:
            await _check_category_name(data.name.strip(), category_id)
            values[AssetCategory.name] = data.name.strip()
        if data.icon is not msgspec.UNSET:
            values[AssetCategory.icon] = data.icon
        if data.description is not msgspec.UNSET:
            values[AssetCategory.description] = data.description.strip()
        if data.trade is not msgspec.UNSET:
            values[AssetCategory.trade] = data.trade.value if data.trade else None
        if values:
            await AssetCategory.update(values).where(AssetCategory.id == category_id)
        after = await queries.get_category(category_id)
        old, new = audit.diff(_plain(before), _plain(after))
        await audit.record(
            actor=actor,
            action="asset_category.update",
            object_type="asset_category",
            object_id=category_id,
            summary=after.name,
            before=old,
            after=new,
        )
        return after


async def delete_category(*, actor: Principal, category_id: int) -> None:
    async with transaction():
        category = await queries.get_category(category_id)
        if category.asset_count:
            raise Conflict(_("Assets use this category; move them to another one first."))
        await AssetCategory.delete().where(AssetCategory.id == category_id)
        await audit.record(
            actor=actor,
            action="asset_category.delete",
            object_type="asset_category",
            object_id=category_id,
            summary=category.name,
            before=_plain(category),
        )

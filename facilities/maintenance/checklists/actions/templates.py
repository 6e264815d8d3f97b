"""Checklist templates: create, edit (new items make version n+1, immutable)."""

from __future__ import annotations

from typing import Any

import msgspec

from facilities.accounts import audit
from facilities.accounts.principal import Principal
from facilities.assets.tables import AssetCategory
from facilities.db import raw, transaction
from facilities.kit import clock
from facilities.kit.errors import Conflict, RuleViolation
from facilities.kit.i18n import _
from facilities.maintenance.checklists import queries
from facilities.maintenance.checklists.engine import normalise_items
from facilities.maintenance.checklists.schemas import (
    ChecklistTemplateCreate,
    ChecklistTemplateRead,
    ChecklistTemplateUpdate,
)
from facilities.maintenance.tables import (
    ChecklistTemplate,
    ChecklistTemplateVersion,
)


async def _check_template(name: str, category_id: int | None, template_id: int | None) -> None:
    if not name:
        raise RuleViolation("name", _("Give the checklist a name."))
    clash: Any = ChecklistTemplate.name == name
    if template_id is not None:
        clash = clash & (ChecklistTemplate.id != template_id)
    if await ChecklistTemplate.exists().where(clash):
        raise Conflict(_("A checklist with this name already exists."), field="name")
    if category_id is not None and not await AssetCategory.exists().where(
        AssetCategory.id == category_id
    ):
        raise RuleViolation("category_id", _("Unknown asset category."))


async def create_template(
    *, actor: Principal, data: ChecklistTemplateCreate
) -> ChecklistTemplateRead:
    name = " ".join(data.name.split())
    items = normalise_items(data.items)
    now = clock.now()
    async with transaction():
        await _check_template(name, data.category_id, None)
        template = ChecklistTemplate(
            name=name, category=data.category_id, active=data.active, created_at=now
        )
        await template.save()
        await ChecklistTemplateVersion.insert(
            ChecklistTemplateVersion(
                template=template.id,
                version=1,
                items=items,
                created_by=actor.user_id,
                created_at=now,
            )
        ).run()
        await audit.record(
            actor=actor,
            action="checklist_template.create",
            object_type="checklist_template",
            object_id=template.id,
            summary=name,
            after={"name": name, "category_id": data.category_id, "version": 1, "items": items},
        )
    return await queries.get_template(int(template.id))


async def update_template(
    *, actor: Principal, template_id: int, data: ChecklistTemplateUpdate
) -> ChecklistTemplateRead:
    """Name, category and active change in place; new items make version n+1 (immutable
    versions: work orders keep the one they were created with)."""
    async with transaction():
        await raw("UPDATE checklist_template SET name = name WHERE id = {}", template_id)
        before = await queries.get_template(template_id)
        if data.version is not msgspec.UNSET and data.version != before.version:
            raise Conflict(
                _("Someone saved a newer version of this checklist meanwhile. Reload it."),
                field="version",
            )
        name = before.name if data.name is msgspec.UNSET else " ".join(data.name.split())
        category_id = before.category_id if data.category_id is msgspec.UNSET else data.category_id
        active = before.active if data.active is msgspec.UNSET else data.active
        await _check_template(name, category_id, template_id)
        await ChecklistTemplate.update(
            {
                ChecklistTemplate.name: name,
                ChecklistTemplate.category: category_id,
                ChecklistTemplate.active: active,
            }
        ).where(ChecklistTemplate.id == template_id)
        old_items = [msgspec.to_builtins(i) for i in before.items]
        version = before.version
        new_items: list[dict[str, Any]] | None = None
        if data.items is not msgspec.UNSET:
            new_items = normalise_items(data.items)
            if new_items != old_items:
                version += 1
                await ChecklistTemplateVersion.insert(
                    ChecklistTemplateVersion(
                        template=template_id,
                        version=version,
                        items=new_items,
                        created_by=actor.user_id,
                        created_at=clock.now(),
                    )
                ).run()
        old: dict[str, Any] = {
            "name": before.name,
            "category_id": before.category_id,
            "active": before.active,
        }
        new: dict[str, Any] = {"name": name, "category_id": category_id, "active": active}
        old["version"], new["version"] = before.version, version
        if version != before.version:
            old["items"], new["items"] = old_items, new_items
        old_audit, new_audit = audit.diff(old, new)
        await audit.record(
            actor=actor,
            action="checklist_template.update",
            object_type="checklist_template",
            object_id=template_id,
            summary=f"{name} v{version}",
            before=old_audit,
            after=new_audit,
        )
        # Read back inside the transaction: a concurrent edit must not show in this answer.
        return await queries.get_template(template_id)

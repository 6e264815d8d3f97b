"""Checklist templates: create, edit (new items make version n+1, immutable)."""

from __future__ import annotations

import re
import unicodedata
from decimal import Decimal
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
from facilities.maintenance.checklists.schemas import (
    UNIT_KINDS,
    ChecklistTemplateCreate,
    ChecklistTemplateRead,
    ChecklistTemplateUpdate,
    ItemKind,
    ItemSpec,
)
from facilities.maintenance.tables import (
    ChecklistTemplate,
    ChecklistTemplateVersion,
)

LIMIT = Decimal("10000000000")  # Numeric(14, 4): |value| < 10^10
PLACES = Decimal("0.0001")


def _slug(label: str) -> str:
    ascii_label = unicodedata.normalize("NFKD", label).encode("ascii", "ignore").decode()
    slug = re.sub(r"[^a-z0-9]+", "_", ascii_label.lower()).strip("_")[:50]
    return slug or "item"


def _limit(value: Decimal | None, field: str) -> Decimal | None:
    if value is None:
        return None
    if not value.is_finite() or abs(value) >= LIMIT:
        raise RuleViolation(field, _("Enter a number below ten billion."))
    return queries.plain(value.quantize(PLACES))


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
    return await queries.get_template(template_id)

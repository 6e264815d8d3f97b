"""Inspection templates: create, edit (a new version when the items change), copy a
starter template shipped as data."""

from __future__ import annotations

import json
from typing import Any

import msgspec

from facilities import db
from facilities.accounts import audit
from facilities.accounts.principal import Principal
from facilities.kit import clock
from facilities.kit.errors import Conflict, RuleViolation
from facilities.kit.i18n import _
from facilities.kit.rows import dict_rows
from facilities.maintenance.checklists.engine import normalise_scored_items
from facilities.maintenance.checklists.schemas import ScoredItemSpec
from facilities.safety.inspections import queries, starters
from facilities.safety.inspections.schemas import TemplateCreate, TemplateRead, TemplateUpdate

LANGUAGES = ("en", "de")


def _name(name: str) -> str:
    text = " ".join(name.split())
    if not text:
        raise RuleViolation("name", _("Give the template a name."))
    return text


def _language(language: str) -> str:
    if language not in LANGUAGES:
        raise RuleViolation("language", _("The language must be English or German."))
    return language


async def _category(category_id: int | None) -> None:
    if category_id is not None and not await dict_rows(
        "SELECT id FROM asset_category WHERE id = {}", category_id
    ):
        raise RuleViolation("category_id", _("This asset category does not exist."))


async def _insert_version(
    template_id: int, version: int, items: list[dict[str, Any]], actor: Principal | None
) -> None:
    await db.raw(
        "INSERT INTO inspection_template_version (template, version, items, created_by,"
        " created_at) VALUES ({}, {}, {}, {}, {})",
        template_id,
        version,
        json.dumps(items),
        actor.user_id if actor else None,
        clock.now(),
    )


async def create_template(
    *, actor: Principal | None, data: TemplateCreate, starter: str = ""
) -> TemplateRead:
    """A new template with version 1 (422 naming ``items[i].x`` on a bad item)."""
    name = _name(data.name)
    language = _language(data.language)
    items = normalise_scored_items(data.items)
    await _category(data.category_id)
    async with db.transaction():
        rows = await db.raw(
            "INSERT INTO inspection_template (name, language, category, starter, active,"
            " created_at) VALUES ({}, {}, {}, {}, {}, {}) RETURNING id",
            name,
            language,
            data.category_id,
            starter,
            True,
            clock.now(),
        )
        template_id = int(rows[0]["id"])
        await _insert_version(template_id, 1, items, actor)
        await audit.record(
            actor=actor,
            action="inspection_template.create",
            object_type="inspection_template",
            object_id=template_id,
            summary=name,
            after={"name": name, "items": len(items), "starter": starter},
        )
    return await queries.get_template(actor, template_id)  # type: ignore[arg-type]


async def update_template(
    *, actor: Principal, template_id: int, data: TemplateUpdate
) -> TemplateRead:
    """Rename, change the language or the asset category, (de)activate, or give new items:
    version n+1 (inspections started on an older version keep it). Name, language,
    category and active belong to the template, not to a version: changing them alone
    makes no new version. A stale ``version`` answers 409; an unknown language or category
    422 naming the field, and nothing is saved."""
    async with db.transaction():
        before = await queries.get_template(actor, template_id)
        await db.raw(
            "UPDATE inspection_template SET name = name WHERE id = {}", template_id
        )  # holds the row: two edits cannot both make version n+1
        current = await queries.get_template(actor, template_id)
        if isinstance(data.version, int) and data.version != current.version:
            raise Conflict(
                _("Someone saved version %(v)s of this template meanwhile. Reload it.")
                % {"v": current.version},
                field="version",
            )
        changes: dict[str, object] = {}
        if isinstance(data.name, str):
            changes["name"] = _name(data.name)
            await db.raw(
                "UPDATE inspection_template SET name = {} WHERE id = {}",
                changes["name"],
                template_id,
            )
        if isinstance(data.language, str) and data.language != current.language:
            changes["language"] = _language(data.language)
            await db.raw(
                "UPDATE inspection_template SET language = {} WHERE id = {}",
                changes["language"],
                template_id,
            )
        if data.category_id is not msgspec.UNSET and data.category_id != current.category_id:
            await _category(data.category_id)
            changes["category_id"] = data.category_id
            await db.raw(
                "UPDATE inspection_template SET category = {} WHERE id = {}",
                data.category_id,
                template_id,
            )
        if isinstance(data.active, bool):
            changes["active"] = data.active
            await db.raw(
                "UPDATE inspection_template SET active = {} WHERE id = {}", data.active, template_id
            )
        if isinstance(data.items, list):
            items = normalise_scored_items(data.items)
            await _insert_version(template_id, current.version + 1, items, actor)
            changes["version"] = current.version + 1
        await audit.record(
            actor=actor,
            action="inspection_template.update",
            object_type="inspection_template",
            object_id=template_id,
            summary=str(changes.get("name", before.name)),
            before={
                "name": before.name,
                "language": before.language,
                "category_id": before.category_id,
                "active": before.active,
                "version": before.version,
            },
            after=changes,
        )
    return await queries.get_template(actor, template_id)


async def copy_starter(*, actor: Principal | None, key: str, language: str) -> TemplateRead:
    """An editable copy of a starter template shipped as data, in English or German."""
    found = starters.starter(key, _language(language))
    if found is None:
        raise RuleViolation("key", _("There is no starter template of this name."))
    name, items = found
    return await create_template(
        actor=actor,
        data=TemplateCreate(
            name=name, language=language, items=[msgspec.convert(i, ScoredItemSpec) for i in items]
        ),
        starter=key,
    )

"""Pages of the inspection template editor (ops): new, edit, version history.

**The editor's form.** A plain server-rendered form; each item is a row of fields named
``items-<n>-<field>`` (the checklist editor's convention), ``rows`` says how many rows the
page had. Fields of a row: ``key`` (hidden, stable across versions), ``section``, ``label``,
``kind``, ``unit``, ``min``, ``max``, ``required``, ``weight``, ``critical``, ``options``
(one per line), the answers that fail the item as ticked choices (``fail_yes_no``: ``yes``
and/or ``no`` of a yes/no item, shown as "Yes"/"No" in the reader's language;
``fail_choice``: options of a multiple-choice item, kept in step with the options by the
script; the API takes the same codes as ``fail_answers``), ``show_if_answers``
(comma-separated answers), ``show_if`` (the number of the earlier row the follow-up
depends on) and ``remove``. Language and asset category can be changed on an existing
template too (the template's own fields: no new version by themselves).
Blank and removed rows are dropped; the rest become the API's ``items`` and go through the
same actions as ``POST/PATCH /api/v1/safety/templates``. ``action=add`` shows three more
empty rows without saving (``/static/template-editor.js`` adds and removes rows in place
and shows only the fields the item's kind uses; without it every field shows). Bad input
re-renders the form with everything as typed and the message next to the field.
"""

from __future__ import annotations

import re
from typing import Any

import msgspec
from litestar import Controller, get, post
from litestar.params import FromPath
from litestar.response import Response, Template

from facilities.accounts.principal import actor
from facilities.kit import validation
from facilities.kit.errors import FacilitiesError
from facilities.kit.i18n import _
from facilities.kit.templating import page, redirect
from facilities.kit.web import Form, Req
from facilities.maintenance.checklists.schemas import INSPECTION_KINDS, ITEM_KIND_LABELS, ItemKind
from facilities.safety.inspections import actions, queries
from facilities.safety.inspections.schemas import (
    TemplateCreate,
    TemplateRead,
    TemplateUpdate,
)

BLANK_ROWS = 2
MAX_ROWS = 200
KINDS = [k for k in ItemKind if k in INSPECTION_KINDS]
_TEXT: tuple[str, ...] = ("key", "section", "label", "kind", "unit", "min", "max", "weight")
_TEXT += ("options", "show_if", "show_if_answers")
_FAILS = ("fail_yes_no", "fail_choice")  # ticked choices, one list per kind that uses one
_AT = re.compile(r"^(?P<message>.*?) - at `\$\.(?P<field>[^`]+)`$")
_ITEM_INDEX = re.compile(r"^items\[(\d+)\]")


def kind_labels() -> dict[str, str]:
    return {k.value: _(ITEM_KIND_LABELS[k]) for k in KINDS}


def yes_no_labels() -> dict[str, str]:
    """The answers of a yes/no item, as the failing-answer choices show them."""
    return {"yes": _("Yes"), "no": _("No")}


def _all(form: Any, name: str) -> list[str]:
    """Every value of a repeated field (ticked checkboxes), from either form type."""
    if hasattr(form, "getall"):
        values = form.getall(name, [])
    else:
        value = form.get(name)
        values = value if isinstance(value, list) else [] if value is None else [value]
    return [str(v).strip() for v in values if str(v).strip()][:30]


def option_list(text: str) -> list[str]:
    """A row's answer options (one per line) as the editor offers them to tick."""
    return _split(text, lines=True)


def _split(text: str, *, lines: bool = False) -> list[str]:
    parts = text.splitlines() if lines else text.replace("\n", ",").split(",")
    return [p.strip() for p in parts if p.strip()]


def _blank() -> dict[str, Any]:
    row: dict[str, Any] = dict.fromkeys(_TEXT, "")
    row.update({"kind": ItemKind.pass_fail_na.value, "weight": "1", "required": True})
    row.update({"critical": False, "remove": False, "fail_yes_no": ["no"], "fail_choice": []})
    return row


def entered_rows(form: Any) -> list[dict[str, Any]]:
    """The editor's rows as typed (for showing the form again, nothing lost)."""
    raw = str(form.get("rows") or "")
    count = min(int(raw), MAX_ROWS) if raw.isdigit() and len(raw) < 5 else 0
    rows: list[dict[str, Any] | None] = []
    for index in range(count):
        prefix = f"items-{index}-"
        if not any(str(k).startswith(prefix) for k in form):
            rows.append(None)  # removed on the page by the script: keeps the numbering
            continue
        row: dict[str, Any] = {f: str(form.get(prefix + f) or "").strip() for f in _TEXT}
        for flag in ("required", "critical", "remove"):
            row[flag] = form.get(prefix + flag) == "on"
        for name in _FAILS:
            row[name] = _all(form, prefix + name)
        rows.append(row)
    return [r if r is not None else {**_blank(), "gone": True} for r in rows]


def _used(row: dict[str, Any]) -> bool:
    return not row.get("gone") and not row["remove"] and bool(row["label"] or row["key"])


def items_of(rows: list[dict[str, Any]]) -> tuple[list[dict[str, Any]], list[int]]:
    """Rows → the API's items (blank and removed rows dropped) and each item's row."""
    keys: dict[int, str] = {}
    for index, row in enumerate(rows):
        if _used(row):
            keys[index] = row["key"] or ""
    parents = {
        int(r["show_if"]) - 1
        for r in rows
        if _used(r) and r["show_if"].isdigit() and len(r["show_if"]) < 4
    }
    for index in parents:  # a new row that a follow-up depends on needs its key now
        if index in keys and not keys[index]:
            keys[index] = f"item_{index + 1}"
    items, origin = [], []
    for index, row in enumerate(rows):
        if index not in keys:
            continue
        item: dict[str, Any] = {
            "label": row["label"],
            "kind": row["kind"] or ItemKind.pass_fail_na.value,
            "section": row["section"],
            "unit": row["unit"],
            "required": row["required"],
            "critical": row["critical"],
            "options": _split(row["options"], lines=True),
            "fail_answers": row["fail_yes_no"]
            if row["kind"] == ItemKind.yes_no.value
            else row["fail_choice"]
            if row["kind"] == ItemKind.choice.value
            else [],
            "show_if_answers": _split(row["show_if_answers"]),
        }
        if keys[index]:
            item["key"] = keys[index]
        item["weight"] = row["weight"].replace(",", ".") or "1"
        for name in ("min", "max"):
            if row[name]:
                item[name] = row[name].replace(",", ".")
        if row["show_if"]:
            parent = int(row["show_if"]) - 1 if row["show_if"].isdigit() else -1
            # an unknown or later row: the engine's "must depend on an earlier item"
            item["show_if_item"] = keys.get(parent) or "unknown_item"
        items.append(item)
        origin.append(index)
    return items, origin


def _convert(values: dict[str, Any], schema: type[Any]) -> tuple[Any, dict[str, str]]:
    """The payload as the schema, or the message under its full field path
    (``items[2].weight``), never msgspec's words."""
    try:
        return msgspec.convert(values, schema, strict=False), {}
    except msgspec.ValidationError as error:
        text = str(error)
        match = _AT.match(text)
        if match is None:
            return None, {"form": validation.friendly(text)}
        return None, {match.group("field"): validation.friendly(text)}


def _row_errors(errors: dict[str, str], origin: list[int]) -> dict[str, str]:
    """``items[2].min`` (of the compacted list) → ``items[5].min`` (the row on the page)."""
    result = {}
    for field, message in errors.items():
        match = _ITEM_INDEX.match(field)
        if match and int(match.group(1)) < len(origin):
            field = f"items[{origin[int(match.group(1))]}]" + field[match.end() :]
        result[field] = message
    return result


def _error_map(error: FacilitiesError) -> dict[str, str]:
    if error.status_code in (403, 404):
        raise error
    return {f.field: f.message for f in error.fields} or {"form": error.message}


def template_rows(template: TemplateRead) -> list[dict[str, Any]]:
    position = {item.key: n for n, item in enumerate(template.items)}
    rows = []
    for item in template.items:
        parent = position.get(item.show_if_item or "")
        rows.append(
            {
                "key": item.key,
                "section": item.section,
                "label": item.label,
                "kind": item.kind.value,
                "unit": item.unit,
                "min": "" if item.min is None else str(item.min),
                "max": "" if item.max is None else str(item.max),
                "weight": str(item.weight),
                "options": "\n".join(item.options),
                "fail_yes_no": list(item.fail_answers) if item.kind is ItemKind.yes_no else ["no"],
                "fail_choice": list(item.fail_answers) if item.kind is ItemKind.choice else [],
                "show_if": "" if parent is None else str(parent + 1),
                "show_if_answers": ", ".join(item.show_if_answers),
                "required": item.required,
                "critical": item.critical,
                "remove": False,
            }
        )
    return rows


def _category_value(text: str) -> int | str | None:
    """The category field: empty is "any category"; anything else goes to the schema, which
    names the field when it is not a valid id."""
    if not text:
        return None
    return int(text) if text.isdigit() and len(text) < 19 else text


def _pad(rows: list[dict[str, Any]], blank: int = BLANK_ROWS) -> list[dict[str, Any]]:
    return rows + [_blank() for _ in range(max(0, min(blank, MAX_ROWS - len(rows))))]


class TemplateEditorPages(Controller):
    include_in_schema = False

    async def _form(
        self,
        request: Req,
        template: TemplateRead | None,
        values: dict[str, Any],
        rows: list[dict[str, Any]],
        errors: dict[str, str],
        status: int = 200,
    ) -> Template:
        me = actor(request)
        options = await queries.programme_form_options(me)
        return page(
            request,
            "safety/template_form.html",
            {
                "template": template,
                "values": values,
                "rows": rows,
                "errors": errors,
                "categories": options["categories"],
                "kinds": [k.value for k in KINDS],
                "kind_labels": kind_labels(),
                "yes_no_labels": yes_no_labels(),
                "option_list": option_list,
                "blank": _blank(),
            },
            status_code=status,
        )

    @get("/safety/templates/new", opt={"permission": "safety.manage"})
    async def new_page(self, request: Req) -> Template:
        me = actor(request)
        language = "de" if (me.locale or "en").startswith("de") else "en"
        values = {"language": language, "name": "", "category_id": "", "active": True}
        return await self._form(request, None, values, _pad([], 3), {})

    def _entered(self, form: Any) -> tuple[dict[str, Any], list[dict[str, Any]]]:
        values = {
            "name": str(form.get("name") or "").strip(),
            "language": str(form.get("language") or "en"),
            "category_id": str(form.get("category_id") or "").strip(),
            "active": form.get("active") == "on",
            "version": str(form.get("version") or "").strip(),
        }
        return values, entered_rows(form)

    @post("/safety/templates/new", opt={"permission": "safety.manage", "form": TemplateCreate})
    async def create(self, request: Req, data: Form) -> Response[Any]:
        values, rows = self._entered(data)
        if data.get("action") == "add":
            return await self._form(request, None, values, _pad(rows, 3), {})
        items, origin = items_of(rows)
        payload = {
            "name": values["name"],
            "language": values["language"],
            "items": items,
            "category_id": _category_value(values["category_id"]),
        }
        created, errors = _convert(payload, TemplateCreate)
        status = 422
        if created is not None:
            try:
                template = await actions.create_template(actor=actor(request), data=created)
                return redirect(
                    f"/safety/templates/{template.id}",
                    _("Template created: %(name)s") % {"name": template.name},
                )
            except FacilitiesError as error:
                errors = _error_map(error)
                status = error.status_code
        return await self._form(
            request, None, values, _pad(rows, 0), _row_errors(errors, origin), status
        )

    @get("/safety/templates/{template_id:int}", opt={"permission": "safety.manage"})
    async def edit_page(self, request: Req, template_id: FromPath[int]) -> Template:
        template = await queries.get_template(actor(request), template_id)
        values = {
            "name": template.name,
            "language": template.language,
            "category_id": str(template.category_id or ""),
            "active": template.active,
            "version": str(template.version),
        }
        return await self._form(request, template, values, _pad(template_rows(template)), {})

    @post(
        "/safety/templates/{template_id:int}",
        opt={"permission": "safety.manage", "form": TemplateUpdate},
    )
    async def update(self, request: Req, template_id: FromPath[int], data: Form) -> Response[Any]:
        me = actor(request)
        template = await queries.get_template(me, template_id)
        values, rows = self._entered(data)
        if data.get("action") == "add":
            return await self._form(request, template, values, _pad(rows, 3), {})
        items, origin = items_of(rows)
        payload: dict[str, Any] = {"name": values["name"], "active": values["active"]}
        if "language" in data:  # the page's form (its category "any" is an empty value,
            # which the form parser drops): language and category are both on it
            payload["language"] = values["language"]
            payload["category_id"] = _category_value(values["category_id"])
        if "rows" in data:  # a post without rows renames or (de)activates only
            payload["items"] = items
        if values["version"].isdigit() and len(values["version"]) < 10:
            payload["version"] = int(values["version"])
        change, errors = _convert(payload, TemplateUpdate)
        status = 422
        if change is not None:
            try:
                saved = await actions.update_template(
                    actor=me, template_id=template_id, data=change
                )
                return redirect(
                    f"/safety/templates/{template_id}",
                    _("Template saved (version %(version)d).") % {"version": saved.version},
                )
            except FacilitiesError as error:
                errors = _error_map(error)
                status = error.status_code
        return await self._form(
            request, template, values, _pad(rows, 0), _row_errors(errors, origin), status
        )

    @get("/safety/templates/{template_id:int}/versions", opt={"permission": "safety.manage"})
    async def versions_page(self, request: Req, template_id: FromPath[int]) -> Template:
        me = actor(request)
        return page(
            request,
            "safety/template_versions.html",
            {
                "template": await queries.get_template(me, template_id),
                "versions": await queries.list_versions(me, template_id),
                "kind_labels": kind_labels(),
            },
        )

"""Pages of the inspection template editor and the inspection programmes (ops).

**The editor's form.** A plain server-rendered form; each item is a row of fields named
``items-<n>-<field>`` (the checklist editor's convention), ``rows`` says how many rows the
page had. Fields of a row: ``key`` (hidden, stable across versions), ``section``, ``label``,
``kind``, ``unit``, ``min``, ``max``, ``required``, ``weight``, ``critical``, ``options``
(one per line), ``fail_answers`` and ``show_if_answers`` (comma-separated answers),
``show_if`` (the number of the earlier row the follow-up depends on) and ``remove``.
Blank and removed rows are dropped; the rest become the API's ``items`` and go through the
same actions as ``POST/PATCH /api/v1/safety/templates``. ``action=add`` shows three more
empty rows without saving (``/static/template-editor.js`` adds and removes rows in place
and shows only the fields the item's kind uses; without it every field shows). Bad input
re-renders the form with everything as typed and the message next to the field.
"""

from __future__ import annotations

import re
from datetime import timedelta
from typing import Any

import msgspec
from litestar import Controller, get, post
from litestar.params import FromPath, FromQuery
from litestar.response import Response, Template

from facilities.accounts.principal import actor
from facilities.kit import clock, forms, recurrence_form, validation
from facilities.kit.errors import FacilitiesError
from facilities.kit.i18n import _
from facilities.kit.templating import page, redirect
from facilities.kit.web import Form, Req
from facilities.maintenance.checklists.schemas import INSPECTION_KINDS, ITEM_KIND_LABELS, ItemKind
from facilities.safety.inspections import actions, queries
from facilities.safety.inspections.schemas import (
    SCOPE_LABELS,
    ProgrammeCreate,
    ProgrammeScope,
    ProgrammeUpdate,
    TemplateCreate,
    TemplateRead,
    TemplateUpdate,
)

BLANK_ROWS = 2
MAX_ROWS = 200
KINDS = [k for k in ItemKind if k in INSPECTION_KINDS]
_TEXT: tuple[str, ...] = ("key", "section", "label", "kind", "unit", "min", "max", "weight")
_TEXT += ("options", "fail_answers", "show_if", "show_if_answers")
_AT = re.compile(r"^(?P<message>.*?) - at `\$\.(?P<field>[^`]+)`$")
_ITEM_INDEX = re.compile(r"^items\[(\d+)\]")


def kind_labels() -> dict[str, str]:
    return {k.value: _(ITEM_KIND_LABELS[k]) for k in KINDS}


def _split(text: str, *, lines: bool = False) -> list[str]:
    parts = text.splitlines() if lines else text.replace("\n", ",").split(",")
    return [p.strip() for p in parts if p.strip()]


def _blank() -> dict[str, Any]:
    row: dict[str, Any] = dict.fromkeys(_TEXT, "")
    row.update({"kind": ItemKind.pass_fail_na.value, "weight": "1", "required": True})
    row.update({"critical": False, "remove": False})
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
            "fail_answers": _split(row["fail_answers"]),
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
                "fail_answers": ", ".join(item.fail_answers)
                if item.kind is not ItemKind.yes_no or item.fail_answers != ["no"]
                else "no",
                "show_if": "" if parent is None else str(parent + 1),
                "show_if_answers": ", ".join(item.show_if_answers),
                "required": item.required,
                "critical": item.critical,
                "remove": False,
            }
        )
    return rows


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
            "category_id": int(values["category_id"])
            if values["category_id"].isdigit() and len(values["category_id"]) < 10
            else None,
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


# ---- programmes --------------------------------------------------------------------------


def _assignee_labels() -> dict[str, str]:
    return {
        "community_manager": _("The site's community manager"),
        "ops_manager": _("The ops manager"),
    }


def programme_values(form: Any) -> dict[str, Any]:
    """The posted programme form as plain values (lists for the repeated checkboxes)."""
    values = forms.clean({k: form.get(k) for k in form})
    for key in ("weekdays", "months"):
        values[key] = [v for v in form.getall(key, []) if v]
    values["skip_closed_days"] = form.get("skip_closed_days") == "on"
    values["active"] = form.get("active") == "on"
    values.setdefault("scope", ProgrammeScope.site.value)
    values.setdefault("assignee", "role")
    start = values.get("dtstart_local")
    if isinstance(start, str) and len(start) == 16:  # <input type="datetime-local">
        values["dtstart_local"] = start + ":00"
    return values


def programme_payload(values: dict[str, Any]) -> tuple[dict[str, Any], dict[str, str]]:
    """The API payload for the form: the rule built by the recurrence editor, only the
    target and the assignee the form chose."""
    payload: dict[str, Any] = {
        k: values.get(k)
        for k in ("name", "template_id", "scope", "dtstart_local", "lead_days")
        if values.get(k) not in (None, "")
    }
    payload["name"] = values.get("name", "")
    payload["skip_closed_days"] = values["skip_closed_days"]
    scope = values.get("scope")
    payload["site_id"] = values.get("site_id") if scope == "site" else None
    payload["region_id"] = values.get("region_id") if scope in ("region", "category") else None
    payload["category_id"] = values.get("category_id") if scope == "category" else None
    assignee = values.get("assignee")
    payload["assignee_role"] = values.get("assignee_role", "") if assignee == "role" else ""
    payload["assignee_partner_id"] = (
        values.get("assignee_partner_id") if assignee == "partner" else None
    )
    payload["assignee_user_id"] = values.get("assignee_user_id") if assignee == "user" else None
    if assignee == "partner" and not payload["assignee_partner_id"]:
        return payload, {"assignee_partner_id": _("Choose the partner.")}
    if assignee == "user" and not payload["assignee_user_id"]:
        return payload, {"assignee_user_id": _("Choose the person.")}
    try:
        payload["rrule"] = recurrence_form.rule_from_values(values)
    except FacilitiesError as error:
        return payload, forms.errors_of(error)
    return payload, {}


def programme_form_values(programme: Any) -> dict[str, Any]:
    values = msgspec.structs.asdict(programme)
    values["dtstart_local"] = programme.dtstart_local[:16]
    values["scope"] = programme.scope.value
    if programme.assignee_partner_id:
        values["assignee"] = "partner"
    elif programme.assignee_user_id:
        values["assignee"] = "user"
    else:
        values["assignee"] = "role"
    values.update(recurrence_form.values_from_rule(programme.rrule))
    return values


class ProgrammePages(Controller):
    include_in_schema = False

    @get("/safety/programmes", opt={"permission": "safety.manage"})
    async def list_page(self, request: Req) -> Template:
        me = actor(request)
        options = await queries.programme_form_options(me)
        return page(
            request,
            "safety/programmes.html",
            {
                "programmes": await queries.list_programmes(me),
                "names": {
                    kind: {r["id"]: r["name"] for r in options[kind]}
                    for kind in ("sites", "regions", "categories", "partners", "people")
                },
                "scope_labels": {k.value: _(v) for k, v in SCOPE_LABELS.items()},
                "assignee_labels": _assignee_labels(),
            },
        )

    async def _form(
        self,
        request: Req,
        values: dict[str, Any],
        errors: dict[str, str],
        *,
        programme_id: int | None = None,
        status: int = 200,
    ) -> Template:
        return page(
            request,
            "safety/programme_form.html",
            {
                **await queries.programme_form_options(actor(request)),
                "values": values,
                "errors": errors,
                "programme_id": programme_id,
                "scope_labels": {k.value: _(v) for k, v in SCOPE_LABELS.items()},
                "assignee_labels": _assignee_labels(),
                "rec": recurrence_form.choices(),
            },
            status_code=status,
        )

    @get("/safety/programmes/new", opt={"permission": "safety.manage"})
    async def new_page(self, request: Req, template_id: FromQuery[int | None] = None) -> Template:
        start = (clock.now() + timedelta(days=1)).replace(hour=9, minute=0, second=0)
        values: dict[str, Any] = {
            "scope": "site",
            "frequency": "monthly",
            "interval": 1,
            "dtstart_local": start.strftime("%Y-%m-%dT%H:%M"),
            "lead_days": 7,
            "skip_closed_days": True,
            "assignee": "role",
            "assignee_role": "community_manager",
            "template_id": template_id,
            "active": True,
        }
        return await self._form(request, values, {})

    @post("/safety/programmes/new", opt={"permission": "safety.manage", "form": ProgrammeCreate})
    async def create(self, request: Req) -> Response[Any]:
        values = programme_values(await request.form())
        payload, errors = programme_payload(values)
        if not errors:
            created, errors = forms.convert(payload, ProgrammeCreate)
            if created is not None:
                try:
                    saved = await actions.create_programme(actor=actor(request), data=created)
                    return redirect(
                        "/safety/programmes",
                        _("Programme saved: %(name)s") % {"name": saved.name},
                    )
                except FacilitiesError as error:
                    errors = forms.errors_of(error)
        return await self._form(request, values, errors, status=422)

    @get("/safety/programmes/{programme_id:int}", opt={"permission": "safety.manage"})
    async def edit_page(self, request: Req, programme_id: FromPath[int]) -> Template:
        programme = await queries.get_programme(actor(request), programme_id)
        values = programme_form_values(programme)
        return await self._form(request, values, {}, programme_id=programme_id)

    @post(
        "/safety/programmes/{programme_id:int}",
        opt={"permission": "safety.manage", "form": ProgrammeUpdate},
    )
    async def update(self, request: Req, programme_id: FromPath[int]) -> Response[Any]:
        me = actor(request)
        await queries.get_programme(me, programme_id)  # 404 before reading the form
        values = programme_values(await request.form())
        payload, errors = programme_payload(values)
        payload["active"] = values["active"]
        if not errors:
            change, errors = forms.convert(payload, ProgrammeUpdate)
            if change is not None:
                try:
                    saved = await actions.update_programme(
                        actor=me, programme_id=programme_id, data=change
                    )
                    return redirect(
                        "/safety/programmes",
                        _("Programme saved: %(name)s") % {"name": saved.name},
                    )
                except FacilitiesError as error:
                    errors = forms.errors_of(error)
        return await self._form(request, values, errors, programme_id=programme_id, status=422)

    @post("/safety/programmes/generate", opt={"permission": "safety.manage"})
    async def generate(self) -> Response[Any]:
        result = await actions.generate_due()
        return redirect(
            "/safety/programmes",
            _("%(n)d inspection(s) created.") % {"n": result.created},
        )

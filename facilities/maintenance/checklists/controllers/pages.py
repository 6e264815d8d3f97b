"""Checklist pages: the template editor for ops (works without JavaScript: rows of fields),
and a work order's checklist, phone first, one small form per item (each answer is saved
on its own, so a flaky connection loses at most one answer; photos post as files).

``view.checklist_context`` gives the work-order page what its ``_checklist.html`` partial
needs.
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
from facilities.kit.errors import FacilitiesError, RuleViolation
from facilities.kit.i18n import _
from facilities.kit.templating import page, redirect
from facilities.kit.web import Form, Multipart, Req, optional_upload, stored_file_response
from facilities.maintenance.checklists import actions, queries
from facilities.maintenance.checklists.schemas import (
    CHECKLIST_KINDS,
    AnswerUpdate,
    ChecklistTemplateCreate,
    ChecklistTemplateRead,
    ChecklistTemplateUpdate,
    ItemKind,
)
from facilities.maintenance.checklists.view import checklist_context, labels

BLANK_ROWS = 3
MAX_ROWS = 200
_ROW_FIELDS = ("key", "label", "kind", "unit", "min", "max")
_AT = re.compile(r"^(?P<message>.*?) - at `\$\.(?P<field>[^`]+)`$")
_ITEM_INDEX = re.compile(r"^items\[(\d+)\]")
ITEM_PATH = "/work-orders/{work_order_id:int}/checklist/items/{item_id:int}"


# ---- the template editor ------------------------------------------------------------


def _convert(values: dict[str, Any], schema: type[Any]) -> tuple[Any, dict[str, str]]:
    try:
        return msgspec.convert(values, schema, strict=False), {}
    except msgspec.ValidationError as error:
        text = str(error)
        match = _AT.match(text)
        if match is None:
            return None, {"form": validation.friendly(text)}
        return None, {match.group("field"): validation.friendly(text)}


def _rows(form: dict[str, Any]) -> list[dict[str, Any]]:
    """The editor's rows as entered (for showing the form again)."""
    raw_count = str(form.get("rows") or "")
    count = min(int(raw_count), MAX_ROWS) if raw_count.isdigit() else 0
    rows = []
    for index in range(count):
        row: dict[str, Any] = {
            f: str(form.get(f"items-{index}-{f}") or "").strip() for f in _ROW_FIELDS
        }
        row["required"] = form.get(f"items-{index}-required") == "on"
        row["remove"] = form.get(f"items-{index}-remove") == "on"
        rows.append(row)
    return rows


def _items(rows: list[dict[str, Any]]) -> tuple[list[dict[str, Any]], list[int]]:
    """Rows → item dicts (blank and removed rows dropped) and each item's row number."""
    items, origin = [], []
    for index, row in enumerate(rows):
        if row["remove"] or not (row["label"] or row["key"]):
            continue
        item: dict[str, Any] = {
            "label": row["label"],
            "kind": row["kind"] or "checkbox",
            "unit": row["unit"],
            "required": row["required"],
        }
        if row["key"]:
            item["key"] = row["key"]
        for name in ("min", "max"):
            if row[name]:
                item[name] = row[name].replace(",", ".")
        items.append(item)
        origin.append(index)
    return items, origin


def _row_errors(errors: dict[str, str], origin: list[int]) -> dict[str, str]:
    """``items[2].min`` (the compacted list) → ``items[5].min`` (the row on the page)."""
    result = {}
    for field, message in errors.items():
        match = _ITEM_INDEX.match(field)
        if match and int(match.group(1)) < len(origin):
            field = f"items[{origin[int(match.group(1))]}]" + field[match.end() :]
        result[field] = message
    return result


def _template_rows(template: ChecklistTemplateRead | None) -> list[dict[str, Any]]:
    rows = []
    for item in template.items if template else []:
        rows.append(
            {
                "key": item.key,
                "label": item.label,
                "kind": item.kind.value,
                "unit": item.unit,
                "min": "" if item.min is None else str(item.min),
                "max": "" if item.max is None else str(item.max),
                "required": item.required,
                "remove": False,
            }
        )
    return rows


def _pad(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    blank = {f: "" for f in _ROW_FIELDS} | {"kind": "checkbox", "required": True, "remove": False}
    return rows + [dict(blank) for _ in range(BLANK_ROWS)]


class ChecklistPages(Controller):
    include_in_schema = False

    @get("/checklist-templates", opt={"permission": "checklists.manage"})
    async def list_page(self, request: Req) -> Template:
        return page(
            request,
            "maintenance/checklists/list.html",
            {"templates": await queries.list_templates(), **labels()},
        )

    async def _form(
        self,
        request: Req,
        template: ChecklistTemplateRead | None,
        values: dict[str, Any],
        rows: list[dict[str, Any]],
        errors: dict[str, str],
        status: int = 200,
    ) -> Template:
        categories = await queries.category_choices()
        versions = await queries.list_versions(template.id) if template else []
        return page(
            request,
            "maintenance/checklists/form.html",
            {
                "template": template,
                "values": values,
                "rows": rows,
                "errors": errors,
                "categories": categories,
                "kinds": [k.value for k in ItemKind if k in CHECKLIST_KINDS],
                "versions": versions,
                **labels(),
            },
            status_code=status,
        )

    @get("/checklist-templates/new", opt={"permission": "checklists.manage"})
    async def new_page(self, request: Req) -> Template:
        return await self._form(request, None, {"active": True}, _pad([]), {})

    def _entered(self, data: dict[str, Any]) -> tuple[dict[str, Any], list[dict[str, Any]]]:
        values = {
            "name": str(data.get("name") or "").strip(),
            "category_id": str(data.get("category_id") or "").strip(),
            "active": data.get("active") == "on",
            "version": str(data.get("version") or "").strip(),
        }
        return values, _rows(data)

    def _payload(self, values: dict[str, Any], items: list[dict[str, Any]]) -> dict[str, Any]:
        payload: dict[str, Any] = {
            "name": values["name"],
            "category_id": int(values["category_id"]) if values["category_id"].isdigit() else None,
            "active": values["active"],
            "items": items,
        }
        return payload

    @post(
        "/checklist-templates/new",
        opt={"permission": "checklists.manage", "form": ChecklistTemplateCreate},
    )
    async def create(self, request: Req, data: Form) -> Response[Any]:
        values, rows = self._entered(data)
        items, origin = _items(rows)
        created, errors = _convert(self._payload(values, items), ChecklistTemplateCreate)
        status = 422
        if created is not None:
            try:
                template = await actions.create_template(actor=actor(request), data=created)
                return redirect(
                    f"/checklist-templates/{template.id}",
                    _("Checklist created: %(name)s") % {"name": template.name},
                )
            except FacilitiesError as error:
                errors = {f.field: f.message for f in error.fields} or {"form": error.message}
                status = error.status_code
        return await self._form(
            request, None, values, _pad(rows), _row_errors(errors, origin), status
        )

    @get("/checklist-templates/{template_id:int}", opt={"permission": "checklists.manage"})
    async def edit_page(self, request: Req, template_id: FromPath[int]) -> Template:
        template = await queries.get_template(template_id)
        values = {
            "name": template.name,
            "category_id": str(template.category_id or ""),
            "active": template.active,
            "version": str(template.version),
        }
        return await self._form(request, template, values, _pad(_template_rows(template)), {})

    @post(
        "/checklist-templates/{template_id:int}",
        opt={"permission": "checklists.manage", "form": ChecklistTemplateUpdate},
    )
    async def update(self, request: Req, template_id: FromPath[int], data: Form) -> Response[Any]:
        template = await queries.get_template(template_id)
        values, rows = self._entered(data)
        items, origin = _items(rows)
        payload = self._payload(values, items)
        if values["version"].isdigit():
            payload["version"] = int(values["version"])
        change, errors = _convert(payload, ChecklistTemplateUpdate)
        status = 422
        if change is not None:
            try:
                saved = await actions.update_template(
                    actor=actor(request), template_id=template_id, data=change
                )
                return redirect(
                    f"/checklist-templates/{template_id}",
                    _("Checklist saved (version %(version)d).") % {"version": saved.version},
                )
            except FacilitiesError as error:
                if error.status_code == 404:
                    raise
                errors = {f.field: f.message for f in error.fields} or {"form": error.message}
                status = error.status_code
        return await self._form(
            request, template, values, _pad(rows), _row_errors(errors, origin), status
        )

    # ---- a work order's checklist -------------------------------------------------------

    async def _checklist_page(
        self, request: Req, work_order_id: int, errors: dict[int | str, str], status: int = 200
    ) -> Template:
        me = actor(request)
        order = await queries.order_in_scope(me, work_order_id)
        context = await checklist_context(me, work_order_id)
        context.update({"cl_errors": errors, "cl_back": "checklist", "work_order": order})
        return page(request, "maintenance/checklists/work_order.html", context, status_code=status)

    @get("/work-orders/{work_order_id:int}/checklist", opt={"permission": "workorders.view"})
    async def checklist_page(self, request: Req, work_order_id: FromPath[int]) -> Template:
        return await self._checklist_page(request, work_order_id, {})

    def _back(self, work_order_id: int, data: dict[str, Any], item_id: int | None = None) -> str:
        base = f"/work-orders/{work_order_id}"
        target = base if data.get("back") == "order" else f"{base}/checklist"
        return target + (f"#cl-item-{item_id}" if item_id else "#checklist")

    @post("/work-orders/{work_order_id:int}/checklist", opt={"permission": "workorders.manage"})
    async def attach(self, request: Req, work_order_id: FromPath[int], data: Form) -> Response[Any]:
        raw_id = str(data.get("template_id") or "")
        try:
            if not raw_id.isdigit():
                raise RuleViolation("template_id", _("Choose a checklist."))
            await actions.attach_checklist(
                actor=actor(request), work_order_id=work_order_id, template_id=int(raw_id)
            )
        except FacilitiesError as error:
            if error.status_code == 404:
                raise
            return await self._checklist_page(
                request, work_order_id, {"attach": error.message}, error.status_code
            )
        return redirect(self._back(work_order_id, data), _("Checklist added."))

    @post(ITEM_PATH, opt={"permission": "workorders.view"})
    async def answer(
        self, request: Req, work_order_id: FromPath[int], item_id: FromPath[int], data: Multipart
    ) -> Response[Any]:
        me = actor(request)
        try:
            if data.get("clear"):
                await actions.answer_item(
                    actor=me, work_order_id=work_order_id, item_id=item_id, data=AnswerUpdate()
                )
            elif str(data.get("kind") or "") == ItemKind.photo.value:
                content = await optional_upload(data.get("photo"))
                if content is None:
                    raise RuleViolation("photo", _("Choose a photo."))
                await actions.answer_photo(
                    actor=me, work_order_id=work_order_id, item_id=item_id, photo=content
                )
            else:
                value: Any = str(data.get("value") or "").strip()
                if value in ("true", "false") and data.get("kind") == ItemKind.checkbox.value:
                    value = value == "true"
                signature = str(data.get("signature_png") or "").strip() or None
                await actions.answer_item(
                    actor=me,
                    work_order_id=work_order_id,
                    item_id=item_id,
                    data=AnswerUpdate(value=value, signature_png=signature),
                )
        except FacilitiesError as error:
            if error.status_code == 404:
                raise
            return await self._checklist_page(
                request, work_order_id, {item_id: error.message}, error.status_code
            )
        return redirect(self._back(work_order_id, data, item_id), _("Answer saved."))

    @post(f"{ITEM_PATH}/follow-up", opt={"permission": "workorders.view"})
    async def follow_up(
        self, request: Req, work_order_id: FromPath[int], item_id: FromPath[int], data: Form
    ) -> Response[Any]:
        try:
            result = await actions.create_follow_up(
                actor=actor(request), work_order_id=work_order_id, item_id=item_id
            )
        except FacilitiesError as error:
            if error.status_code == 404:
                raise
            return await self._checklist_page(
                request, work_order_id, {item_id: error.message}, error.status_code
            )
        message = (
            _("Follow-up work order #%(id)d created.")
            if result.created
            else _("This item already has its follow-up: work order #%(id)d.")
        ) % {"id": result.work_order_id}
        return redirect(self._back(work_order_id, data, item_id), message)

    @get(f"{ITEM_PATH}/photo", opt={"permission": "workorders.view"})
    async def photo(
        self, request: Req, work_order_id: FromPath[int], item_id: FromPath[int]
    ) -> Response[bytes]:
        key, content_type = await queries.item_photo(actor(request), work_order_id, item_id)
        return await stored_file_response(key, content_type)

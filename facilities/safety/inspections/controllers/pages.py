"""Pages: my inspections (phone first), conducting one item by item (each answer a small
form that works without JavaScript; ``/static/inspection.js`` saves on change and draws the
signature), the result with its findings, findings with recurring counts, and templates
(copy a starter template)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from litestar import Controller, get, post
from litestar.params import FromPath
from litestar.response import File, Response, Template

from facilities.accounts.principal import actor
from facilities.kit.errors import FacilitiesError, RuleViolation
from facilities.kit.i18n import _, ngettext
from facilities.kit.templating import page, redirect
from facilities.kit.web import Form, Multipart, Req, optional_upload, stored_file_response
from facilities.maintenance.checklists.schemas import ITEM_KIND_LABELS, ItemKind
from facilities.safety.inspections import actions, queries, starters
from facilities.safety.inspections.schemas import (
    FINDING_LABELS,
    STATUS_LABELS,
    AnswerWrite,
    FindingStatus,
    SubmitWrite,
)

BASE = "/safety/inspections/{inspection_id:int}"
# The offline queue's service worker (static/offline.js), served here so its scope is
# /safety/inspections/: it keeps the inspection pages for a reload without signal.
OFFLINE_WORKER = Path(__file__).resolve().parents[3] / "static" / "offline-sw.js"
ITEM = BASE + "/items/{item_key:str}"


def _labels() -> dict[str, Any]:
    return {
        "status_labels": STATUS_LABELS,
        "finding_labels": FINDING_LABELS,
        "kind_labels": ITEM_KIND_LABELS,
        "answer_labels": {
            "pass": _("Pass"),
            "fail": _("Fail"),
            "na": _("N/A"),
            "yes": _("Yes"),
            "no": _("No"),
        },
    }


def _version(value: Any) -> int | None:
    text = str(value or "").strip()
    return int(text) if text.isdigit() and len(text) < 10 else None


class InspectionPages(Controller):
    include_in_schema = False

    @get("/safety", opt={"permission": "safety.view"})
    async def my_inspections(self, request: Req) -> Template:
        me = actor(request)
        open_ones = [
            i
            for i in await queries.list_inspections(me, limit=300)
            if i.status.value in ("due", "in_progress", "overdue")
        ]
        return page(
            request,
            "safety/inspections.html",
            {**_labels(), "inspections": open_ones},
        )

    async def _inspection_page(
        self, request: Req, inspection_id: int, errors: dict[str, str], status: int = 200
    ) -> Template:
        me = actor(request)
        inspection = await queries.get_inspection(me, inspection_id)
        answers = {a.item_key: a for a in inspection.answers}
        findings = (
            await queries.list_findings(me, inspection_id=inspection_id)
            if inspection.status.value == "submitted"
            else []
        )
        return page(
            request,
            "safety/inspection.html",
            {
                **_labels(),
                "inspection": inspection,
                "answers": answers,
                "findings": findings,
                "errors": errors,
                "editable": inspection.status.value in ("due", "in_progress", "overdue")
                and me.can("safety.inspect"),
                "ItemKind": ItemKind,
            },
            status_code=status,
        )

    @get(BASE, opt={"permission": "safety.view"})
    async def inspection_page(self, request: Req, inspection_id: FromPath[int]) -> Template:
        return await self._inspection_page(request, inspection_id, {})

    @post(ITEM, opt={"permission": "safety.inspect"})
    async def answer(
        self, request: Req, inspection_id: FromPath[int], item_key: FromPath[str], data: Multipart
    ) -> Response[Any]:
        me = actor(request)
        try:
            client_key = actions.parse_client_key(data.get("client_key"))
            content = await optional_upload(data.get("photo"))
            value: Any = str(data.get("value") or "").strip() or None
            if content is not None:
                await actions.answer_photo(
                    actor=me,
                    inspection_id=inspection_id,
                    item_key=item_key,
                    photo=content,
                    client_key=client_key,
                )
            elif value is None and not data.get("clear"):
                raise RuleViolation("value", _("Choose or enter an answer first."))
            else:
                note = data.get("note")
                await actions.answer_item(
                    actor=me,
                    inspection_id=inspection_id,
                    item_key=item_key,
                    data=AnswerWrite(
                        value=value,
                        note=str(note) if note is not None else None,
                        template_version_id=_version(data.get("template_version_id")),
                        version=_version(data.get("version")),
                        client_key=client_key,
                        signature_png=str(data.get("signature_png") or "").strip() or None,
                    ),
                )
        except FacilitiesError as error:
            if error.status_code == 404:
                raise
            return await self._inspection_page(
                request, inspection_id, {item_key: error.message}, error.status_code
            )
        return redirect(f"/safety/inspections/{inspection_id}#item-{item_key}", _("Saved."))

    @get(f"{ITEM}/photo", opt={"permission": "safety.view"})
    async def photo(
        self, request: Req, inspection_id: FromPath[int], item_key: FromPath[str]
    ) -> Response[bytes]:
        key, content_type = await queries.answer_photo(actor(request), inspection_id, item_key)
        return await stored_file_response(key, content_type)

    @get("/safety/inspections/offline-sw.js", opt={"permission": "safety.view"})
    async def offline_worker(self) -> File:
        """The offline queue's service worker for the inspection pages (scope
        /safety/inspections/; docs/architecture.md, "The offline queue")."""
        return File(
            path=OFFLINE_WORKER,
            media_type="text/javascript",
            content_disposition_type="inline",
            headers={"Cache-Control": "no-cache"},
        )

    @post(f"{BASE}/submit", opt={"permission": "safety.inspect"})
    async def submit(self, request: Req, inspection_id: FromPath[int], data: Form) -> Response[Any]:
        try:
            client_key = actions.parse_client_key(data.get("client_key"))
            result = await actions.submit_inspection(
                actor=actor(request),
                inspection_id=inspection_id,
                data=SubmitWrite(client_key=client_key),
            )
        except FacilitiesError as error:
            if error.status_code == 404:
                raise
            return await self._inspection_page(
                request, inspection_id, {"submit": error.message}, error.status_code
            )
        message = _("Inspection submitted.")
        if result.findings:
            message += " " + ngettext(
                "%(num)d finding raised; corrective work is on its way.",
                "%(num)d findings raised; corrective work is on its way.",
                len(result.findings),
            ) % {"num": len(result.findings)}
        return redirect(f"/safety/inspections/{inspection_id}", message)

    @get("/safety/findings", opt={"permission": "safety.view"})
    async def findings_page(self, request: Req) -> Template:
        me = actor(request)
        return page(
            request,
            "safety/findings.html",
            {
                **_labels(),
                "findings": await queries.list_findings(me, status=FindingStatus.open),
                "closed": await queries.list_findings(me, status=FindingStatus.closed, limit=50),
                "recurring": [r for r in await queries.recurring_findings(me) if r["n"] > 1],
            },
        )

    @get("/safety/templates", opt={"permission": "safety.manage"})
    async def templates_page(self, request: Req) -> Template:
        me = actor(request)
        language = "de" if (me.locale or "en").startswith("de") else "en"
        return page(
            request,
            "safety/templates.html",
            {
                **_labels(),
                "templates": await queries.list_templates(me),
                "programmes": await queries.list_programmes(me),
                "starters": starters.listing(language),
                "language": language,
            },
        )

    @post("/safety/templates/copy", opt={"permission": "safety.manage"})
    async def copy_starter(self, request: Req, data: Form) -> Response[Any]:
        key = str(data.get("key") or "")
        language = "de" if data.get("language") == "de" else "en"
        if not key:
            raise RuleViolation("key", _("Choose a starter template."))
        created = await actions.copy_starter(actor=actor(request), key=key, language=language)
        return redirect(
            f"/safety/templates/{created.id}", _("Copied: %(name)s") % {"name": created.name}
        )

"""Pages of the inspection programmes (ops): the list, create and edit (the recurrence
editor of PM schedules, ``kit/recurrence_form.py``, without "ends": a programme is switched
off, not ended) and "generate due inspections now". Everything goes through
``actions.create_programme`` / ``update_programme`` / ``generate_due``."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import msgspec
from litestar import Controller, get, post
from litestar.params import FromPath, FromQuery
from litestar.response import Response, Template

from facilities.accounts.principal import actor
from facilities.kit import clock, forms, recurrence_form
from facilities.kit.errors import FacilitiesError
from facilities.kit.i18n import _
from facilities.kit.templating import page, redirect
from facilities.kit.web import Req
from facilities.safety.inspections import actions, queries
from facilities.safety.inspections.schemas import (
    SCOPE_LABELS,
    ProgrammeCreate,
    ProgrammeScope,
    ProgrammeUpdate,
)
from facilities.sites.enums import SITE_KIND_LABELS


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
    payload["region_id"] = (
        values.get("region_id") if scope in ("region", "kind", "category") else None
    )
    payload["category_id"] = values.get("category_id") if scope == "category" else None
    payload["site_kind"] = (values.get("site_kind") or None) if scope == "kind" else None
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
                "site_kind_labels": {k.value: _(v) for k, v in SITE_KIND_LABELS.items()},
                "site_kinds": [{"id": k.value, "name": _(v)} for k, v in SITE_KIND_LABELS.items()],
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
                "site_kind_labels": {k.value: _(v) for k, v in SITE_KIND_LABELS.items()},
                "site_kinds": [{"id": k.value, "name": _(v)} for k, v in SITE_KIND_LABELS.items()],
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

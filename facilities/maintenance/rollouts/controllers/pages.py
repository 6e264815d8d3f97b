"""Pages of roll-outs: the list with the "new roll-out" form, and one roll-out's board."""

from __future__ import annotations

from typing import Any

from litestar import Controller, get, post
from litestar.params import FromPath
from litestar.response import Response, Template

from facilities.accounts.principal import actor
from facilities.kit import forms
from facilities.kit.errors import FacilitiesError
from facilities.kit.i18n import _
from facilities.kit.templating import page, redirect
from facilities.kit.web import Req
from facilities.maintenance.rollouts import actions, queries
from facilities.maintenance.rollouts.enums import STAGE_LABELS, STAGES
from facilities.maintenance.rollouts.schemas import RolloutCreate, RolloutSitesAdd

LABELS = {"stages": STAGES, "stage_labels": STAGE_LABELS}


def _id(value: Any) -> int | None:
    return int(value) if str(value or "").isdigit() else None


class RolloutPages(Controller):
    include_in_schema = False

    async def _list(
        self,
        request: Req,
        errors: dict[str, str] | None = None,
        values: dict[str, Any] | None = None,
        status_code: int = 200,
    ) -> Template:
        me = actor(request)
        return page(
            request,
            "maintenance/rollouts/list.html",
            {
                **LABELS,
                "rollouts": await queries.list_rollouts(me),
                "choices": await queries.form_choices(me) if me.can("rollouts.manage") else {},
                "errors": errors or {},
                "values": values or {},
            },
            status_code=status_code,
        )

    @get("/rollouts", opt={"permission": "rollouts.view"})
    async def list_page(self, request: Req) -> Template:
        return await self._list(request)

    @post("/rollouts", opt={"permission": "rollouts.manage"})
    async def create(self, request: Req) -> Response[Any]:
        form = await request.form()
        site_ids = [_id(v) for v in form.getall("site_ids", [])]
        raw = forms.clean({k: form.get(k) for k in form if k != "site_ids"})
        target = raw.get("target_date") or None
        payload: dict[str, Any] = {
            "name": raw.get("name", ""),
            "category_id": _id(raw.get("category_id")) or 0,
            "sites": [{"site_id": s} for s in site_ids if s is not None],
            "target_date": target,
            "partner_organisation_id": _id(raw.get("partner_organisation_id")),
            "source_id": _id(raw.get("source_id")),
            "notes": raw.get("notes", ""),
        }
        data, errors = forms.convert(payload, RolloutCreate)
        if data is not None:
            try:
                made = await actions.create_rollout(actor=actor(request), data=data)
                return redirect(f"/rollouts/{made.id}", _("Roll-out created."))
            except FacilitiesError as error:
                if error.status_code == 404:
                    raise
                errors = forms.errors_of(error)
        errors = {key.split("[")[0]: message for key, message in errors.items()}
        values = {**raw, "site_ids": [s for s in site_ids if s is not None]}
        return await self._list(request, errors, values, 422)

    async def _board(
        self,
        request: Req,
        rollout_id: int,
        errors: dict[str, str] | None = None,
        values: dict[str, Any] | None = None,
        status_code: int = 200,
    ) -> Template:
        me = actor(request)
        rollout = await queries.get_rollout(me, rollout_id)
        by_stage = {stage: [s for s in rollout.sites if s.stage == stage] for stage in STAGES}
        addable: list[dict[str, Any]] = []
        if me.can("rollouts.manage"):
            present = {s.site_id for s in rollout.sites}
            addable = [
                s for s in (await queries.form_choices(me))["sites"] if s["id"] not in present
            ]
        return page(
            request,
            "maintenance/rollouts/board.html",
            {
                **LABELS,
                "rollout": rollout,
                "by_stage": by_stage,
                "addable": addable,
                "errors": errors or {},
                "values": values or {},
            },
            status_code=status_code,
        )

    @get("/rollouts/{rollout_id:int}", opt={"permission": "rollouts.view"})
    async def board(self, request: Req, rollout_id: FromPath[int]) -> Template:
        return await self._board(request, rollout_id)

    @post("/rollouts/{rollout_id:int}/sites", opt={"permission": "rollouts.manage"})
    async def add_sites(self, request: Req, rollout_id: FromPath[int]) -> Response[Any]:
        """The board's "add sites" form: one installation order per site ticked."""
        await queries.get_rollout(actor(request), rollout_id)  # 404 before reading the form
        form = await request.form()
        site_ids = [_id(v) for v in form.getall("site_ids", [])]
        raw = forms.clean({k: form.get(k) for k in form if k != "site_ids"})
        payload: dict[str, Any] = {
            "sites": [{"site_id": s} for s in site_ids if s is not None],
            "target_date": raw.get("target_date") or None,
        }
        data, errors = forms.convert(payload, RolloutSitesAdd)
        if data is not None:
            try:
                await actions.add_sites(actor=actor(request), rollout_id=rollout_id, data=data)
                return redirect(f"/rollouts/{rollout_id}", _("Sites added."))
            except FacilitiesError as error:
                if error.status_code == 404:
                    raise
                errors = forms.errors_of(error)
        errors = {key.split("[")[0]: message for key, message in errors.items()}
        values = {**raw, "site_ids": [s for s in site_ids if s is not None]}
        return await self._board(request, rollout_id, errors, values, 422)

"""Pages: the training matrix (per site, team or partner) and the CSV import."""

from __future__ import annotations

from typing import Any

from litestar import Controller, get, post
from litestar.params import FromQuery
from litestar.response import Response, Template

from facilities.accounts import queries as account_queries
from facilities.accounts.enums import ROLE_LABELS, Role
from facilities.accounts.principal import actor
from facilities.kit import forms
from facilities.kit.errors import FacilitiesError
from facilities.kit.i18n import _
from facilities.kit.templating import page, redirect
from facilities.kit.web import Form, Multipart, Req, upload_bytes
from facilities.safety.training import actions, importer, queries
from facilities.safety.training.enums import CELL_LABELS
from facilities.safety.training.schemas import CompletionCreate, RequirementCreate, TraineeCreate
from facilities.sites import queries as site_queries


class TrainingPages(Controller):
    include_in_schema = False

    @get("/safety/training", opt={"permission": "training.view"})
    async def matrix_page(
        self,
        request: Req,
        site_id: FromQuery[int | None] = None,
        partner_id: FromQuery[int | None] = None,
        role: FromQuery[Role | None] = None,
    ) -> Template:
        return await self._matrix(request, site_id, partner_id, role.value if role else None)

    async def _matrix(
        self,
        request: Req,
        site_id: int | None,
        partner_id: int | None,
        role: str | None,
        errors: dict[str, str] | None = None,
        values: dict[str, Any] | None = None,
        status_code: int = 200,
    ) -> Template:
        me = actor(request)
        figures = await queries.matrix(me, site_id=site_id, partner_id=partner_id, role=role)
        partners: list[Any] = []
        if me.can("partners.view"):
            partners = await account_queries.list_partner_organisations(active_only=True)
        return page(
            request,
            "safety/training.html",
            {
                "m": figures,
                "cell_labels": CELL_LABELS,
                "role_labels": ROLE_LABELS,
                "sites": (await site_queries.list_sites(me, limit=500)).items,
                "partners": partners,
                "site_id": site_id,
                "partner_id": partner_id,
                "role": role or "",
                "errors": errors or {},
                "values": values or {},
            },
            status_code=status_code,
        )

    async def _write(self, request: Req, data: dict[str, Any], kind: str) -> Response[Any]:
        """One of the manager's forms under the matrix: a person, a completion, a requirement."""
        me = actor(request)
        values = forms.clean(dict(data))
        back = _int(values.pop("back_site_id", None))
        errors: dict[str, str] = {}
        try:
            if kind == "person":
                person, errors = forms.convert(values, TraineeCreate)
                if person is not None:
                    await actions.create_trainee(actor=me, data=person)
            elif kind == "completion":
                subject = str(values.pop("person", ""))
                if subject[:1] == "u" and subject[1:].isdigit():
                    values["user_id"] = subject[1:]
                elif subject[:1] == "t" and subject[1:].isdigit():
                    values["trainee_id"] = subject[1:]
                completion, errors = forms.convert(values, CompletionCreate)
                if completion is not None:
                    await actions.record_completion(actor=me, data=completion)
            else:
                requirement, errors = forms.convert(values, RequirementCreate)
                if requirement is not None:
                    await actions.create_requirement(actor=me, data=requirement)
        except FacilitiesError as error:
            errors = forms.errors_of(error)
        if errors:
            return await self._matrix(
                request,
                back,
                None,
                None,
                {f"{kind}_{k}": v for k, v in errors.items()},
                values,
                422,
            )
        return redirect(f"/safety/training{f'?site_id={back}' if back else ''}", _("Saved."))

    @post("/safety/training/people", opt={"permission": "training.manage"}, status_code=303)
    async def add_person(self, request: Req, data: Form) -> Response[Any]:
        return await self._write(request, data, "person")

    @post("/safety/training/completions", opt={"permission": "training.manage"}, status_code=303)
    async def add_completion(self, request: Req, data: Form) -> Response[Any]:
        return await self._write(request, data, "completion")

    @post("/safety/training/requirements", opt={"permission": "training.manage"}, status_code=303)
    async def add_requirement(self, request: Req, data: Form) -> Response[Any]:
        return await self._write(request, data, "requirement")

    def _import_page(
        self,
        request: Req,
        errors: list[tuple[str, str]] | None = None,
        status_code: int = 200,
    ) -> Template:
        return page(
            request,
            "safety/training_import.html",
            {"errors": errors or [], "columns": (*importer.REQUIRED, *importer.OPTIONAL)},
            status_code=status_code,
        )

    @get("/safety/training/import", opt={"permission": "training.manage"})
    async def import_page(self, request: Req) -> Template:
        return self._import_page(request)

    @post("/safety/training/import", opt={"permission": "training.manage"}, status_code=303)
    async def import_csv(self, request: Req, data: Multipart) -> Response[Any]:
        try:
            _name, content = await upload_bytes(data, "file")
            result = await importer.import_completions(actor=actor(request), content=content)
        except FacilitiesError as error:
            forms.errors_of(error)  # 403/404 propagate
            listed = [(f.field, f.message) for f in error.fields] or [("file", error.message)]
            return self._import_page(request, listed, error.status_code)
        return redirect(
            "/safety/training",
            _("%(created)d completion(s) imported, %(skipped)d already recorded.")
            % {"created": result.created, "skipped": result.skipped},
        )


def _int(value: Any) -> int | None:
    try:
        return int(value) if value not in (None, "") else None
    except (TypeError, ValueError):
        return None

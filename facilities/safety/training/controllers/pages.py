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
from facilities.kit.web import Multipart, Req, upload_bytes
from facilities.safety.training import importer, queries
from facilities.safety.training.enums import CELL_LABELS
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
        me = actor(request)
        figures = await queries.matrix(
            me, site_id=site_id, partner_id=partner_id, role=role.value if role else None
        )
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
                "role": role.value if role else "",
            },
        )

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

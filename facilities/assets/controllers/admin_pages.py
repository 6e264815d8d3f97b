"""Asset pages for ops work: labels, CSV import, categories, blank batches, claiming."""

from __future__ import annotations

from typing import Any

from litestar import Controller, get, post
from litestar.params import FromPath, FromQuery
from litestar.response import Response, Template

from facilities.accounts.enums import TRADE_LABELS
from facilities.accounts.principal import actor
from facilities.assets import actions, codes, csv_io, queries
from facilities.assets.controllers.common import (
    asset_label,
    assets_for_labels,
    blank_label,
    label_pdf,
)
from facilities.assets.schemas import BatchCreate, CategoryCreate, CategoryUpdate, ClaimRequest
from facilities.kit import forms
from facilities.kit.errors import FacilitiesError, NotFound
from facilities.kit.i18n import _
from facilities.kit.templating import page, redirect
from facilities.kit.web import Form, Multipart, Req, pdf_response, upload_bytes
from facilities.sites import queries as site_queries


def _ints(value: Any) -> list[int]:
    values = value if isinstance(value, list) else [value] if value not in (None, "") else []
    return [int(v) for v in values if str(v).strip().isdigit()]


def _trade_labels() -> dict[str, str]:
    return {k.value: _(v) for k, v in TRADE_LABELS.items()}


class AssetAdminPages(Controller):
    include_in_schema = False

    # ---- labels -----------------------------------------------------------------------

    @post("/assets/labels", opt={"permission": "assets.change"}, status_code=200)
    async def labels(self, request: Req, data: Form) -> Response[Any]:
        """Print the ticked assets, or every asset of a site (a PDF in the browser)."""
        layout = "single" if data.get("layout") == "single" else "sheet"
        site_ids = _ints(data.get("site_id"))
        try:
            skip = max(0, min(23, int(str(data.get("skip") or 0))))
        except ValueError:
            skip = 0
        selected = await assets_for_labels(
            actor(request),
            asset_ids=_ints(data.get("asset_ids")),
            site_id=site_ids[0] if site_ids else None,
        )
        content = await label_pdf([asset_label(a) for a in selected], layout, skip)
        return pdf_response(content, "labels.pdf")

    # ---- CSV import -------------------------------------------------------------------

    @get("/assets/import", opt={"permission": "assets.import"})
    async def import_page(self, request: Req) -> Template:
        return page(request, "assets/import.html", self._import_context([], None))

    def _import_context(
        self, errors: list[Any], message: str | None, *, failed: bool = False
    ) -> dict[str, Any]:
        return {
            "row_errors": errors,
            "message": message,
            "failed": failed or bool(errors),
            "columns": [(c, csv_io.COLUMN_HELP[c]) for c in csv_io.COLUMNS],
        }

    @post("/assets/import", opt={"permission": "assets.import"})
    async def import_csv(self, request: Req, data: Multipart) -> Response[Any]:
        try:
            _name, content = await upload_bytes(data, "file")
            created = await csv_io.import_csv(
                actor=actor(request), content=content, dry_run=data.get("dry_run") == "on"
            )
        except csv_io.ImportRejected as rejected:
            context = self._import_context(rejected.errors, rejected.message)
            return page(request, "assets/import.html", context, status_code=422)
        except FacilitiesError as error:
            context = self._import_context([], error.message, failed=True)
            return page(request, "assets/import.html", context, status_code=error.status_code)
        if data.get("dry_run") == "on":
            message = _("The file is valid: %(n)d assets would be imported.") % {"n": created}
            return page(request, "assets/import.html", self._import_context([], message))
        return redirect("/assets", _("%(n)d assets imported.") % {"n": created})

    # ---- categories -------------------------------------------------------------------

    @get("/assets/categories", opt={"permission": "assets.view"})
    async def categories(self, request: Req) -> Template:
        return page(
            request,
            "assets/categories.html",
            {
                "categories": await queries.list_categories(),
                "trade_labels": _trade_labels(),
                "errors": {},
                "values": {},
            },
        )

    @post("/assets/categories", opt={"permission": "categories.manage", "form": CategoryCreate})
    async def create_category(self, request: Req, data: Form) -> Response[Any]:
        values = forms.clean(data)
        created, errors = forms.convert(values, CategoryCreate)
        if created is not None:
            try:
                await actions.create_category(actor=actor(request), data=created)
                return redirect("/assets/categories", _("Category created."))
            except FacilitiesError as error:
                errors = forms.errors_of(error)
        return page(
            request,
            "assets/categories.html",
            {
                "categories": await queries.list_categories(),
                "trade_labels": _trade_labels(),
                "errors": errors,
                "values": values,
            },
            status_code=422,
        )

    @post(
        "/assets/categories/{category_id:int}",
        opt={"permission": "categories.manage", "form": CategoryUpdate},
    )
    async def update_category(
        self, request: Req, category_id: FromPath[int], data: Form
    ) -> Response[Any]:
        values = forms.clean(data, keep_empty=frozenset({"description", "trade"}))
        if values.get("trade") == "":
            values["trade"] = None  # "no default trade"
        try:
            if values.pop("delete", None):
                await actions.delete_category(actor=actor(request), category_id=category_id)
                return redirect("/assets/categories", _("Category deleted."))
            changes, errors = forms.convert(values, CategoryUpdate)
            if changes is not None:
                await actions.update_category(
                    actor=actor(request), category_id=category_id, data=changes
                )
                return redirect("/assets/categories", _("Category saved."))
        except FacilitiesError as error:
            if error.status_code == 404:
                raise
            errors = forms.errors_of(error)
        return page(
            request,
            "assets/categories.html",
            {
                "categories": await queries.list_categories(),
                "trade_labels": _trade_labels(),
                "errors": errors,
                "values": {},
                "failed_id": category_id,
            },
            status_code=422,
        )

    # ---- blank label batches ----------------------------------------------------------

    @get("/assets/batches", opt={"permission": "qr.manage"})
    async def batches(self, request: Req) -> Template:
        return page(
            request,
            "assets/batches.html",
            {"batches": await queries.list_batches(), "errors": {}, "values": {}},
        )

    @post("/assets/batches", opt={"permission": "qr.manage", "form": BatchCreate})
    async def create_batch(self, request: Req, data: Form) -> Response[Any]:
        values = forms.clean(data)
        batch, errors = forms.convert(values, BatchCreate)
        if batch is not None:
            try:
                created = await codes.create_batch(actor=actor(request), data=batch)
                return redirect(
                    "/assets/batches",
                    _("%(n)d blank labels created. Print them now.") % {"n": created.total},
                )
            except FacilitiesError as error:
                errors = forms.errors_of(error)
        return page(
            request,
            "assets/batches.html",
            {"batches": await queries.list_batches(), "errors": errors, "values": values},
            status_code=422,
        )

    @get("/assets/batches/{name:str}/labels", opt={"permission": "qr.manage"})
    async def batch_labels(
        self, name: FromPath[str], layout: FromQuery[str] = "sheet"
    ) -> Response[Any]:
        blanks = [c for c in await queries.batch_codes(name) if c.asset_id is None]
        content = await label_pdf(
            [blank_label(c) for c in blanks], "single" if layout == "single" else "sheet"
        )
        return pdf_response(content, "labels.pdf")

    # ---- claiming a blank label -------------------------------------------------------

    @get("/assets/claim/{code:str}", opt={"permission": "qr.claim"})
    async def claim_page(
        self, request: Req, code: FromPath[str], q: FromQuery[str | None] = None
    ) -> Template:
        return await self._claim(request, code, q, {})

    async def _claim(
        self, request: Req, code: str, q: str | None, errors: dict[str, str], status: int = 200
    ) -> Template:
        me = actor(request)
        label = await queries.visible_code(me, code)
        matches = (await queries.list_assets(me, q=q, limit=30)).items if q else []
        asset = await queries.visible_asset(me, label.asset_id) if label.asset_id else None
        return page(
            request,
            "assets/claim.html",
            {
                "label": label,
                "asset": asset,
                "q": q or "",
                "matches": matches,
                "errors": errors,
                "sites": (await site_queries.list_sites(me, limit=200)).items,
            },
            status_code=status,
        )

    @post("/assets/claim/{code:str}", opt={"permission": "qr.claim", "form": ClaimRequest})
    async def claim(self, request: Req, code: FromPath[str], data: Form) -> Response[Any]:
        claim, errors = forms.convert(forms.clean(data), ClaimRequest)
        if claim is not None:
            try:
                await codes.claim(actor=actor(request), code=code, asset_id=claim.asset_id)
                return redirect(f"/assets/{claim.asset_id}", _("Label attached to this asset."))
            except NotFound:
                errors = {"asset_id": _("Unknown asset.")}
            except FacilitiesError as error:
                errors = forms.errors_of(error)
        return await self._claim(request, code, None, errors, 422)

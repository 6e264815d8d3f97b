"""Server-rendered asset pages: list, detail, form, status, lock-out, files, QR re-issue."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from litestar import Controller, get, post
from litestar.di import NamedDependency
from litestar.params import FromPath, FromQuery, Parameter
from litestar.response import Response, Template

from facilities.accounts.principal import Principal, actor
from facilities.assets import actions, codes, queries
from facilities.assets.activity import activity
from facilities.assets.enums import (
    ASSET_STATUS_LABELS,
    CRITICALITY_LABELS,
    AssetStatus,
    Criticality,
    FileKind,
)
from facilities.assets.schemas import AssetCreate, AssetRead, AssetUpdate, LockOut, StatusChange
from facilities.kit import clock, forms
from facilities.kit.errors import FacilitiesError
from facilities.kit.i18n import _
from facilities.kit.listing import PAGE_SIZE, provide, view
from facilities.kit.templating import page, redirect
from facilities.kit.web import Form, Multipart, Req, upload_bytes
from facilities.sites import queries as site_queries

LABELS = {"status_labels": ASSET_STATUS_LABELS, "criticality_labels": CRITICALITY_LABELS}
NULLABLE = ("space_id", "category_id", "parent_id", "install_date", "warranty_end", "purchase_cost")
TEXTS = ("manufacturer", "model", "serial_number", "notes")


def attributes_to_text(attributes: dict[str, Any]) -> str:
    return "\n".join(f"{k}: {v}" for k, v in attributes.items())


def attributes_from_text(text: str) -> dict[str, Any]:
    """``key: value`` per line; numbers stay numbers."""
    result: dict[str, Any] = {}
    for line in text.splitlines():
        key, sep, value = line.partition(":")
        if not sep or not key.strip():
            continue
        value = value.strip()
        try:
            result[key.strip()] = int(value) if value.lstrip("-").isdigit() else float(value)
        except ValueError:
            result[key.strip()] = value
    return result


def _form_values(data: dict[str, Any]) -> dict[str, Any]:
    values = forms.clean(data, keep_empty=frozenset(TEXTS))
    values["attributes"] = attributes_from_text(str(values.pop("attributes_text", "")))
    values.pop("claim", None)
    if "purchase_cost" in values:
        values["purchase_cost"] = str(values["purchase_cost"]).replace(",", ".")
    return values


async def _choices(me: Principal, site_id: int | None) -> dict[str, Any]:
    sites = await site_queries.list_sites(me, limit=200)
    spaces = await site_queries.list_spaces(me, site_id) if site_id else []
    parents = (await queries.list_assets(me, site_id=site_id, limit=200)).items if site_id else []
    return {
        "sites": sites.items,
        "spaces": spaces,
        "parents": parents,
        "categories": await queries.list_categories(),
        "criticalities": list(Criticality),
        "statuses": list(AssetStatus),
        **LABELS,
    }


class AssetPages(Controller):
    include_in_schema = False

    @get(
        "/assets",
        opt={"permission": "assets.view"},
        dependencies={"filters": provide(queries.AssetFilters)},
    )
    async def list(
        self,
        request: Req,
        filters: NamedDependency[queries.AssetFilters],
        offset: int = Parameter(default=0, ge=0),
    ) -> Template:
        me = actor(request)
        result = await queries.list_assets(
            me, **filters.arguments(), limit=PAGE_SIZE, offset=offset
        )
        listing = view(filters, total=result.total, offset=offset)
        return page(
            request,
            "assets/list.html",
            {
                "page": result,
                "listing": listing,
                "filters": listing.values,
                "sites": (await site_queries.list_sites(me, limit=200)).items,
                "categories": await queries.list_categories(),
                "statuses": list(AssetStatus),
                "criticalities": list(Criticality),
                **LABELS,
            },
        )

    # ---- form -------------------------------------------------------------------------

    async def _form(
        self,
        request: Req,
        asset: AssetRead | None,
        values: dict[str, Any],
        errors: dict[str, str],
        status: int = 200,
    ) -> Template:
        site_id = values.get("site_id") or (asset.site_id if asset else None)
        try:
            site_id = int(site_id) if site_id else None
        except ValueError:
            site_id = None
        context = await _choices(actor(request), site_id)
        if asset is not None:
            context["parents"] = [p for p in context["parents"] if p.id != asset.id]
        return page(
            request,
            "assets/form.html",
            {"asset": asset, "values": values, "errors": errors, **context},
            status_code=status,
        )

    @get("/assets/new", opt={"permission": "assets.change"})
    async def new(
        self,
        request: Req,
        site_id: FromQuery[int | None] = None,
        claim: str | None = Parameter(default=None, max_length=24),
    ) -> Template:
        values = {"site_id": site_id, "criticality": "medium", "status": "operational"}
        return await self._form(request, None, {**values, "claim": claim or ""}, {})

    @post("/assets/new", opt={"permission": "assets.change", "form": AssetCreate})
    async def create(self, request: Req, data: Form) -> Response[Any]:
        claim = str(data.get("claim") or "").strip() or None
        values = _form_values(data)
        created, errors = forms.convert(values, AssetCreate)
        status = 422
        if created is not None:
            try:
                asset = await actions.create_asset(
                    actor=actor(request), data=created, claim_code=claim
                )
                return redirect(f"/assets/{asset.id}", _("Asset created."))
            except FacilitiesError as error:
                errors, status = forms.errors_of(error), error.status_code
        return await self._form(request, None, {**data, "claim": claim or ""}, errors, status)

    @get("/assets/{asset_id:int}/edit", opt={"permission": "assets.change"})
    async def edit(self, request: Req, asset_id: FromPath[int]) -> Template:
        asset = await queries.visible_asset(actor(request), asset_id)
        values = {k: getattr(asset, k) for k in asset.__struct_fields__}
        values["criticality"] = asset.criticality.value
        values["attributes_text"] = attributes_to_text(asset.attributes)
        return await self._form(request, asset, values, {})

    @post("/assets/{asset_id:int}/edit", opt={"permission": "assets.change", "form": AssetUpdate})
    async def update(self, request: Req, asset_id: FromPath[int], data: Form) -> Response[Any]:
        asset = await queries.visible_asset(actor(request), asset_id)
        values = _form_values(data)
        values.pop("status", None)
        for name in NULLABLE:
            values.setdefault(name, None)
        changes, errors = forms.convert(values, AssetUpdate)
        status = 422
        if changes is not None:
            try:
                await actions.update_asset(actor=actor(request), asset_id=asset_id, data=changes)
                return redirect(f"/assets/{asset_id}", _("Asset saved."))
            except FacilitiesError as error:
                if error.status_code == 404:
                    raise
                errors, status = forms.errors_of(error), error.status_code
        return await self._form(request, asset, dict(data), errors, status)

    # ---- detail -----------------------------------------------------------------------

    @get("/assets/{asset_id:int}", opt={"permission": "assets.view"})
    async def detail(self, request: Req, asset_id: FromPath[int]) -> Template:
        return await self._detail(request, asset_id, {})

    async def _detail(
        self, request: Req, asset_id: int, errors: dict[str, str], status: int = 200
    ) -> Template:
        me = actor(request)
        asset = await queries.visible_asset(me, asset_id)
        now = clock.now()
        return page(
            request,
            "assets/detail.html",
            {
                "asset": asset,
                "history": await queries.status_history(me, asset_id),
                "activity": await activity(me, asset_id),
                "uptime": await queries.uptime(asset_id, now - timedelta(days=30), now),
                "files": await queries.list_files(me, asset_id),
                "codes": await queries.asset_codes(me, asset_id),
                "children": await queries.children(me, asset_id),
                "scans_30d": await queries.scan_count(asset_id, now - timedelta(days=30)),
                "errors": errors,
                **LABELS,
                "statuses": list(AssetStatus),
            },
            status_code=status,
        )

    async def _do(self, request: Req, asset_id: int, work: Any, done: str) -> Response[Any]:
        try:
            await work
        except FacilitiesError as error:
            if error.status_code == 404:
                raise
            return await self._detail(request, asset_id, forms.errors_of(error), error.status_code)
        return redirect(f"/assets/{asset_id}", done)

    @post(
        "/assets/{asset_id:int}/status", opt={"permission": "assets.change", "form": StatusChange}
    )
    async def status(self, request: Req, asset_id: FromPath[int], data: Form) -> Response[Any]:
        change, errors = forms.convert(forms.clean(data), StatusChange)
        if change is None:
            return await self._detail(request, asset_id, errors, 422)
        work = actions.change_status(actor=actor(request), asset_id=asset_id, data=change)
        return await self._do(request, asset_id, work, _("Status changed."))

    @post("/assets/{asset_id:int}/lockout", opt={"permission": "assets.change", "form": LockOut})
    async def lock_out(self, request: Req, asset_id: FromPath[int], data: Form) -> Response[Any]:
        lock, errors = forms.convert(forms.clean(data), LockOut)
        if lock is None:
            return await self._detail(request, asset_id, errors, 422)
        work = actions.lock_out(actor=actor(request), asset_id=asset_id, reason=lock.reason)
        return await self._do(request, asset_id, work, _("Asset locked out."))

    @post("/assets/{asset_id:int}/lockout/clear", opt={"permission": "assets.change"})
    async def clear_lockout(self, request: Req, asset_id: FromPath[int]) -> Response[Any]:
        work = actions.clear_lockout(actor=actor(request), asset_id=asset_id)
        return await self._do(request, asset_id, work, _("Lock-out cleared."))

    @post("/assets/{asset_id:int}/files", opt={"permission": "assets.change"})
    async def add_file(
        self, request: Req, asset_id: FromPath[int], data: Multipart
    ) -> Response[Any]:
        me = actor(request)
        await queries.require_asset(me, asset_id)
        try:
            kind = FileKind(str(data.get("kind") or "photo"))
            filename, content = await upload_bytes(data, "file")
            await actions.add_file(
                actor=me,
                asset_id=asset_id,
                kind=kind,
                filename=filename,
                content=content,
                primary=data.get("primary") == "on",
            )
        except ValueError:
            return await self._detail(request, asset_id, {"kind": _("Use photo or document.")}, 422)
        except FacilitiesError as error:
            if error.status_code == 404:
                raise
            return await self._detail(request, asset_id, forms.errors_of(error), error.status_code)
        return redirect(f"/assets/{asset_id}#files", _("File added."))

    @post("/assets/{asset_id:int}/files/{file_id:int}/primary", opt={"permission": "assets.change"})
    async def primary(
        self, request: Req, asset_id: FromPath[int], file_id: FromPath[int]
    ) -> Response[Any]:
        work = actions.set_primary_photo(actor=actor(request), asset_id=asset_id, file_id=file_id)
        return await self._do(request, asset_id, work, _("Main photo changed."))

    @post("/assets/{asset_id:int}/files/{file_id:int}/delete", opt={"permission": "assets.change"})
    async def delete_file(
        self, request: Req, asset_id: FromPath[int], file_id: FromPath[int]
    ) -> Response[Any]:
        work = actions.delete_file(actor=actor(request), asset_id=asset_id, file_id=file_id)
        return await self._do(request, asset_id, work, _("File removed."))

    @post("/assets/{asset_id:int}/reissue", opt={"permission": "qr.manage"})
    async def reissue(self, request: Req, asset_id: FromPath[int]) -> Response[Any]:
        work = codes.reissue(actor=actor(request), asset_id=asset_id)
        return await self._do(
            request, asset_id, work, _("New label code issued. Print and stick the new label.")
        )

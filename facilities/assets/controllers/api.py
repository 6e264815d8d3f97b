"""``/api/v1`` endpoints: categories, assets, status, lock-out, files, QR codes, labels, CSV."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

import msgspec
from litestar import Controller, delete, get, patch, post
from litestar.di import NamedDependency
from litestar.params import FromPath, FromQuery, JSONBody, Parameter
from litestar.response import Response
from litestar.status_codes import HTTP_204_NO_CONTENT

from facilities.accounts.principal import actor
from facilities.assets import actions, codes, csv_io, queries
from facilities.assets.controllers.common import (
    asset_label,
    assets_for_labels,
    blank_label,
    label_pdf,
)
from facilities.assets.enums import FileKind
from facilities.assets.schemas import (
    AssetCreate,
    AssetFileRead,
    AssetRead,
    AssetUpdate,
    BatchCreate,
    BatchRead,
    CategoryCreate,
    CategoryRead,
    CategoryUpdate,
    ClaimRequest,
    ImportResult,
    LabelRequest,
    LockOut,
    QrCodeRead,
    StatusChange,
    StatusChangeRead,
    UptimeRead,
)
from facilities.kit import clock, qr
from facilities.kit.errors import NotFound, RuleViolation
from facilities.kit.i18n import _
from facilities.kit.listing import provide
from facilities.kit.openapi import ANY_FILE, IMAGE, PDF
from facilities.kit.pagination import Limit, Offset
from facilities.kit.schema import Page
from facilities.kit.web import (
    Multipart,
    Req,
    document_response,
    file_response,
    pdf_response,
    upload_bytes,
)


def _csv(text: str, filename: str) -> Response[bytes]:
    return file_response(
        text.encode("utf-8"),
        "text/csv",  # Litestar adds the charset
        filename=filename,
        disposition="attachment",
        cache=None,
    )


class AssetsApi(Controller):
    path = "/api/v1"
    tags = ["assets"]

    # ---- categories -------------------------------------------------------------------

    @get("/asset-categories", opt={"permission": "assets.view"})
    async def list_categories(self) -> list[CategoryRead]:
        return await queries.list_categories()

    @post("/asset-categories", opt={"permission": "categories.manage"})
    async def create_category(self, request: Req, data: JSONBody[CategoryCreate]) -> CategoryRead:
        return await actions.create_category(actor=actor(request), data=data)

    @patch("/asset-categories/{category_id:int}", opt={"permission": "categories.manage"})
    async def update_category(
        self, request: Req, category_id: FromPath[int], data: JSONBody[CategoryUpdate]
    ) -> CategoryRead:
        return await actions.update_category(
            actor=actor(request), category_id=category_id, data=data
        )

    @delete(
        "/asset-categories/{category_id:int}",
        opt={"permission": "categories.manage"},
        status_code=HTTP_204_NO_CONTENT,
    )
    async def delete_category(self, request: Req, category_id: FromPath[int]) -> None:
        await actions.delete_category(actor=actor(request), category_id=category_id)

    # ---- assets -----------------------------------------------------------------------

    @get(
        "/assets",
        opt={"permission": "assets.view"},
        dependencies={"filters": provide(queries.AssetFilters)},
    )
    async def list_assets(
        self,
        request: Req,
        filters: NamedDependency[queries.AssetFilters],
        limit: Limit = 50,
        offset: Offset = 0,
    ) -> Page[AssetRead]:
        """Filters combine; ``warranty_expiring_days=N`` keeps warranties ending within N
        days; ``q`` searches name, serial number, make and model; ``sort``: name, newest,
        site, criticality, warranty."""
        return await queries.list_assets(
            actor(request), **filters.arguments(), limit=limit, offset=offset
        )

    @post("/assets", opt={"permission": "assets.change"})
    async def create_asset(self, request: Req, data: JSONBody[AssetCreate]) -> AssetRead:
        return await actions.create_asset(actor=actor(request), data=data)

    @get("/assets/export.csv", opt={"permission": "assets.view"}, media_type="text/csv")
    async def export_csv(
        self, request: Req, site_id: FromQuery[int | None] = None
    ) -> Response[Any]:
        text = await csv_io.export_csv(actor(request), site_id=site_id)
        return _csv(text, f"assets-{clock.now().date().isoformat()}.csv")

    @get("/assets/import-template.csv", opt={"permission": "assets.view"}, media_type="text/csv")
    async def import_template(self) -> Response[Any]:
        return _csv(csv_io.template_csv(), "assets-template.csv")

    @post("/assets/import", opt={"permission": "assets.import"}, status_code=200)
    async def import_csv(self, request: Req, dry_run: FromQuery[bool] = False) -> Response[Any]:
        """Body: the CSV file (``text/csv``, UTF-8). All rows or none; 422 lists every row error."""
        content = await request.body()
        try:
            created = await csv_io.import_csv(
                actor=actor(request), content=content, dry_run=dry_run
            )
        except csv_io.ImportRejected as rejected:
            return Response(
                content=msgspec.json.encode(
                    {
                        "code": rejected.code,
                        "message": rejected.message,
                        "created": 0,
                        "errors": rejected.errors,
                    }
                ),
                status_code=422,
                media_type="application/json",
            )
        return Response(content=ImportResult(created=created, errors=[]))

    @get("/assets/{asset_id:int}", opt={"permission": "assets.view"})
    async def get_asset(self, request: Req, asset_id: FromPath[int]) -> AssetRead:
        return await queries.visible_asset(actor(request), asset_id)

    @patch("/assets/{asset_id:int}", opt={"permission": "assets.change"})
    async def update_asset(
        self, request: Req, asset_id: FromPath[int], data: JSONBody[AssetUpdate]
    ) -> AssetRead:
        """Send the ``version`` you read; a stale one gets 409 (someone changed it meanwhile)."""
        return await actions.update_asset(actor=actor(request), asset_id=asset_id, data=data)

    @get("/assets/{asset_id:int}/children", opt={"permission": "assets.view"})
    async def children(self, request: Req, asset_id: FromPath[int]) -> list[AssetRead]:
        await queries.require_asset(actor(request), asset_id)
        return await queries.children(actor(request), asset_id)

    # ---- status, uptime, lock-out -----------------------------------------------------

    @post("/assets/{asset_id:int}/status", opt={"permission": "assets.change"}, status_code=200)
    async def change_status(
        self, request: Req, asset_id: FromPath[int], data: JSONBody[StatusChange]
    ) -> AssetRead:
        return await actions.change_status(actor=actor(request), asset_id=asset_id, data=data)

    @get("/assets/{asset_id:int}/status-history", opt={"permission": "assets.view"})
    async def status_history(self, request: Req, asset_id: FromPath[int]) -> list[StatusChangeRead]:
        return await queries.status_history(actor(request), asset_id)

    @get("/assets/{asset_id:int}/uptime", opt={"permission": "assets.view"})
    async def uptime(
        self,
        request: Req,
        asset_id: FromPath[int],
        start: FromQuery[datetime | None] = None,
        end: FromQuery[datetime | None] = None,
    ) -> UptimeRead:
        """Over [start, end); default the last 30 days. Degraded counts as up."""
        await queries.require_asset(actor(request), asset_id)
        for name, value in (("start", start), ("end", end)):
            if value is not None and value.tzinfo is None:
                raise RuleViolation(name, _("Give a time zone offset, e.g. 2026-05-01T00:00:00Z."))
        end = end or clock.now()
        start = start or end - timedelta(days=30)
        if end <= start:
            raise RuleViolation("end", _("The end must be after the start."))
        return await queries.uptime(asset_id, start, end)

    @post("/assets/{asset_id:int}/lockout", opt={"permission": "assets.change"}, status_code=200)
    async def lock_out(
        self, request: Req, asset_id: FromPath[int], data: JSONBody[LockOut]
    ) -> AssetRead:
        return await actions.lock_out(actor=actor(request), asset_id=asset_id, reason=data.reason)

    @delete("/assets/{asset_id:int}/lockout", opt={"permission": "assets.change"}, status_code=200)
    async def clear_lockout(self, request: Req, asset_id: FromPath[int]) -> AssetRead:
        return await actions.clear_lockout(actor=actor(request), asset_id=asset_id)

    # ---- files ------------------------------------------------------------------------

    @get("/assets/{asset_id:int}/files", opt={"permission": "assets.view"})
    async def list_files(self, request: Req, asset_id: FromPath[int]) -> list[AssetFileRead]:
        return await queries.list_files(actor(request), asset_id)

    @post("/assets/{asset_id:int}/files", opt={"permission": "assets.change"})
    async def add_file(
        self, request: Req, asset_id: FromPath[int], data: Multipart
    ) -> AssetFileRead:
        """Multipart: ``file``, ``kind`` (photo | document), optional ``primary`` (true)."""
        await queries.require_asset(actor(request), asset_id)
        try:
            kind = FileKind(str(data.get("kind") or "photo"))
        except ValueError:
            raise RuleViolation("kind", _("Use photo or document.")) from None
        filename, content = await upload_bytes(data, "file")
        return await actions.add_file(
            actor=actor(request),
            asset_id=asset_id,
            kind=kind,
            filename=filename,
            content=content,
            primary=str(data.get("primary", "")).lower() in ("1", "true", "on", "yes"),
        )

    @get(
        "/assets/{asset_id:int}/files/{file_id:int}",
        opt={"permission": "assets.view"},
        media_type=ANY_FILE,
    )
    async def get_file(
        self, request: Req, asset_id: FromPath[int], file_id: FromPath[int]
    ) -> Response[Any]:
        meta, key = await queries.get_file(actor(request), asset_id, file_id)
        return await document_response(key, meta.content_type, meta.filename)

    @post(
        "/assets/{asset_id:int}/files/{file_id:int}/primary",
        opt={"permission": "assets.change"},
        status_code=200,
    )
    async def set_primary(
        self, request: Req, asset_id: FromPath[int], file_id: FromPath[int]
    ) -> AssetFileRead:
        return await actions.set_primary_photo(
            actor=actor(request), asset_id=asset_id, file_id=file_id
        )

    @delete(
        "/assets/{asset_id:int}/files/{file_id:int}",
        opt={"permission": "assets.change"},
        status_code=HTTP_204_NO_CONTENT,
    )
    async def delete_file(
        self, request: Req, asset_id: FromPath[int], file_id: FromPath[int]
    ) -> None:
        await actions.delete_file(actor=actor(request), asset_id=asset_id, file_id=file_id)

    # ---- QR codes ---------------------------------------------------------------------

    @get("/assets/{asset_id:int}/qr-codes", opt={"permission": "assets.view"})
    async def asset_codes(self, request: Req, asset_id: FromPath[int]) -> list[QrCodeRead]:
        return await queries.asset_codes(actor(request), asset_id)

    @post("/assets/{asset_id:int}/qr-codes/reissue", opt={"permission": "qr.manage"})
    async def reissue(self, request: Req, asset_id: FromPath[int]) -> QrCodeRead:
        """A new label code; the old one then answers "this label was replaced"."""
        return await codes.reissue(actor=actor(request), asset_id=asset_id)

    @get("/qr/{filename:str}", opt={"permission": "assets.view"}, media_type=IMAGE)
    async def qr_image(self, request: Req, filename: FromPath[str]) -> Response[Any]:
        """``/qr/{code}.png`` or ``/qr/{code}.svg``: the label's QR code (error correction M)."""
        code, _dot, extension = filename.rpartition(".")
        if extension not in ("png", "svg") or not code:
            raise NotFound()
        found = await queries.visible_code(actor(request), code)
        if extension == "png":
            content, media_type = await qr.png(found.url), "image/png"
        else:
            content, media_type = await qr.svg(found.url), "image/svg+xml"
        return file_response(content, media_type, cache="private, max-age=3600")

    @get("/qr-codes/{code:str}", opt={"permission": "assets.view"})
    async def get_code(self, request: Req, code: FromPath[str]) -> QrCodeRead:
        return await queries.visible_code(actor(request), code)

    @post("/qr-codes/{code:str}/claim", opt={"permission": "qr.claim"}, status_code=200)
    async def claim(
        self, request: Req, code: FromPath[str], data: JSONBody[ClaimRequest]
    ) -> QrCodeRead:
        """Attach a blank label to an asset (the asset's previous code is marked replaced)."""
        return await codes.claim(actor=actor(request), code=code, asset_id=data.asset_id)

    @post("/qr-codes/{code:str}/revoke", opt={"permission": "qr.manage"}, status_code=200)
    async def revoke(self, request: Req, code: FromPath[str]) -> QrCodeRead:
        return await codes.revoke(actor=actor(request), code=code)

    @get("/qr-batches", opt={"permission": "qr.manage"})
    async def list_batches(self) -> list[BatchRead]:
        return await queries.list_batches()

    @post("/qr-batches", opt={"permission": "qr.manage"})
    async def create_batch(self, request: Req, data: JSONBody[BatchCreate]) -> BatchRead:
        return await codes.create_batch(actor=actor(request), data=data)

    @get("/qr-batches/{name:str}", opt={"permission": "qr.manage"})
    async def batch_codes(self, name: FromPath[str]) -> list[QrCodeRead]:
        return await queries.batch_codes(name)

    @get("/qr-batches/{name:str}/labels", opt={"permission": "qr.manage"}, media_type=PDF)
    async def batch_labels(
        self,
        name: FromPath[str],
        layout: str = Parameter(default="sheet", pattern=r"^(sheet|single)$"),
        skip: int = Parameter(default=0, ge=0, le=23),
    ) -> Response[Any]:
        """A PDF of the batch's still unclaimed labels."""
        blanks = [c for c in await queries.batch_codes(name) if c.asset_id is None]
        if not blanks:
            raise RuleViolation("batch", _("Every label of this batch has been claimed."))
        content = await label_pdf([blank_label(c) for c in blanks], layout, skip)
        return pdf_response(content, f"labels-{name}.pdf")

    # ---- labels -----------------------------------------------------------------------

    @post("/labels", opt={"permission": "assets.change"}, status_code=200, media_type=PDF)
    async def labels(self, request: Req, data: JSONBody[LabelRequest]) -> Response[Any]:
        """A PDF of labels: ``asset_ids`` (in order), or every asset of ``site_id``."""
        selected = await assets_for_labels(
            actor(request), asset_ids=data.asset_ids, site_id=data.site_id
        )
        content = await label_pdf([asset_label(a) for a in selected], data.layout, data.skip)
        return pdf_response(content, "labels.pdf")

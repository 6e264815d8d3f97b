"""Helpers shared by the assets API and pages: uploads, file responses, label selection."""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

from litestar.datastructures import UploadFile
from litestar.response import Response

from facilities.accounts.principal import Principal
from facilities.assets import labels, queries
from facilities.assets.schemas import AssetFileRead, AssetRead, QrCodeRead
from facilities.kit import uploads
from facilities.kit.errors import FacilitiesError, RuleViolation
from facilities.kit.i18n import _
from facilities.sites import scope

# Read at most this much of an upload: beyond it the answer is 413 anyway.
READ_LIMIT = max(uploads.MAX_IMAGE_BYTES, uploads.MAX_DOCUMENT_BYTES) + 1


async def upload_bytes(form: dict[str, Any], field: str) -> tuple[str | None, bytes]:
    value = form.get(field)
    if isinstance(value, list):
        value = value[0] if value else None
    if not isinstance(value, UploadFile):
        raise RuleViolation(field, _("Choose a file to upload."))
    content = await value.read(READ_LIMIT)
    if not content:
        raise RuleViolation(field, _("The file is empty."))
    if len(content) >= READ_LIMIT:
        raise FacilitiesError(_("The upload is too large."), 413, "too_large")
    return value.filename, content


def content_disposition(kind: str, filename: str) -> str:
    ascii_name = filename.encode("ascii", "replace").decode().replace('"', "").replace("?", "_")
    return f"{kind}; filename=\"{ascii_name}\"; filename*=UTF-8''{quote(filename)}"


def file_response(meta: AssetFileRead, content: bytes, *, download: bool = False) -> Response[Any]:
    inline = meta.content_type in ("image/jpeg", "image/png") and not download
    return Response(
        content=content,
        media_type=meta.content_type,
        headers={
            "Content-Disposition": content_disposition(
                "inline" if inline else "attachment", meta.filename
            ),
            "X-Content-Type-Options": "nosniff",
            "Cache-Control": "private, max-age=300",
            "Content-Security-Policy": "default-src 'none'; sandbox",
        },
    )


def pdf_response(content: bytes, filename: str) -> Response[Any]:
    return Response(
        content=content,
        media_type="application/pdf",
        headers={
            "Content-Disposition": content_disposition("inline", filename),
            "X-Content-Type-Options": "nosniff",
            "Cache-Control": "private, no-store",
        },
    )


def asset_label(asset: AssetRead) -> labels.Label:
    assert asset.qr_code is not None and asset.qr_url is not None
    subtitle = f"{asset.site_code} · {asset.site_name}"
    if asset.space_path:
        subtitle += f" · {asset.space_path}"
    return labels.Label(url=asset.qr_url, code=asset.qr_code, title=asset.name, subtitle=subtitle)


def blank_label(code: QrCodeRead) -> labels.Label:
    return labels.Label(
        url=code.url, code=code.code, title=_("Facilities"), subtitle=code.batch or ""
    )


async def assets_for_labels(
    principal: Principal, *, asset_ids: list[int], site_id: int | None
) -> list[AssetRead]:
    if site_id is not None:
        await scope.require_site(principal, site_id)
        selected = await queries.all_visible_assets(principal, site_id=site_id)
    else:
        selected = await queries.assets_by_ids(principal, asset_ids)
    if not selected:
        raise RuleViolation("asset_ids", _("Choose at least one asset."))
    if len(selected) > 2400:
        raise RuleViolation("asset_ids", _("Print at most 2400 labels at once."))
    return [a for a in selected if a.qr_code]


async def label_pdf(items: list[labels.Label], layout: str, skip: int = 0) -> bytes:
    if not items:
        raise RuleViolation("asset_ids", _("None of these assets has an active label code."))
    return await labels.render(items, layout, skip)

"""HTTP helpers every domain's controllers share: the request and form-body aliases, reading
uploaded files, and file responses (stored files are read in a worker thread, never on the
event loop)."""

from __future__ import annotations

from datetime import UTC, datetime
from email.utils import format_datetime, parsedate_to_datetime
from typing import Annotated, Any, Literal
from urllib.parse import quote

import anyio
from litestar import Request
from litestar.datastructures import UploadFile
from litestar.enums import RequestEncodingType
from litestar.params import Body
from litestar.response import Response

from facilities.kit import uploads
from facilities.kit.errors import FacilitiesError, NotFound, RuleViolation
from facilities.kit.i18n import _

Req = Request[Any, Any, Any]
Form = Annotated[dict[str, Any], Body(media_type=RequestEncodingType.URL_ENCODED)]
Multipart = Annotated[dict[str, Any], Body(media_type=RequestEncodingType.MULTI_PART)]

# Read at most this much of an upload: beyond it the answer is 413 anyway.
READ_LIMIT = max(uploads.MAX_IMAGE_BYTES, uploads.MAX_DOCUMENT_BYTES) + 1

# Uploaded files a browser may show in place; everything else is offered as a download.
INLINE_TYPES = ("image/jpeg", "image/png")

Disposition = Literal["inline", "attachment"]


def _first_file(value: Any) -> UploadFile | None:
    if isinstance(value, list):
        value = value[0] if value else None
    return value if isinstance(value, UploadFile) else None


async def upload_bytes(form: dict[str, Any], field: str) -> tuple[str | None, bytes]:
    """The name and bytes of a required uploaded file (422 naming the field, 413 too large)."""
    value = _first_file(form.get(field))
    if value is None:
        raise RuleViolation(field, _("Choose a file to upload."))
    content = await value.read(READ_LIMIT)
    if not content:
        raise RuleViolation(field, _("The file is empty."))
    if len(content) >= READ_LIMIT:
        raise FacilitiesError(_("The upload is too large."), 413, "too_large")
    return value.filename, content


async def optional_upload(value: Any) -> bytes | None:
    """The bytes of an optional uploaded file (an empty file input counts as none)."""
    upload = _first_file(value)
    if upload is None:
        return None
    content = await upload.read()
    return content or None


def content_disposition(kind: Disposition, filename: str) -> str:
    """``inline``/``attachment`` with an ASCII fallback name and the RFC 5987 UTF-8 name."""
    ascii_name = filename.encode("ascii", "replace").decode().replace('"', "").replace("?", "_")
    return f"{kind}; filename=\"{ascii_name}\"; filename*=UTF-8''{quote(filename)}"


def file_response(
    content: bytes,
    media_type: str,
    *,
    filename: str | None = None,
    disposition: Disposition = "inline",
    cache: str | None = "private, max-age=300",
    sandbox: bool = False,
) -> Response[bytes]:
    """Bytes as a response that browsers never sniff; ``filename`` adds Content-Disposition,
    ``sandbox`` a CSP that keeps an uploaded document from running anything."""
    headers = {"X-Content-Type-Options": "nosniff"}
    if filename is not None:
        headers["Content-Disposition"] = content_disposition(disposition, filename)
    if cache is not None:
        headers["Cache-Control"] = cache
    if sandbox:
        headers["Content-Security-Policy"] = "default-src 'none'; sandbox"
    return Response(content=content, media_type=media_type, headers=headers)


def conditional_response(
    request: Request[Any, Any, Any],
    content: bytes,
    media_type: str,
    *,
    etag: str,
    last_modified: datetime,
    cache: str = "private, max-age=300",
) -> Response[bytes]:
    """``file_response`` with ``ETag`` and ``Last-Modified``, answering ``304 Not Modified``
    (no body) when the client's ``If-None-Match`` names the tag, or, without that header,
    when its ``If-Modified-Since`` is not older than ``last_modified`` (RFC 9110 13.2.2)."""
    headers = {
        "ETag": etag,
        "Last-Modified": format_datetime(last_modified.astimezone(UTC), usegmt=True),
        "Cache-Control": cache,
    }
    match = request.headers.get("if-none-match")
    fresh = False
    if match is not None:
        tags = {t.strip().removeprefix("W/") for t in match.split(",")}
        fresh = "*" in tags or etag in tags
    else:
        since = request.headers.get("if-modified-since")
        if since:
            try:
                moment = parsedate_to_datetime(since)
            except (TypeError, ValueError):
                moment = None
            if moment is not None and moment.tzinfo is not None:
                fresh = last_modified.replace(microsecond=0) <= moment
    if fresh:
        return Response(content=b"", status_code=304, headers=headers)
    response = file_response(content, media_type, cache=cache)
    response.headers.update(headers)
    return response


async def stored_file_response(
    key: str,
    media_type: str,
    *,
    filename: str | None = None,
    disposition: Disposition = "inline",
    cache: str | None = "private, max-age=300",
    sandbox: bool = False,
) -> Response[bytes]:
    """A stored upload (``kit.uploads``), read in a worker thread; a missing file is a 404."""
    try:
        content = await anyio.to_thread.run_sync(uploads.read, key)
    except FileNotFoundError:
        raise NotFound() from None
    return file_response(
        content,
        media_type,
        filename=filename,
        disposition=disposition,
        cache=cache,
        sandbox=sandbox,
    )


async def document_response(
    key: str, media_type: str, filename: str, *, download: bool = False
) -> Response[bytes]:
    """An uploaded document or photo under its own name, sandboxed: photos are shown in place
    (unless a download was asked for), anything else is downloaded."""
    inline = media_type in INLINE_TYPES and not download
    return await stored_file_response(
        key,
        media_type,
        filename=filename,
        disposition="inline" if inline else "attachment",
        sandbox=True,
    )


def pdf_response(content: bytes, filename: str) -> Response[bytes]:
    """A generated PDF, shown in place and never cached."""
    return file_response(content, "application/pdf", filename=filename, cache="private, no-store")

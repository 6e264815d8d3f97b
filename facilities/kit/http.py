"""HTTP plumbing shared by every domain: error rendering, flash messages, pagination.

API paths (``/api/``) get the one JSON error shape; pages get a friendly HTML page (or a
redirect to the sign-in page for 401).
"""

from __future__ import annotations

import base64
import json
import logging
from typing import Any
from urllib.parse import quote, urlsplit

import msgspec
from litestar import Response
from litestar.exceptions import (
    HTTPException,
    NotAuthorizedException,
    NotFoundException,
    PermissionDeniedException,
    ValidationException,
)
from litestar.response import Redirect, Template
from litestar.status_codes import HTTP_500_INTERNAL_SERVER_ERROR

from facilities.kit.errors import FacilitiesError, FieldError, RateLimited
from facilities.kit.i18n import _
from facilities.kit.schema import ErrorBody, ErrorField
from facilities.kit.security import sign, unsign
from facilities.kit.validation import field_name as _field_name
from facilities.kit.validation import friendly as _friendly
from facilities.kit.web import Req

log = logging.getLogger("facilities.http")

FLASH_COOKIE = "facilities_flash"


def is_api(request: Req) -> bool:
    return request.url.path.startswith("/api/")


def _json_error(error: FacilitiesError) -> Response[Any]:
    body = ErrorBody(
        code=error.code,
        message=error.message,
        fields=[ErrorField(field=f.field, message=f.message) for f in error.fields],
        current=getattr(error, "current", msgspec.UNSET),
    )
    headers = {}
    if isinstance(error, RateLimited):
        headers["Retry-After"] = str(error.retry_after)
    if error.status_code == 401:
        headers["WWW-Authenticate"] = 'Bearer realm="facilities"'
    return Response(
        content=msgspec.json.encode(body),
        status_code=error.status_code,
        media_type="application/json",
        headers=headers,
    )


def _page_error(request: Req, error: FacilitiesError) -> Response[Any]:
    if error.status_code == 401:
        target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
        response: Response[Any] = Redirect(path=f"/login?next={quote(target)}")
        if request.scope.get("auth") == "invalid_session":
            response.delete_cookie("facilities_session")
        return response
    titles = {
        403: _("You may not open this page"),
        404: _("Page not found"),
        409: _("Conflict"),
        413: _("The upload is too large."),
        422: _("Please check your input"),
        429: _("Too many requests"),
    }
    headers = {}
    if isinstance(error, RateLimited):
        headers["Retry-After"] = str(error.retry_after)
    return Template(
        headers=headers,
        template_name="error.html",
        context={
            "principal": request.scope.get("user"),
            "status": error.status_code,
            "title": titles.get(error.status_code, _("Something went wrong")),
            "message": error.message,
            "fields": error.fields,
            "back": _back(request),
        },
        status_code=error.status_code,
    )


def _back(request: Req) -> str:
    """Where "back" leads from an error: the page the form was on (the Referer, when it is
    ours), else for a form post its parent path (``/q/CODE/report`` → ``/q/CODE``), else the
    start page. An anonymous reporter must land on the scan page, never a sign-in."""
    referer = urlsplit(request.headers.get("referer", ""))
    if referer.path.startswith("/") and referer.netloc in ("", request.url.netloc):
        return referer.path + (f"?{referer.query}" if referer.query else "")
    if request.method == "POST":
        parent = request.url.path.rstrip("/").rsplit("/", 1)[0]
        if parent:
            return parent
    return "/"


def render_error(request: Req, error: FacilitiesError) -> Response[Any]:
    return _json_error(error) if is_api(request) else _page_error(request, error)


def _validation_to_error(exc: ValidationException) -> FacilitiesError:
    fields: list[FieldError] = []
    extra = exc.extra if isinstance(exc.extra, list) else []
    for item in extra:
        if isinstance(item, dict):
            message = str(item.get("message", _("Invalid value")))
            fields.append(FieldError(_field_name(item.get("key"), message), _friendly(message)))
    if not fields:
        detail = exc.detail or ""
        if "malformed" in detail.lower() or "json" in detail.lower():
            fields.append(FieldError("body", _("The request body is not valid JSON.")))
        else:
            fields.append(FieldError("body", str(detail) or _("Invalid value")))
    summary = "; ".join(f"{f.field}: {f.message}" for f in fields)
    return FacilitiesError(summary, 422, "validation_error", fields)


def handle_facilities_error(request: Req, exc: FacilitiesError) -> Response[Any]:
    return render_error(request, exc)


def handle_validation(request: Req, exc: ValidationException) -> Response[Any]:
    return render_error(request, _validation_to_error(exc))


def handle_http(request: Req, exc: HTTPException) -> Response[Any]:
    status = exc.status_code
    if isinstance(exc, NotFoundException) or status == 404:
        error = FacilitiesError(_("It does not exist, or you may not see it."), 404, "not_found")
    elif isinstance(exc, NotAuthorizedException) or status == 401:
        error = FacilitiesError(_("Please sign in."), 401, "not_authenticated")
    elif isinstance(exc, PermissionDeniedException) and "CSRF" in (exc.detail or ""):
        error = FacilitiesError(
            _("The form expired or was sent from elsewhere. Please reload the page and try again."),
            403,
            "csrf_failed",
        )
    elif status == 403:
        error = FacilitiesError(_("You may not do this."), 403, "permission_denied")
    elif status == 405:
        error = FacilitiesError(_("Method not allowed."), 405, "method_not_allowed")
    elif status == 413:
        error = FacilitiesError(_("The upload is too large."), 413, "too_large")
    elif status == 429:
        error = RateLimited(_("Too many requests. Please slow down."))
    elif status == 400 and "json" in request.headers.get("content-type", ""):
        message = _("The request body is not valid JSON.") + f" ({exc.detail})"
        error = FacilitiesError(message, 422, "validation_error", [FieldError("body", message)])
    elif status < 500:
        error = FacilitiesError(str(exc.detail), status, "bad_request")
    else:
        log.error("HTTP %s on %s: %s", status, request.url.path, exc.detail)
        error = FacilitiesError(_("Something went wrong on our side."), status, "server_error")
    return render_error(request, error)


def handle_unexpected(request: Req, exc: Exception) -> Response[Any]:
    log.exception("unhandled error on %s %s", request.method, request.url.path)
    error = FacilitiesError(
        _("Something went wrong on our side. It has been logged."),
        HTTP_500_INTERNAL_SERVER_ERROR,
        "server_error",
    )
    return render_error(request, error)


EXCEPTION_HANDLERS: dict[Any, Any] = {
    FacilitiesError: handle_facilities_error,
    ValidationException: handle_validation,
    HTTPException: handle_http,
    Exception: handle_unexpected,
}


# ---- flash messages -------------------------------------------------------------------


def flash(response: Response[Any], secret: str, message: str, kind: str = "success") -> None:
    """Attach a one-time message shown on the next page."""
    payload = base64.urlsafe_b64encode(json.dumps([kind, message]).encode()).decode()
    response.set_cookie(
        FLASH_COOKIE, sign(secret, payload), max_age=60, httponly=True, samesite="lax", path="/"
    )


def read_flash(request: Req, secret: str) -> tuple[str, str] | None:
    raw = request.cookies.get(FLASH_COOKIE)
    if not raw:
        return None
    payload = unsign(secret, raw)
    if payload is None:
        return None
    try:
        kind, message = json.loads(base64.urlsafe_b64decode(payload.encode()))
    except (ValueError, TypeError):
        return None
    return str(kind), str(message)

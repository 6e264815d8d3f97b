"""HTTP plumbing shared by every domain: error rendering, flash messages, pagination.

API paths (``/api/``) get the one JSON error shape; pages get a friendly HTML page (or a
redirect to the sign-in page for 401).
"""

from __future__ import annotations

import base64
import json
import logging
import re
from typing import Any
from urllib.parse import quote

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
from facilities.kit.i18n import N_, _
from facilities.kit.schema import ErrorBody, ErrorField
from facilities.kit.security import sign, unsign
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
        },
        status_code=error.status_code,
    )


def render_error(request: Req, error: FacilitiesError) -> Response[Any]:
    return _json_error(error) if is_api(request) else _page_error(request, error)


_MISSING = re.compile(r"missing required field `([^`]+)`")
_AT_PATH = re.compile(r"at `\$\.?([^`]*)`")


def _field_name(key: str | None, message: str) -> str:
    """The field a validation message is about: msgspec names it in the message (``at `$.x```
    or ``missing required field `x```); Litestar's own key is the parameter ("data")."""
    for pattern in (_MISSING, _AT_PATH):
        match = pattern.search(message)
        if match and match.group(1):
            prefix = "" if not key or key == "data" else f"{key}."
            return prefix + match.group(1) if pattern is _AT_PATH and prefix else match.group(1)
    if not key:
        return "body"
    return key.removeprefix("$.").strip() or "body"


_TYPE_NAMES = {
    "int": N_("a whole number"),
    "float": N_("a number"),
    "str": N_("text"),
    "bool": N_("true or false"),
    "array": N_("a list"),
    "object": N_("an object"),
    "datetime": N_("a date and time"),
    "date": N_("a date"),
    "time": N_("a time of day"),
    "decimal": N_("a number"),
}
_RULES: list[tuple[re.Pattern[str], str]] = [
    (re.compile(r"^Expected `(\w+)`, got `null`"), N_("A value is required.")),
    (re.compile(r"^Expected `(?P<type>\w+)(?: \| null)?`, got `\w+`"), N_("Must be %(type)s.")),
    (re.compile(r"^Expected `str` of length <= (?P<n>\d+)"), N_("At most %(n)s characters.")),
    (re.compile(r"^Expected `str` of length >= 1\b"), N_("Must not be empty.")),
    (re.compile(r"^Expected `str` of length >= (?P<n>\d+)"), N_("At least %(n)s characters.")),
    (
        re.compile(r"^Expected `(?:array|object)` of length <= (?P<n>\d+)"),
        N_("At most %(n)s items."),
    ),
    (
        re.compile(r"^Expected `(?:array|object)` of length >= (?P<n>\d+)"),
        N_("At least %(n)s items."),
    ),
    (re.compile(r"^Expected `\w+` >= (?P<n>[\d.e+-]+)"), N_("Must be at least %(n)s.")),
    (re.compile(r"^Expected `\w+` > (?P<n>[\d.e+-]+)"), N_("Must be greater than %(n)s.")),
    (re.compile(r"^Expected `\w+` <= (?P<n>[\d.e+-]+)"), N_("Must be at most %(n)s.")),
    (re.compile(r"^Expected `\w+` < (?P<n>[\d.e+-]+)"), N_("Must be less than %(n)s.")),
    (
        re.compile(r"^Expected `datetime` with a timezone component"),
        N_("Give a time zone offset, e.g. 2026-05-04T09:00:00+02:00 or …Z."),
    ),
    (
        re.compile(r"^Invalid RFC3339 encoded datetime"),
        N_("Not a valid date and time (e.g. 2026-05-04T09:00:00+02:00)."),
    ),
    (re.compile(r"^Invalid RFC3339 encoded date"), N_("Not a valid date (e.g. 2026-05-04).")),
    (re.compile(r"^Invalid RFC3339 encoded time"), N_("Not a valid time (e.g. 09:30).")),
    (re.compile(r"^Invalid enum value"), N_("Not one of the allowed values.")),
    (re.compile(r"^Expected `str` matching regex"), N_("Not in the expected format.")),
    (
        re.compile(r"^Object contains unknown field `(?P<name>[^`]+)`"),
        N_("Unknown field “%(name)s”."),
    ),
    (re.compile(r"^Object missing required field"), N_("This field is required.")),
]


def _friendly(message: str) -> str:
    """msgspec's technical validation message, said for people (and translated)."""
    text = message.split(" - at `", 1)[0]
    for pattern, template in _RULES:
        match = pattern.search(text)
        if match is None:
            continue
        values = match.groupdict()
        if "type" in values:
            values["type"] = _(_TYPE_NAMES.get(values["type"], values["type"]))
        return _(template) % values if values else _(template)
    return message


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

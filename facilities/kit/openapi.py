"""The API's documented error answers: the one error shape, on every status it can answer.

Litestar documents a 400 in its own shape (``status_code``/``detail``/``extra``) for every
handler with parameters, while ``kit.http`` answers every error in ours (``ErrorBody``).
``declare_error_responses`` gives every ``/api/`` handler the statuses it can answer, with
``ErrorBody``; a handler's own ``responses=`` (a richer 409 body, say) win.
"""

from __future__ import annotations

from typing import Any

from litestar import Litestar
from litestar.openapi.datastructures import ResponseSpec

from facilities.kit.schema import ErrorBody

API_PREFIX = "/api/"

_ALWAYS = {
    400: "Bad request (e.g. a malformed upload)",
    401: "Not signed in, or the token is invalid",
    403: "The role may not do this",
    404: "It does not exist, or is outside the caller's scope",
    413: "The request body is too large",
    422: "Invalid input; `fields` names each field",
    429: "Too many requests; see `Retry-After`",
}
_WRITES = {409: "Conflict with the current state (e.g. a stale `version`)"}


def error_responses(http_methods: set[str]) -> dict[int, ResponseSpec]:
    statuses = dict(_ALWAYS)
    if http_methods - {"GET", "HEAD", "OPTIONS"}:
        statuses.update(_WRITES)
    return {
        status: ResponseSpec(data_container=ErrorBody, description=text, generate_examples=False)
        for status, text in sorted(statuses.items())
    }


def declare_error_responses(app: Litestar) -> None:
    """Call once after building the app, before the schema is first generated."""
    for route in app.routes:
        if not route.path.startswith(API_PREFIX):
            continue
        for handler in getattr(route, "route_handlers", []):
            own: dict[int, Any] = dict(handler.responses or {})
            handler.responses = {**error_responses(set(handler.http_methods)), **own}


# Media types of the binary answers, for handlers' ``media_type=`` (what the schema documents).
PDF = "application/pdf"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
IMAGE = "image/*"  # JPEG, PNG or WebP photos; PNG or SVG QR codes
ANY_FILE = "*/*"  # stored uploads: a PDF or an image, as uploaded

"""Authentication (session cookie or ``Authorization: Bearer``), CSRF, and the one guard.

* ``AuthMiddleware`` puts the caller's ``Principal`` (or None) into ``scope["user"]`` and
  picks the request locale.
* ``permission_guard`` enforces what each handler declares in ``opt``: either
  ``{"public": True}`` or ``{"permission": "<name>"}``. ``check_routes`` refuses to start an
  app with a handler that declares neither.
* ``BearerAwareCSRFMiddleware`` is Litestar's double-submit CSRF check, skipped for requests
  authenticated by a bearer token (a browser cannot forge that header cross-site).
"""

from __future__ import annotations

import time
from http.cookies import SimpleCookie
from typing import Any

from litestar import Litestar
from litestar.config.csrf import CSRFConfig
from litestar.connection import ASGIConnection
from litestar.datastructures import Headers
from litestar.enums import ScopeType
from litestar.handlers.base import BaseRouteHandler
from litestar.middleware import ASGIMiddleware
from litestar.middleware.csrf import CSRFMiddleware
from litestar.types import ASGIApp, Receive, Scope, Send

from facilities.accounts import actions, cache, queries
from facilities.accounts.permissions import PERMISSIONS
from facilities.accounts.principal import Principal
from facilities.kit.errors import NotAuthenticated, PermissionDenied
from facilities.kit.i18n import _, negotiate, set_locale
from facilities.kit.params import (
    OPT_KEY,
    int_bounds_guard,
    unbounded_body_ints,
    uncovered_parameters,
)
from facilities.kit.security import token_hash
from facilities.settings import get_settings

SESSION_COOKIE = "facilities_session"
TOUCH_INTERVAL_SECONDS = 3600
OPENAPI_PREFIX = "/schema"


def _cookie(headers: Headers, name: str) -> str | None:
    raw = headers.get("cookie")
    if not raw:
        return None
    jar: SimpleCookie = SimpleCookie()
    try:
        jar.load(raw)
    except Exception:
        return None
    morsel = jar.get(name)
    return morsel.value if morsel else None


def bearer_token(headers: Headers) -> str | None:
    value = headers.get("authorization")
    if value and value[:7].lower() == "bearer ":
        return value[7:].strip() or None
    return None


async def resolve(headers: Headers) -> tuple[Principal | None, str | None]:
    """The principal for these headers, and a reason when credentials were given but bad."""
    ttl = get_settings().principal_cache_seconds
    token = bearer_token(headers)
    if token is not None:
        key = cache.token_key(token_hash(token))
        principal = cache.get(key)
        if principal is None:
            principal = await queries.principal_for_api_token(token)
            if principal is None:
                return None, "invalid_token"
            cache.put(key, principal, ttl)
        return principal, None
    session = _cookie(headers, SESSION_COOKIE)
    if session is None:
        return None, None
    key = cache.session_key(token_hash(session))
    principal = cache.get(key)
    if principal is None:
        found = await queries.principal_for_session(session)
        if found is None:
            return None, "invalid_session"
        principal, last_seen = found
        if time.time() - last_seen.timestamp() > TOUCH_INTERVAL_SECONDS:
            await actions.touch_session(session_id=principal.credential_id)
        cache.put(key, principal, ttl)
    return principal, None


class AuthMiddleware(ASGIMiddleware):
    scopes = (ScopeType.HTTP,)

    async def handle(self, scope: Scope, receive: Receive, send: Send, next_app: ASGIApp) -> None:
        headers = Headers.from_scope(scope)
        handler = scope.get("route_handler")
        public = bool(handler and handler.opt.get("public"))
        if public and handler is not None and handler.opt.get("own_secret"):
            # The route checks a secret of its own (device events, help-desk tickets): its
            # bearer is not an API token, so no lookup (one query less per delivery).
            principal, problem = None, None
        else:
            principal, problem = await resolve(headers)
        scope["user"] = principal
        scope["auth"] = problem
        locale = principal.locale if principal else negotiate(headers.get("accept-language"))
        set_locale(locale)
        if principal is None and problem == "invalid_token" and not public:
            raise NotAuthenticated(_("The API token is invalid, expired or revoked."))
        await next_app(scope, receive, send)


def _is_public(handler: BaseRouteHandler) -> bool:
    # Litestar's generated OPTIONS handlers only answer "Allow: …".
    return bool(handler.opt.get("public")) or getattr(handler, "http_methods", None) == {"OPTIONS"}


async def permission_guard(
    connection: ASGIConnection[Any, Any, Any, Any], handler: BaseRouteHandler
) -> None:
    # Async on purpose: Litestar runs a synchronous guard in a worker thread, which cost
    # a thread hop on every request (docs/benchmarks.md).
    if _is_public(handler):
        return
    principal: Principal | None = connection.scope.get("user")
    if principal is None:
        raise NotAuthenticated()
    permission = handler.opt.get("permission")
    if permission is None and connection.url.path.startswith(OPENAPI_PREFIX):
        return  # the API documentation: any signed-in user
    if permission is None or not principal.can(permission):
        raise PermissionDenied()


def check_routes(app: Litestar) -> None:
    """Fail fast if any handler forgot to declare its permission."""
    problems = []
    for route in app.routes:
        if route.path.startswith(OPENAPI_PREFIX):
            continue
        for handler in getattr(route, "route_handlers", []):
            if _is_public(handler):
                continue
            permission = handler.opt.get("permission")
            if permission not in PERMISSIONS:
                problems.append(f"{route.path} ({handler.handler_name}): permission={permission!r}")
    if problems:
        raise RuntimeError("routes without a valid permission: " + "; ".join(problems))
    check_int_parameters(app)


def check_int_parameters(app: Litestar) -> None:
    """Fail fast on a whole number the range check (``kit.params``) cannot cover: a header or
    cookie parameter, or a body field without bounds (use ``kit.schema.Id``/``Int32``)."""
    problems = []
    if int_bounds_guard not in (app.guards or []):
        problems.append("the app does not run kit.params.int_bounds_guard")
    for route in app.routes:
        for handler in getattr(route, "route_handlers", []):
            path_parameters = getattr(route, "path_parameters", {})
            if OPT_KEY not in handler.opt:
                problems.append(f"{route.path} ({handler.handler_name}): not installed")
            for problem in uncovered_parameters(handler, path_parameters):
                problems.append(f"{route.path} ({handler.handler_name}): {problem}")
            for problem in unbounded_body_ints(handler):
                problems.append(f"{route.path} ({handler.handler_name}): body {problem}")
    if problems:
        raise RuntimeError("whole numbers without a range check: " + "; ".join(problems))


class BearerAwareCSRFMiddleware(CSRFMiddleware):
    """CSRF protects ambient credentials (the session cookie). It is skipped for requests
    carrying a bearer token, and for API calls with no session cookie at all (they are
    then unauthenticated and get a 401 from the guard)."""

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == ScopeType.HTTP:
            headers = Headers.from_scope(scope)
            if bearer_token(headers) or (
                scope["path"].startswith("/api/") and _cookie(headers, SESSION_COOKIE) is None
            ):
                await self.app(scope, receive, send)
                return
        await super().__call__(scope, receive, send)


def csrf_config() -> CSRFConfig:
    settings = get_settings()
    return CSRFConfig(
        secret=settings.resolved_secret_key(),
        cookie_name="facilities_csrf",
        cookie_secure=settings.secure_cookies,
        cookie_samesite="lax",
        cookie_httponly=True,
        header_name="x-csrftoken",
        exclude=["^/health/"],
    )

"""Every route × every role × own / foreign object (and an unknown id for admins),
generated from the app's route table and the declarations in ``routes.py``.

See ``matrix.py`` for the expected answers. Known defects being fixed elsewhere are
declared with the right expectation and marked ``xfail(strict=True)`` in ``routes.py``.

**Which half of** ``make test`` **runs which case.** A case that gets past the guard (the
role holds the permission, or the route is public) runs on both engines: its answer comes
from the handler's queries — scoping that answers 404 for a foreign object, a parent in the
body that answers 422, list filters — and those differ by engine. A case the guard refuses
(anonymous: 401 or the sign-in redirect; a role without the permission: 403) never reaches a
query of the route: Litestar runs guards before it resolves the handler's parameters, and the
guard decides from the caller's role alone (the session or token lookup before it is the same
for every route, and is exercised by every other case on both engines). Those 1,816 of ~4,700
cases are shared out between the halves by a stable hash of the case's id
(``one_engine``, see ``tests/conftest.py``), so each runs once and together the halves run
every case.
"""

from __future__ import annotations

import re
import zlib
from typing import Any

import pytest

from facilities.accounts.enums import Role
from facilities.accounts.permissions import has_permission
from tests.conftest import ENGINES
from tests.permission_matrix import matrix
from tests.permission_matrix.routes import ROUTES
from tests.permission_matrix.world import ROLES, World

SKIPPED_PREFIXES = ("/static", "/schema")


def _app_routes(app: Any) -> dict[str, str | None]:
    """``"METHOD /path"`` → the permission its handler declares (None if public)."""
    found: dict[str, str | None] = {}
    for route in app.routes:
        if route.path.startswith(SKIPPED_PREFIXES):
            continue
        for handler in getattr(route, "route_handlers", []):
            for method in sorted(handler.http_methods - {"OPTIONS", "HEAD"}):
                public = handler.opt.get("public")
                found[f"{method} {route.path}"] = None if public else handler.opt.get("permission")
    return found


def refused_by_the_guard(route: matrix.R, role: str, target: str) -> bool:
    """The guard answers this case (401, sign-in, 403) before any query of the route runs."""
    if route.perm == matrix.PUBLIC:
        return False
    if role != "anonymous" and has_permission(Role(role), route.perm):
        return False
    return matrix.expected(route, role, target) in (401, 403, matrix.LOGIN)


def engine_of(case_id: str) -> str:
    """The half of ``make test`` that runs a guard case (see the module docstring)."""
    return ENGINES[zlib.crc32(case_id.encode()) % len(ENGINES)]


def _cases() -> list[Any]:
    cases = []
    for route in ROUTES:
        for role in ROLES:
            for target in route.targets(role):
                case_id = f"{route.key} [{role} {target}]"
                marks: list[Any] = []
                for key in (f"{role}/{target}", f"*/{target}", role):
                    if key in route.xfail:
                        marks.append(pytest.mark.xfail(strict=True, reason=route.xfail[key]))
                        break
                if refused_by_the_guard(route, role, target):
                    marks.append(pytest.mark.one_engine(engine_of(case_id)))
                cases.append(pytest.param(route, role, target, id=case_id, marks=marks))
    return cases


@pytest.mark.parametrize(("route", "role", "target"), _cases())
async def test_route(world: World, route: matrix.R, role: str, target: str) -> None:
    outcome = matrix.expected(route, role, target)
    response = await matrix.run(world, route, role, target)
    assert matrix.matches(outcome, response), (
        f"{route.key} as {role} on a {target} object: expected {outcome}, got "
        f"{response.status_code} {response.headers.get('location', '')} {_summary(response)}"
    )


def _summary(response: Any) -> str:
    """The answer's gist: a JSON body, or the error texts of a page."""
    if "html" not in response.headers.get("content-type", ""):
        return str(response.text[:300])
    errors = re.findall(r'(?:class="error"[^>]*|href="#f-[^"]*")>\s*([^<]+)', response.text)
    title = re.search(r"<title>([^<]*)</title>", response.text)
    return f"{title.group(1) if title else ''} {' | '.join(e.strip() for e in errors)[:300]}"


def test_every_route_is_declared(app: Any) -> None:
    declared = {r.key for r in ROUTES}
    missing = sorted(set(_app_routes(app)) - declared)
    assert not missing, (
        "routes without a declaration in tests/permission_matrix/routes.py (add each to its "
        "domain's section, with its permission, path ids and a minimal body):\n"
        + "\n".join(missing)
    )


def test_no_stale_declarations(app: Any) -> None:
    stale = sorted({r.key for r in ROUTES} - set(_app_routes(app)))
    assert not stale, "declared in routes.py but not in the app:\n" + "\n".join(stale)


def test_declarations_are_unique_and_name_real_permissions(app: Any) -> None:
    keys = [r.key for r in ROUTES]
    assert len(keys) == len(set(keys)), "a route is declared twice"
    assert not matrix.check_permissions(ROUTES)
    actual = _app_routes(app)
    differ = [
        f"{r.key}: declared {r.perm}, handler says {actual[r.key] or matrix.PUBLIC}"
        for r in ROUTES
        if r.key in actual and r.perm != (actual[r.key] or matrix.PUBLIC)
    ]
    assert not differ, "\n".join(differ)


UNKNOWN_SECRETS = {
    "report_token": "x" * 32,
    "report_signed": "report-1.AAAAAAAAAAAAAAAAAAAAAAAA",
    "magic_token": "y" * 43,
    "feed_token": "z" * 43 + ".ics",
    "public_code": "TNOSUCHCODE0",
}
# The reset form renders for any token (checked when sent): see routes.py.
SECRET_ROUTES = [
    r
    for r in ROUTES
    if r.perm == matrix.PUBLIC and any(kind in UNKNOWN_SECRETS for _, _, kind in r.params())
]


@pytest.mark.parametrize("route", SECRET_ROUTES, ids=[r.key for r in SECRET_ROUTES])
async def test_unknown_secrets_answer_404(world: World, route: matrix.R) -> None:
    """Every secret URL (feed, magic link, status links, QR page) with a token nobody
    issued answers 404, for an anonymous caller."""
    values = {}
    for name, _conv, kind in route.params():
        values[name] = UNKNOWN_SECRETS.get(kind, world.ids.get((kind, "own")))
    path = re.sub(r"\{(\w+):\w+\}", lambda m: str(values[m.group(1)]), route.path)
    client = world.callers["anonymous"].page
    response = await client.request(route.method, path, files={"x": (None, "")})
    assert response.status_code == 404, f"{route.key} → {response.status_code}"

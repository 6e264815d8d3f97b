"""The matrix's machinery: a route declaration, the expected answer per role and target,
and running one case. The declarations themselves live in ``routes.py``.

Expected answers, unless a declaration says otherwise:

* anonymous: 401 on the API, the sign-in page (a redirect to /login) on pages; public
  routes answer as for anyone.
* a role without the declared permission: 403 (whatever the object).
* with it, its own object: *allowed*, i.e. past the guard and the scoping: any answer but
  401, 403, 404 and 5xx (a 409 for a state that does not allow the step is fine).
* with it, a foreign object (another region, site or partner than the caller's scope): 404,
  never 403 or 409, so ids leak nothing. Admins see everything: allowed.
* an admin and an id no row has ("missing"): 404.
* a parent named in the body (``body_kind``: the site of a new work order, ...) out of
  scope or unknown: 422 naming the field, the same answer for both.
* a secret URL (feed, magic link, status link, QR page, reset link): a valid token is
  allowed; an unknown or revoked one ("foreign") answers 404.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import httpx

from facilities.accounts.enums import Role
from facilities.accounts.permissions import PERMISSIONS, has_permission
from tests.permission_matrix.world import FOREIGN, MISSING, NO_SUCH_ID, OWN, Caller, World

PUBLIC = "public"
ALLOWED = "allowed"
LOGIN = "login"
Outcome = str | int | tuple[int, ...]  # ALLOWED, LOGIN, a status code or any of several

# What a path parameter names, by its name (then by the path it is in, see _kind).
KINDS = {
    "site_id": "site",
    "region_id": "region",
    "space_id": "space",
    "closure_id": "closure",
    "asset_id": "asset",
    "file_id": "asset_file",
    "code": "code",
    "name": "batch",
    "filename": "qr_file",
    "category_id": "category",
    "report_id": "report",
    "work_order_id": "work_order",
    "link_id": "magic_link",
    "item_id": "item",
    "template_id": "template",
    "schedule_id": "schedule",
    "feed_id": "feed",
    "contract_id": "contract",
    "document_id": "contract_document",
    "visit_id": "visit",
    "plan_id": "plan",
    "partner_id": "partner",
    "policy_id": "sla_policy",
    "webhook_id": "webhook",
    "message_id": "message",
    "user_id": "user",
    "token_id": "api_token",
    "signed": "report_signed",
    "meter_id": "meter",
    "period_id": "meter_period",
    "target_id": "target",
    "anomaly_id": "anomaly",
    "month": "month",
    "incident_id": "incident",
    "certificate_id": "certificate",
    "doc_id": "certificate_document",
    "completion_id": "training_completion",
    "source_id": "device_source",
    "endpoint_id": "ticket_endpoint",
    "rollout_id": "rollout",
    "inspection_id": "inspection",
    "finding_id": "finding",
    "programme_id": "programme",
    "item_key": "inspection_item",
    "expense_id": "expense",
    "subscription_id": "subscription",
}
# Objects that belong to a site (and so to its region): foreign ones answer 404.
SITE_BOUND = frozenset(
    {
        "site",
        "space",
        "closure",
        "asset",
        "asset_file",
        "code",
        "blank_code",
        "qr_file",
        "report",
        "report_photo",
        "work_order",
        "wo_photo",
        "item",
        "photo_item",
        "magic_link",
        "schedule",
        "contract",
        "contract_document",
        "plan",
        "visit",
        "message",
        "meter",
        "meter_period",
        "incident",
        "incident_photo",
        "certificate",
        "certificate_document",
        "trainee",
        "training_completion",
        "device_source",
        "ticket_endpoint",
        "rollout",
        "inspection",
        "finding",
        "programme",
        "target",
        "anomaly",
        "expense",
    }
)
# Contracts and what hangs off them: ops managers see all of them, others by site/partner.
CONTRACT_BOUND = frozenset({"contract", "contract_document", "plan", "visit"})
# Objects that belong to the caller (a foreign one is another user's: 404, admins too).
OWNED = frozenset({"feed", "api_token", "report_link"})
OWNED = frozenset({"feed", "api_token", "subscription"})
# Secret URLs: a valid token is "own", an unknown or revoked one "foreign".
SECRET = frozenset(
    {
        "report_token",
        "report_signed",
        "magic_token",
        "feed_token",
        "reset_token",
        "public_code",
        "safety_link_token",
    }
)


@dataclass(frozen=True)
class R:
    """One route's declaration. ``path`` is the app's path template, exactly."""

    method: str
    path: str
    perm: str  # the permission the route needs, or PUBLIC
    json: Any = None  # a body, or ``lambda c: ...`` of a Ctx
    form: Any = None
    files: Any = None
    fresh: tuple[str, ...] = ()  # kinds made anew for each case (destroyed or consumed)
    kinds: dict[str, str] = field(default_factory=dict)  # parameter → kind, where not KINDS
    expect: dict[str, Outcome] = field(default_factory=dict)  # "role" or "role/target"
    xfail: dict[str, str] = field(default_factory=dict)  # "role/target" or "*/target" → why
    query: str = ""  # appended to the path ("start=...&end=...")
    multipart: bool = False  # send ``form`` as multipart/form-data
    body_kind: str | None = None  # the body names a parent of this kind (own/foreign/missing)
    partner_scoped: bool = False  # a partner id names the caller's own organisation
    after: Callable[[Ctx], Any] | None = None  # undo what the case did (awaited)

    @property
    def key(self) -> str:
        return f"{self.method} {self.path}"

    @property
    def is_api(self) -> bool:
        return self.path.startswith("/api/")

    def params(self) -> list[tuple[str, str, str]]:
        """(name, converter, kind) of every path parameter, in order."""
        found = re.findall(r"\{(\w+):(\w+)\}", self.path)
        return [(name, conv, self._kind(name)) for name, conv in found]

    def _kind(self, name: str) -> str:
        if name in self.kinds:
            return self.kinds[name]
        if name == "photo_id":
            if self.path.startswith(("/m/",)):
                return "magic_photo"
            if "/safety/incidents/" in self.path:
                return "incident_photo"
            return "report_photo" if "problem-reports" in self.path else "wo_photo"
        if name == "token":
            prefix = self.path.split("/")[1]
            return {
                "password-reset": "reset_token",
                "r": "report_token",
                "m": "magic_token",
                "calendar": "feed_token",
                "safety": "safety_link_token",
            }[prefix]
        if name == "code" and self.perm == PUBLIC:
            return "public_code"
        return KINDS[name]

    def deciding_kind(self) -> str | None:
        """The kind whose scope decides the foreign case (None: no foreign case)."""
        for _name, _conv, kind in self.params():
            if kind in SITE_BOUND | OWNED | SECRET or kind == "region":
                return kind
            if kind == "partner" and self.partner_scoped:
                return kind
        return self.body_kind

    def targets(self, role: str) -> list[str]:
        targets = [OWN]
        if self.deciding_kind() is not None:
            targets.append(FOREIGN)
        has_id = any(c == "int" for _, c, _ in self.params()) or self.body_kind is not None
        if role == "admin" and self.perm != PUBLIC and has_id:
            targets.append(MISSING)
        return targets


def expected(route: R, role: str, target: str) -> Outcome:
    # "role/target" and "role" override everything; "*/target" only callers who got past
    # the guard (anonymous and roles without the permission keep 401 / 403).
    for key in (f"{role}/{target}", role):
        if key in route.expect:
            return route.expect[key]
    if route.perm == PUBLIC:
        return route.expect.get(f"*/{target}", ALLOWED if target == OWN else 404)
    if role == "anonymous":
        return 401 if route.is_api else LOGIN
    if not has_permission(Role(role), route.perm):
        return 403
    if f"*/{target}" in route.expect:
        return route.expect[f"*/{target}"]
    if target == OWN:
        return ALLOWED
    kind = route.deciding_kind()
    by_body = not route.params() and route.body_kind is not None
    if target == MISSING:
        # A parent named in the body that does not exist names the field: 422.
        return 422 if by_body else 404
    if kind in OWNED:
        return 404
    if role == "admin":
        return ALLOWED
    if kind == "partner":
        return 404 if role == "partner" else ALLOWED
    if kind in CONTRACT_BOUND and role == "ops_manager":
        return ALLOWED  # ops see every contract (permissions.py: "contracts.view: ops all")
    # A parent out of scope named in the body answers like an unknown one: 422 naming the
    # field (the same answer, so it leaks nothing); one in the path answers 404.
    return 422 if by_body else 404


def matches(outcome: Outcome, response: httpx.Response) -> bool:
    status = response.status_code
    if isinstance(outcome, tuple):
        return status in outcome
    if outcome == ALLOWED:
        return status not in (401, 403, 404) and status < 500
    if outcome == LOGIN:
        return status in (302, 303) and "/login" in response.headers.get("location", "")
    return status == outcome


@dataclass
class Ctx:
    """What a body builder sees: the world, the caller and the side of the case."""

    world: World
    caller: Caller
    side: str
    values: dict[str, Any]

    def id(self, kind: str) -> Any:
        """The object of the case's side; for "missing", an id no row has."""
        if self.side == MISSING:
            return NO_SUCH_ID
        side = self.side
        return self.world.ids.get((kind, side), self.world.ids.get((kind, OWN)))

    def own(self, kind: str) -> Any:
        return self.world.id(kind, OWN)


async def run(world: World, route: R, role: str, target: str) -> httpx.Response:
    caller = world.callers[role]
    side = FOREIGN if target == FOREIGN else OWN
    values: dict[str, Any] = {}
    first_int: str | None = None
    for name, conv, kind in route.params():
        if conv == "int" and first_int is None:
            first_int = name
        if kind in route.fresh:
            values[name] = await world.fresh(kind, side, caller)
        elif kind == "feed":
            owner = world.callers["foreign_user"] if side == FOREIGN else caller
            values[name] = owner.feed_id or world.callers["admin"].feed_id
        elif kind == "api_token":
            owner = world.callers["foreign_user"] if side == FOREIGN else caller
            values[name] = owner.token_id or world.callers["admin"].token_id
        elif (kind, side) in world.ids:
            values[name] = world.ids[kind, side]
        else:
            values[name] = world.ids[kind, OWN]
    if target == MISSING and first_int is not None:
        values[first_int] = NO_SUCH_ID
    path = re.sub(r"\{(\w+):\w+\}", lambda m: str(values[m.group(1)]), route.path)
    ctx = Ctx(world, caller, target, values)
    kwargs: dict[str, Any] = {}
    for name in ("json", "form", "files"):
        value = getattr(route, name)
        if callable(value):
            value = value(ctx)
        if value is not None:
            kwargs["data" if name == "form" else name] = value
    if route.multipart and "data" in kwargs:
        fields = {k: (None, str(v)) for k, v in kwargs.pop("data").items()}
        kwargs["files"] = {**fields, **kwargs.get("files", {})}
    if route.query:
        path = f"{path}?{route.query}"
    client = caller.api if route.is_api else caller.page
    if "session" in route.fresh and caller.user is not None:
        client = await world.session(caller.user)  # the case ends this session
    response = await client.request(route.method, path, **kwargs)
    if route.after is not None:
        await route.after(ctx)
    return response


def check_permissions(routes: list[R]) -> list[str]:
    return [
        f"{r.key}: unknown permission {r.perm!r}"
        for r in routes
        if r.perm != PUBLIC and r.perm not in PERMISSIONS
    ]

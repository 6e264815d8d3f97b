"""Who is calling: the signed-in user, resolved once per request (and briefly cached), and
``actor(request)``, the principal a handler acts as."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal

from facilities.accounts.enums import Role
from facilities.accounts.permissions import has_permission
from facilities.kit.errors import PermissionDenied
from facilities.kit.web import Req


@dataclass(slots=True)
class Principal:
    user_id: int | None  # None: a contractor acting through a magic link (no account)
    email: str
    name: str
    role: Role
    locale: str
    partner_organisation_id: int | None
    # "link": the creator of a secret link (calendar feed), re-read at each use.
    via: Literal["session", "token", "magic_link", "link"]
    credential_id: int
    # Per-principal memo for derived scope (e.g. visible site ids), cached with the principal.
    memo: dict[str, Any] = field(default_factory=dict)

    def can(self, permission: str) -> bool:
        return has_permission(self.role, permission)

    @property
    def account_id(self) -> int:
        """The user id of a signed-in caller; a magic-link contractor has no account."""
        if self.user_id is None:
            raise PermissionDenied()
        return self.user_id

    @property
    def is_admin(self) -> bool:
        return self.role is Role.admin

    @property
    def label(self) -> str:
        if self.via == "magic_link":
            return f"{self.name} <{self.email}> (link)"
        return f"{self.name} <{self.email}>"


def actor(request: Req) -> Principal:
    """The principal the auth middleware put on the request (the permission guard ran first,
    so every handler that is not public has one)."""
    principal = request.scope.get("user")
    assert principal is not None  # the permission guard ran first
    return principal

"""Who is calling: the signed-in user, resolved once per request (and briefly cached)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal

from facilities.accounts.enums import Role
from facilities.accounts.permissions import has_permission


@dataclass(slots=True)
class Principal:
    user_id: int
    email: str
    name: str
    role: Role
    locale: str
    partner_organisation_id: int | None
    via: Literal["session", "token"]
    credential_id: int
    # Per-principal memo for derived scope (e.g. visible site ids), cached with the principal.
    memo: dict[str, Any] = field(default_factory=dict)

    def can(self, permission: str) -> bool:
        return has_permission(self.role, permission)

    @property
    def is_admin(self) -> bool:
        return self.role is Role.admin

    @property
    def label(self) -> str:
        return f"{self.name} <{self.email}>"

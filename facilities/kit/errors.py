"""One error hierarchy; ``facilities.web.errors`` renders it as JSON or as a page."""

from __future__ import annotations

from dataclasses import dataclass, field

from facilities.kit.i18n import _


@dataclass(frozen=True, slots=True)
class FieldError:
    field: str
    message: str


@dataclass
class FacilitiesError(Exception):
    """An expected failure with a user-facing (already translated) message."""

    message: str
    status_code: int = 400
    code: str = "bad_request"
    fields: list[FieldError] = field(default_factory=list)

    def __str__(self) -> str:
        return self.message


class NotFound(FacilitiesError):
    def __init__(self, message: str | None = None) -> None:
        super().__init__(
            message or _("It does not exist, or you may not see it."), 404, "not_found"
        )


class Conflict(FacilitiesError):
    def __init__(self, message: str, *, field: str | None = None) -> None:
        fields = [FieldError(field, message)] if field else []
        super().__init__(message, 409, "conflict", fields)


class PermissionDenied(FacilitiesError):
    def __init__(self, message: str | None = None) -> None:
        super().__init__(message or _("You may not do this."), 403, "permission_denied")


class NotAuthenticated(FacilitiesError):
    def __init__(self, message: str | None = None) -> None:
        super().__init__(message or _("Please sign in."), 401, "not_authenticated")


class RateLimited(FacilitiesError):
    def __init__(self, message: str, retry_after: int = 60) -> None:
        super().__init__(message, 429, "rate_limited")
        self.retry_after = retry_after


class RuleViolation(FacilitiesError):
    """Well-formed input that breaks a business rule (422, naming the field)."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(message, 422, "invalid", [FieldError(field, message)])


class InvalidInput(FacilitiesError):
    """Several field errors at once (422)."""

    def __init__(self, fields: list[FieldError], message: str | None = None) -> None:
        summary = message or "; ".join(f"{e.field}: {e.message}" for e in fields)
        super().__init__(summary, 422, "invalid", fields)

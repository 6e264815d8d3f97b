"""The one way any domain sends a notification (STUB: the notifications helper implements it).

Call ``notify`` **inside the transaction of the change that causes it**: the message is
written to the outbox in that transaction and delivered later by the outbox job (SMTP with
retries; webhooks subscribed to the event get a signed delivery from the same outbox).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True, slots=True)
class Recipient:
    """A user (preferences and language come from the account) or a bare e-mail address
    (an anonymous reporter, a partner organisation's contact) with an explicit language."""

    user_id: int | None = None
    email: str = ""
    name: str = ""
    locale: str = "en"


async def notify(
    event: str,
    *,
    recipients: Sequence[Recipient],
    context: Mapping[str, Any],
    dedupe_key: str | None = None,
) -> int:
    """Queue ``event`` for each recipient (respecting their preferences) and for every
    webhook subscribed to it; returns how many outbox rows were written.

    ``context`` holds the template variables the event's templates need (JSON-serialisable
    values; datetimes are allowed and rendered in the recipient's language). A missing
    variable raises at call time, naming it. ``dedupe_key`` makes a repeat a no-op (per
    recipient), e.g. ``f"sla:{order_id}:resolution:at_risk:community_manager"``.
    """
    raise NotImplementedError

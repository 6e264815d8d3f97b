"""Red / amber / green of certificates and the reminder thresholds."""

from __future__ import annotations

from datetime import date
from enum import StrEnum

from facilities.kit.i18n import N_


class Rag(StrEnum):
    red = "red"
    amber = "amber"
    green = "green"


RAG_LABELS = {
    Rag.red: N_("Expired"),
    Rag.amber: N_("Expires soon"),
    Rag.green: N_("Valid"),
}

AMBER_DAYS = 60  # a certificate expiring within this many days is amber
# Reminders before expiry, in days; 0 = on the day it expires (then it is red). One reminder
# per certificate, expiry date and threshold (the outbox's dedupe key).
REMINDER_DAYS = (60, 30, 7, 0)


class AppliesTo(StrEnum):
    site = "site"
    asset = "asset"


APPLIES_TO_LABELS = {
    AppliesTo.site: N_("A site"),
    AppliesTo.asset: N_("An asset"),
}


def rag(expires_on: date, today: date, amber_days: int = AMBER_DAYS) -> Rag:
    """Red once the expiry day has passed (valid through its expiry day), amber within
    ``amber_days`` of it, green before."""
    days = (expires_on - today).days
    if days < 0:
        return Rag.red
    if days <= amber_days:
        return Rag.amber
    return Rag.green


def reminder_threshold(expires_on: date, today: date) -> int | None:
    """The smallest threshold already reached (None: none yet, or long expired)."""
    days = (expires_on - today).days
    if days < -30:
        return None  # expired more than a month ago: the register shows it red, no mails
    reached = [t for t in REMINDER_DAYS if days <= t]
    return min(reached) if reached else None

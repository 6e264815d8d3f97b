"""Reminders before a certificate expires, through the notifications outbox.

For each certificate whose expiry is within a reminder threshold (``enums.REMINDER_DAYS``:
60, 30, 7 days before, and on the day), notify ``certificate_expiring`` to its responsible
person, else to the ops managers of its site's region (every active ops manager when none is
assigned there). The dedupe key ``certificate:<id>:<expiry>:<threshold>`` makes each
reminder once per certificate, expiry date and threshold, however often the job runs (and
in however many scheduler processes).
"""

from __future__ import annotations

from datetime import UTC, timedelta
from typing import Any

from facilities import db
from facilities.accounts.enums import Role
from facilities.kit import clock
from facilities.kit.rows import to_date
from facilities.notifications.notify import Recipient, notify
from facilities.safety.compliance.enums import REMINDER_DAYS, reminder_threshold
from facilities.safety.compliance.queries import local_today


async def ops_managers_of_site(site_id: int) -> list[int]:
    rows = await db.raw(
        "SELECT DISTINCT u.id FROM app_user u"
        ' JOIN region_assignment ra ON ra."user" = u.id'
        " JOIN site s ON s.region = ra.region"
        " WHERE s.id = {} AND u.role = {} AND u.active = {} ORDER BY u.id",
        site_id,
        Role.ops_manager.value,
        True,
    )
    ids = [int(dict(r)["id"]) for r in rows]
    if ids:
        return ids
    rows = await db.raw(
        "SELECT id FROM app_user WHERE role = {} AND active = {} ORDER BY id",
        Role.ops_manager.value,
        True,
    )
    return [int(dict(r)["id"]) for r in rows]


async def remind_certificates() -> int:
    """Queue the certificate reminders that are due; returns how many outbox rows."""
    horizon = clock.now().astimezone(UTC).date() + timedelta(days=max(REMINDER_DAYS) + 1)
    rows: list[dict[str, Any]] = [
        dict(r)
        for r in await db.raw(
            "SELECT c.id, c.site, c.expires_on, c.responsible_user, s.name AS site_name,"
            " s.time_zone, t.name_en, t.name_de FROM safety_certificate c"
            " JOIN site s ON s.id = c.site"
            " JOIN safety_certificate_type t ON t.id = c.certificate_type"
            " WHERE c.expires_on <= {} ORDER BY c.id",
            horizon,
        )
    ]
    written = 0
    for row in rows:
        expires = to_date(row["expires_on"])
        today = local_today(row["time_zone"])
        threshold = reminder_threshold(expires, today)
        if threshold is None:
            continue
        users = (
            [int(row["responsible_user"])]
            if row["responsible_user"] is not None
            else await ops_managers_of_site(int(row["site"]))
        )
        if not users:
            continue
        async with db.transaction():
            written += await notify(
                "certificate_expiring",
                recipients=[Recipient(user_id=u) for u in users],
                context={
                    "certificate_id": row["id"],
                    "site_id": row["site"],
                    "site_name": row["site_name"],
                    "type_name_en": row["name_en"],
                    "type_name_de": row["name_de"],
                    "expires_on": expires,
                    "days_left": (expires - today).days,
                },
                dedupe_key=f"certificate:{row['id']}:{expires.isoformat()}:{threshold}",
            )
    return written

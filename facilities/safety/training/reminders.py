"""Reminders before a training expires, through the notifications outbox.

For each person's latest completion of a training whose ``valid_until`` is within 30 days
(or today), notify ``training_expiring`` to the person (a user by account, a named person
by e-mail if known). The dedupe key ``training:<subject>:<type>:<valid until>:<threshold>``
sends each reminder once, however often the job runs."""

from __future__ import annotations

from datetime import UTC, timedelta
from typing import Any

from facilities import db
from facilities.kit import clock
from facilities.kit.rows import to_date
from facilities.notifications.notify import Recipient, notify
from facilities.safety.training.enums import REMINDER_DAYS


async def remind_trainings() -> int:
    today = clock.now().astimezone(UTC).date()
    horizon = today + timedelta(days=max(REMINDER_DAYS))
    rows: list[dict[str, Any]] = [
        dict(r)
        for r in await db.raw(
            'SELECT c.subject, c.training_type, c.valid_until, c."user", c.trainee,'
            " t.name_en, t.name_de, p.email AS trainee_email, p.name AS trainee_name"
            " FROM safety_training_completion c"
            " JOIN safety_training_type t ON t.id = c.training_type"
            " LEFT JOIN safety_trainee p ON p.id = c.trainee"
            " WHERE c.valid_until IS NOT NULL AND c.valid_until >= {} AND c.valid_until <= {}"
            " AND NOT EXISTS (SELECT 1 FROM safety_training_completion n"
            " WHERE n.subject = c.subject AND n.training_type = c.training_type"
            " AND n.completed_on > c.completed_on)"
            " ORDER BY c.id",
            today,
            horizon,
        )
    ]
    written = 0
    for row in rows:
        until = to_date(row["valid_until"])
        days = (until - today).days
        threshold = min(t for t in REMINDER_DAYS if days <= t)
        if row["user"] is not None:
            recipient = Recipient(user_id=int(row["user"]))
        elif row["trainee_email"]:
            recipient = Recipient(email=row["trainee_email"], name=row["trainee_name"])
        else:
            continue
        async with db.transaction():
            written += await notify(
                "training_expiring",
                recipients=[recipient],
                context={
                    "training_name_en": row["name_en"],
                    "training_name_de": row["name_de"],
                    "valid_until": until,
                    "days_left": days,
                },
                dedupe_key=(
                    f"training:{row['subject']}:{row['training_type']}:"
                    f"{until.isoformat()}:{threshold}"
                ),
                webhooks=False,
            )
    return written

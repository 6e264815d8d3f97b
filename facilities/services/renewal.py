"""The daily contract job: statuses from dates, automatic renewal, renewal reminders.

* ``refresh_contracts(today)``: a non-draft contract with automatic renewal whose end date
  has passed runs on by whole renewal terms (audited); then every non-draft contract's
  stored status is rewritten from its dates (``rules.derived_status``).
* ``remind_renewals(today)``: for every non-draft, automatically renewing contract whose
  notice deadline
  (end date - notice period) is between today and today + ``FACILITIES_CONTRACT_RENEWAL_DAYS``
  (30), notify ``contract_renewal_due`` to the ops managers of the regions of the contract's
  sites (all active ops managers when none is assigned there). The dedupe key
  ``contract-renewal:<id>:<end date>`` makes the reminder once per contract term, however
  often the job runs.
"""

from __future__ import annotations

import logging
from datetime import UTC, date, timedelta

from facilities import db
from facilities.accounts import audit
from facilities.accounts.enums import Role
from facilities.kit import clock
from facilities.kit.rows import to_date
from facilities.services.config import service_settings
from facilities.services.enums import ContractStatus
from facilities.services.rules import derived_status, notice_deadline, renewed_end
from facilities.services.tables import ServiceContract

log = logging.getLogger(__name__)


def _today() -> date:
    return clock.now().astimezone(UTC).date()


async def refresh_contracts(today: date | None = None) -> int:
    """Renew and re-derive statuses; returns how many contracts changed."""
    today = today or _today()
    changed = 0
    async with db.transaction():
        rows = [
            dict(r)
            for r in await db.raw(
                "SELECT id, name, status, start_date, end_date, notice_days, auto_renew,"
                " renewal_term_months FROM service_contract WHERE status <> {}",
                ContractStatus.draft.value,
            )
        ]
        for row in rows:
            start, end = to_date(row["start_date"]), to_date(row["end_date"])
            updates: dict[object, object] = {}
            if row["auto_renew"] and end < today:
                new_end = renewed_end(end, row["renewal_term_months"], today)
                updates[ServiceContract.end_date] = new_end
                await audit.record(
                    actor=None,
                    action="contract.renew",
                    object_type="service_contract",
                    object_id=row["id"],
                    summary=row["name"],
                    before={"end_date": end},
                    after={"end_date": new_end},
                )
                end = new_end
            status = derived_status(row["status"], start, end, row["notice_days"], today).value
            if status != row["status"]:
                updates[ServiceContract.status] = status
            if updates:
                updates[ServiceContract.updated_at] = clock.now()
                await ServiceContract.update(updates).where(ServiceContract.id == row["id"])  # type: ignore[arg-type]
                changed += 1
    return changed


async def _ops_managers(contract_id: int) -> list[int]:
    rows = await db.raw(
        "SELECT DISTINCT u.id FROM app_user u"
        ' JOIN region_assignment ra ON ra."user" = u.id'
        " JOIN site s ON s.region = ra.region"
        " JOIN service_contract_site cs ON cs.site = s.id"
        " WHERE cs.contract = {} AND u.role = {} AND u.active = {} ORDER BY u.id",
        contract_id,
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


async def remind_renewals(today: date | None = None) -> int:
    """Queue the reminders that are due; returns how many outbox rows were written."""
    from facilities.notifications.notify import Recipient, notify

    today = today or _today()
    horizon = today + timedelta(days=service_settings().contract_renewal_days)
    rows = [
        dict(r)
        for r in await db.raw(
            "SELECT c.id, c.name, c.end_date, c.notice_days, c.start_date, c.status,"
            " p.name AS provider_name FROM service_contract c"
            " JOIN partner_organisation p ON p.id = c.provider"
            " WHERE c.status <> {} AND c.auto_renew = {} ORDER BY c.id",
            ContractStatus.draft.value,
            True,
        )
    ]
    written = 0
    for row in rows:
        end = to_date(row["end_date"])
        deadline = notice_deadline(end, row["notice_days"])
        if not today <= deadline <= horizon or end < today:
            continue
        recipients = [Recipient(user_id=u) for u in await _ops_managers(row["id"])]
        if not recipients:
            continue
        async with db.transaction():
            written += await notify(
                "contract_renewal_due",
                recipients=recipients,
                context={
                    "contract_id": row["id"],
                    "contract_name": row["name"],
                    "provider_name": row["provider_name"],
                    "notice_deadline": deadline,
                    "end_date": end,
                },
                dedupe_key=f"contract-renewal:{row['id']}:{end.isoformat()}",
            )
    return written


async def run_daily() -> None:
    await refresh_contracts()
    try:
        await remind_renewals()
    except NotImplementedError:  # pragma: no cover - before notifications exist
        log.warning("notifications are not available yet: renewal reminders skipped")

"""Label codes of meters (in ``qr_code`` through ``assets.codes``; see ``labels.py``)."""

from __future__ import annotations

from facilities.accounts import audit
from facilities.accounts.principal import Principal
from facilities.assets import codes
from facilities.assets.queries import target_codes
from facilities.db import transaction
from facilities.sustainability import queries
from facilities.sustainability.tables import Meter

KIND = queries.METER_LABEL  # ``qr_code.target_kind`` of a meter's label


async def issue_meter_code(*, actor: Principal | None, meter_id: int, site_id: int) -> str:
    """A new label code for the meter (inside the caller's transaction); an earlier one is
    marked replaced. Audited."""
    code = await codes.issue_for_target(actor=actor, kind=KIND, target_id=meter_id)
    await audit.record(
        actor=actor,
        action="meter.label",
        object_type="meter",
        object_id=meter_id,
        summary=code,
        site_id=site_id,
        after={"code": code},
    )
    return code


async def backfill_meter_codes(*, actor: Principal | None = None) -> int:
    """Give every meter without an active label code one (meters made before meters had
    labels); run once by a migration, so printing a label only reads. Returns how many."""
    async with transaction():
        meters = {int(r["id"]): int(r["site"]) for r in await Meter.select(Meter.id, Meter.site)}
        found = await target_codes(KIND, list(meters))
        missing = [m for m in sorted(meters) if m not in found]
        for meter_id in missing:
            await issue_meter_code(actor=actor, meter_id=meter_id, site_id=meters[meter_id])
        return len(missing)

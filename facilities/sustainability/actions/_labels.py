"""Label codes of meters (in ``qr_code`` through ``assets.codes``; see ``labels.py``)."""

from __future__ import annotations

from facilities.accounts import audit
from facilities.accounts.principal import Principal
from facilities.assets import codes
from facilities.assets.queries import target_codes
from facilities.db import transaction
from facilities.sustainability import queries

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


async def ensure_meter_codes(*, actor: Principal, meters: dict[int, int]) -> dict[int, str]:
    """Each meter's (``meter id → site id``, already checked visible) active label code,
    issuing one where a meter has none (made before meters had labels)."""
    async with transaction():
        found = await target_codes(KIND, list(meters))
        for meter_id, site_id in meters.items():
            if meter_id not in found:
                found[meter_id] = await issue_meter_code(
                    actor=actor, meter_id=meter_id, site_id=site_id
                )
        return found

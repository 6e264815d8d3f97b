"""Reminders before a certificate expires: through the outbox, once per certificate and
threshold however often the job runs."""

from __future__ import annotations

from datetime import UTC, date, datetime

from facilities import db
from facilities.accounts.enums import Role
from facilities.kit import clock
from facilities.safety.compliance import actions
from facilities.safety.compliance.reminders import remind_certificates
from facilities.safety.compliance.schemas import CertificateCreate
from facilities.safety.compliance.tables import CertificateType
from tests import builders
from tests.safety.helpers import place


async def _outbox() -> list[dict]:
    return await db.raw(
        "SELECT recipient, subject FROM outbox_message WHERE event = 'certificate_expiring'"
        " ORDER BY id"
    )


async def test_one_reminder_per_certificate_and_threshold() -> None:
    here = await place()
    ops = await builders.user(Role.ops_manager, email="ops@example.com")
    await builders.assign(ops, regions=[here.region.id])
    await actions.seed_certificate_types()
    kind = await CertificateType.select().where(CertificateType.key == "fire_safety").first()
    with clock.pinned(datetime(2026, 6, 1, 6, 0, tzinfo=UTC)):
        await actions.create_certificate(
            actor=await builders.system(),
            data=CertificateCreate(
                certificate_type_id=kind["id"],
                site_id=here.site.id,
                issued_on=date(2025, 7, 1),
                expires_on=date(2026, 7, 1),
            ),
        )
        assert await remind_certificates() == 1  # 30 days left: the 60-day threshold
        assert await remind_certificates() == 0  # again the same day: nothing new
    with clock.pinned(datetime(2026, 6, 2, 6, 0, tzinfo=UTC)):
        assert await remind_certificates() == 0  # still the same threshold
    with clock.pinned(datetime(2026, 6, 25, 6, 0, tzinfo=UTC)):
        assert await remind_certificates() == 1  # 6 days left: the 7-day threshold
        assert await remind_certificates() == 0
    sent = await _outbox()
    assert [m["recipient"] for m in sent] == ["ops@example.com", "ops@example.com"]
    assert "Fire-safety inspection" in sent[0]["subject"]

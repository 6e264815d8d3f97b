"""Writes of the compliance register: certificate types (and the shipped defaults),
certificates, their documents, and the renewal work order of an expiring or expired one
(only through ``workorders.creation.create_work_orders``)."""

from __future__ import annotations

from datetime import date
from functools import partial
from typing import Any

import anyio
import msgspec
from dateutil.relativedelta import relativedelta

from facilities.accounts import audit
from facilities.accounts.principal import Principal
from facilities.accounts.tables import PartnerOrganisation, User
from facilities.assets.tables import Asset
from facilities.db import transaction
from facilities.kit import clock, uploads
from facilities.kit.errors import Conflict, RuleViolation
from facilities.kit.i18n import _, format_date, in_installation_language
from facilities.kit.rows import to_date
from facilities.maintenance.tables import WorkOrder
from facilities.maintenance.workorders.creation import NewWorkOrder, create_work_orders
from facilities.maintenance.workorders.schemas import Origin, Priority, WorkOrderCreate
from facilities.safety.compliance import queries
from facilities.safety.compliance.defaults import CERTIFICATE_TYPES
from facilities.safety.compliance.enums import AppliesTo, Rag
from facilities.safety.compliance.schemas import (
    CertificateCreate,
    CertificateRead,
    CertificateTypeCreate,
    CertificateTypeRead,
    CertificateUpdate,
)
from facilities.safety.compliance.tables import Certificate, CertificateDocument, CertificateType
from facilities.sites import scope

CLOSED_ORDER_STATES = ("completed", "verified", "cancelled", "closed")


async def seed_certificate_types() -> int:
    """Insert the shipped types that are missing (by key); returns how many. Idempotent."""
    added = 0
    async with transaction():
        existing = {r["key"] for r in await CertificateType.select(CertificateType.key)}
        for key, name_en, name_de, months, applies_to in CERTIFICATE_TYPES:
            if key in existing:
                continue
            await CertificateType(
                key=key,
                name_en=name_en,
                name_de=name_de,
                interval_months=months,
                applies_to=applies_to,
                shipped=True,
                active=True,
            ).save()
            added += 1
    return added


async def create_type(*, actor: Principal, data: CertificateTypeCreate) -> CertificateTypeRead:
    async with transaction():
        if await CertificateType.exists().where(CertificateType.key == data.key):
            raise Conflict(_("A type with this key exists already."), field="key")
        row = CertificateType(
            key=data.key,
            name_en=data.name_en.strip(),
            name_de=data.name_de.strip(),
            interval_months=data.interval_months,
            applies_to=data.applies_to.value,
            shipped=False,
            active=True,
        )
        await row.save()
        await audit.record(
            actor=actor,
            action="certificate_type.create",
            object_type="certificate_type",
            object_id=row.id,
            summary=data.key,
        )
        return queries.type_read(await queries.type_row(int(row.id)))


def _check_dates(issued_on: date, expires_on: date) -> None:
    if expires_on <= issued_on:
        raise RuleViolation("expires_on", _("The expiry date must come after the issue date."))


async def _check_people(user_id: int | None, partner_id: int | None) -> None:
    if user_id is not None and not await User.exists().where(User.id == user_id):
        raise RuleViolation("responsible_user_id", _("Unknown person."))
    if partner_id is not None and not await PartnerOrganisation.exists().where(
        PartnerOrganisation.id == partner_id
    ):
        raise RuleViolation("responsible_partner_id", _("Unknown partner."))


async def create_certificate(*, actor: Principal, data: CertificateCreate) -> CertificateRead:
    async with transaction():
        if not await scope.can_see_site(actor, data.site_id):
            raise RuleViolation("site_id", _("Unknown site: %(id)s.") % {"id": data.site_id})
        kind = (
            await CertificateType.select()
            .where(CertificateType.id == data.certificate_type_id)
            .first()
        )
        if kind is None:
            raise RuleViolation("certificate_type_id", _("Unknown certificate type."))
        if data.asset_id is not None:
            asset = await Asset.select(Asset.site).where(Asset.id == data.asset_id).first()
            if asset is None or asset["site"] != data.site_id:
                raise RuleViolation("asset_id", _("Choose an asset of the certificate's site."))
        elif kind["applies_to"] == AppliesTo.asset.value:
            raise RuleViolation("asset_id", _("This kind of certificate belongs to an asset."))
        expires_on = data.expires_on or data.issued_on + relativedelta(
            months=kind["interval_months"]
        )
        _check_dates(data.issued_on, expires_on)
        await _check_people(data.responsible_user_id, data.responsible_partner_id)
        now = clock.now()
        row = Certificate(
            certificate_type=data.certificate_type_id,
            site=data.site_id,
            asset=data.asset_id,
            reference=data.reference.strip(),
            issued_on=data.issued_on,
            expires_on=expires_on,
            responsible_user=data.responsible_user_id,
            responsible_partner=data.responsible_partner_id,
            notes=data.notes.strip(),
            created_by=actor.user_id,
            created_at=now,
            updated_at=now,
        )
        await row.save()
        await audit.record(
            actor=actor,
            action="certificate.create",
            object_type="certificate",
            object_id=row.id,
            summary=f"{kind['key']} {data.issued_on}–{expires_on}",
            site_id=data.site_id,
        )
        return await queries.get_certificate(actor, int(row.id))


_COLUMNS: dict[str, Any] = {
    "issued_on": Certificate.issued_on,
    "expires_on": Certificate.expires_on,
    "reference": Certificate.reference,
    "responsible_user_id": Certificate.responsible_user,
    "responsible_partner_id": Certificate.responsible_partner,
    "notes": Certificate.notes,
}


async def update_certificate(
    *, actor: Principal, certificate_id: int, data: CertificateUpdate
) -> CertificateRead:
    async with transaction():
        before = await queries.certificate_row(actor, certificate_id)
        changes = {k: v for k, v in msgspec.structs.asdict(data).items() if v is not msgspec.UNSET}
        issued = changes.get("issued_on", before["issued_on"])
        expires = changes.get("expires_on", before["expires_on"])
        _check_dates(to_date(issued), to_date(expires))
        await _check_people(
            changes.get("responsible_user_id"), changes.get("responsible_partner_id")
        )
        columns: dict[Any, Any] = {Certificate.updated_at: clock.now()}
        for key, value in changes.items():
            columns[_COLUMNS[key]] = value.strip() if isinstance(value, str) else value
        await Certificate.update(columns).where(Certificate.id == certificate_id)
        await audit.record(
            actor=actor,
            action="certificate.update",
            object_type="certificate",
            object_id=certificate_id,
            summary=", ".join(sorted(changes)),
            site_id=before["site"],
            after=changes,
        )
        return await queries.get_certificate(actor, certificate_id)


async def add_document(
    *, actor: Principal, certificate_id: int, filename: str | None, content: bytes
) -> CertificateRead:
    """A PDF, office document or photo (recognised by its bytes; photos re-encoded)."""
    await queries.certificate_row(actor, certificate_id)
    if content[:5] == b"%PDF-" or content[:4] == b"PK\x03\x04":
        stored = await anyio.to_thread.run_sync(
            partial(uploads.store_document, content, field="file")
        )
    else:
        stored = await anyio.to_thread.run_sync(partial(uploads.store_image, content, field="file"))
    async with transaction():
        row = await queries.certificate_row(actor, certificate_id)
        name = (filename or "document").strip()[:200] or "document"
        doc = CertificateDocument(
            certificate=certificate_id,
            file_key=stored.key,
            content_type=stored.content_type,
            filename=name,
            size=stored.size,
            created_at=clock.now(),
        )
        await doc.save()
        await audit.record(
            actor=actor,
            action="certificate.document",
            object_type="certificate",
            object_id=certificate_id,
            summary=name,
            site_id=row["site"],
        )
        return await queries.get_certificate(actor, certificate_id)


async def raise_renewal(*, actor: Principal, certificate_id: int) -> CertificateRead:
    """A work order to renew an expired or soon expiring certificate, at its site (and
    asset), to the responsible partner if any (else the contract routing). 409 when it is
    still valid for long or a renewal order is open already."""
    async with transaction():
        cert = await queries.get_certificate(actor, certificate_id)
        row = await queries.certificate_row(actor, certificate_id)
        if cert.rag is Rag.green:
            raise Conflict(
                _("The certificate is valid for a while yet: no renewal needed."), field="rag"
            )
        if row["renewal_work_order"] is not None:
            order = (
                await WorkOrder.select(WorkOrder.status)
                .where(WorkOrder.id == row["renewal_work_order"])
                .first()
            )
            if order is not None and order["status"] not in CLOSED_ORDER_STATES:
                raise Conflict(
                    _("A renewal work order is open already: #%(id)d.")
                    % {"id": row["renewal_work_order"]},
                    field="renewal_work_order_id",
                )
        with in_installation_language():  # stored words (kit.i18n)
            type_name = (await queries.get_certificate(actor, certificate_id)).type_name
            title = _("Renew: %(type)s") % {"type": type_name}
            description = _("The certificate expires on %(date)s.") % {
                "date": format_date(cert.expires_on)
            }
            note = _("Renewal of certificate #%(id)d") % {"id": certificate_id}
        data = WorkOrderCreate(
            title=title[:200],
            site_id=cert.site_id,
            asset_id=cert.asset_id,
            description=description,
            priority=Priority.p2 if cert.rag is Rag.red else Priority.p3,
            partner_organisation_id=cert.responsible_partner_id,
        )
        [created] = await create_work_orders(
            actor=actor,
            orders=[
                NewWorkOrder(
                    data=data,
                    origin=Origin.safety,
                    note=note,
                    audit_extra={"certificate_id": certificate_id},
                )
            ],
        )
        await Certificate.update(
            {Certificate.renewal_work_order: created.id, Certificate.updated_at: clock.now()}
        ).where(Certificate.id == certificate_id)
        await audit.record(
            actor=actor,
            action="certificate.renewal",
            object_type="certificate",
            object_id=certificate_id,
            summary=f"#{created.id}",
            site_id=cert.site_id,
            after={"work_order_id": created.id},
        )
        return await queries.get_certificate(actor, certificate_id)

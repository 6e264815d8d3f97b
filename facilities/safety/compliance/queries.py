"""Reads of the compliance register, scoped in one place (``visibility``): admins every
certificate, ops managers, viewers and community managers those of their sites, partners
those they are responsible for. Anything else answers 404."""

from __future__ import annotations

from datetime import date
from typing import Any
from zoneinfo import ZoneInfo

from facilities.accounts.enums import Role
from facilities.accounts.principal import Principal
from facilities.kit import clock
from facilities.kit.errors import NotFound
from facilities.kit.i18n import current_locale
from facilities.kit.rows import dict_rows, to_date, to_struct
from facilities.safety.compliance.enums import rag
from facilities.safety.compliance.schemas import (
    CertificateRead,
    CertificateTypeRead,
    DocumentRead,
)
from facilities.safety.compliance.tables import Certificate, CertificateDocument, CertificateType
from facilities.sites import scope


def local_today(time_zone: str) -> date:
    return clock.now().astimezone(ZoneInfo(time_zone)).date()


def type_read(row: dict[str, Any]) -> CertificateTypeRead:
    name = row["name_de"] if current_locale() == "de" else row["name_en"]
    return to_struct(CertificateTypeRead, row, name=name)


async def list_types(*, active_only: bool = False) -> list[CertificateTypeRead]:
    query = CertificateType.select()
    if active_only:
        query = query.where(CertificateType.active == True)  # noqa: E712
    return [type_read(dict(r)) for r in await query.order_by(CertificateType.id)]


async def type_row(type_id: int) -> dict[str, Any]:
    row = await CertificateType.select().where(CertificateType.id == type_id).first()
    if row is None:
        raise NotFound()
    return dict(row)


async def visibility(principal: Principal) -> Any | None:
    """The condition on ``Certificate`` rows the principal may see (None: every row)."""
    if principal.role is Role.admin:
        return None
    if principal.role is Role.partner:
        return Certificate.responsible_partner == (principal.partner_organisation_id or -1)
    sites = await scope.visible_site_ids(principal) or set()
    return Certificate.site.is_in(sorted(sites) or [-1])


def _columns() -> list[Any]:
    return [
        *Certificate.all_columns(),
        Certificate.site.name.as_alias("site_name"),
        Certificate.site.time_zone.as_alias("time_zone"),
        Certificate.asset.name.as_alias("asset_name"),
        Certificate.certificate_type.name_en.as_alias("type_name_en"),
        Certificate.certificate_type.name_de.as_alias("type_name_de"),
        Certificate.responsible_user.name.as_alias("responsible_user_name"),
        Certificate.responsible_partner.name.as_alias("responsible_partner_name"),
    ]


def _read(row: dict[str, Any], documents: list[DocumentRead]) -> CertificateRead:
    today = local_today(row["time_zone"])
    expires = to_date(row["expires_on"])
    return to_struct(
        CertificateRead,
        row,
        {
            "certificate_type_id": "certificate_type",
            "site_id": "site",
            "asset_id": "asset",
            "responsible_user_id": "responsible_user",
            "responsible_partner_id": "responsible_partner",
            "renewal_work_order_id": "renewal_work_order",
        },
        type_name=row["type_name_de"] if current_locale() == "de" else row["type_name_en"],
        days_left=(expires - today).days,
        rag=rag(expires, today),
        documents=documents,
    )


async def certificate_row(principal: Principal, certificate_id: int) -> dict[str, Any]:
    query = Certificate.select(*_columns()).where(Certificate.id == certificate_id)
    condition = await visibility(principal)
    if condition is not None:
        query = query.where(condition)
    row = await query.first()
    if row is None:
        raise NotFound()
    return dict(row)


async def get_certificate(principal: Principal, certificate_id: int) -> CertificateRead:
    row = await certificate_row(principal, certificate_id)
    docs = (
        await CertificateDocument.select()
        .where(CertificateDocument.certificate == certificate_id)
        .order_by(CertificateDocument.id)
    )
    return _read(row, [to_struct(DocumentRead, d) for d in docs])


async def list_certificates(
    principal: Principal,
    *,
    site_id: int | None = None,
    site_ids: list[int] | None = None,
    status: str | None = None,
    limit: int = 1000,
) -> list[CertificateRead]:
    query = Certificate.select(*_columns())
    condition = await visibility(principal)
    if condition is not None:
        query = query.where(condition)
    if site_id is not None:
        query = query.where(Certificate.site == site_id)
    if site_ids is not None:
        query = query.where(Certificate.site.is_in(site_ids or [-1]))
    rows = await query.order_by(Certificate.expires_on).limit(limit)
    found = [_read(dict(r), []) for r in rows]
    if status is not None:
        found = [c for c in found if c.rag.value == status]
    return found


async def document_of(
    principal: Principal, certificate_id: int, document_id: int
) -> dict[str, Any]:
    await certificate_row(principal, certificate_id)
    row = (
        await CertificateDocument.select()
        .where(
            (CertificateDocument.id == document_id)
            & (CertificateDocument.certificate == certificate_id)
        )
        .first()
    )
    if row is None:
        raise NotFound()
    return dict(row)


async def responsible_people() -> list[dict[str, Any]]:
    """Staff who can be responsible for a certificate (id, name), by name."""
    return await dict_rows(
        "SELECT id, name FROM app_user WHERE active = {} AND role IN ({}, {}, {})"
        " ORDER BY name, id LIMIT 500",
        True,
        Role.ops_manager.value,
        Role.community_manager.value,
        Role.admin.value,
    )

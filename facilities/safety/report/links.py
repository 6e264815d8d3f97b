"""Share links of the safety report: read-only, no sign-in, expiring, revocable.

Like calendar feeds, a link stores only its token's SHA-256 and acts for its creator *as
the creator is now* (``accounts.queries.principal_for_link``): a deactivated creator kills
the link, and the report never shows more than the creator may see today, narrowed to the
link's site or region and period. An unknown token answers 404; a revoked or expired one
410 with the reason in words."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import msgspec

from facilities.accounts import audit
from facilities.accounts import queries as account_queries
from facilities.accounts.principal import Principal
from facilities.db import transaction
from facilities.kit import clock
from facilities.kit.errors import FacilitiesError, NotFound, RuleViolation
from facilities.kit.i18n import _
from facilities.kit.rows import aware, aware_or_none, to_date, to_struct
from facilities.kit.security import new_token, token_hash
from facilities.safety.report import queries
from facilities.safety.report.schemas import LinkCreate, LinkRead, ReportRead
from facilities.safety.report.tables import ReportLink
from facilities.settings import get_settings


class LinkGone(FacilitiesError):
    """A revoked or expired link: 410 with the reason."""

    def __init__(self, message: str) -> None:
        super().__init__(message, 410, "gone")


def _read(row: dict[str, Any]) -> LinkRead:
    now = clock.now()
    expires = aware(row["expires_at"])
    revoked = aware_or_none(row["revoked_at"])
    return to_struct(
        LinkRead,
        row,
        {"site_id": "site", "region_id": "region", "created_by_id": "created_by"},
        expires_at=expires,
        revoked_at=revoked,
        created_at=aware(row["created_at"]),
        period_from=to_date(row["period_from"]),
        period_to=to_date(row["period_to"]),
        live=revoked is None and expires > now,
    )


def _manages_every_link(actor: Principal) -> bool:
    return actor.can("users.manage")


async def create_link(*, actor: Principal, data: LinkCreate) -> LinkRead:
    async with transaction():
        # A site or region the caller may not see answers like an unknown one.
        queries.check_period(data.period_from, data.period_to)
        try:
            await queries.report_sites(actor, site_id=data.site_id, region_id=data.region_id)
        except NotFound:
            field = "site_id" if data.site_id is not None else "region_id"
            raise RuleViolation(field, _("Unknown site or region.")) from None
        token = new_token(32)
        now = clock.now()
        row = ReportLink(
            token_hash=token_hash(token),
            site=data.site_id,
            region=data.region_id if data.site_id is None else None,
            period_from=data.period_from,
            period_to=data.period_to,
            label=data.label.strip(),
            expires_at=now + timedelta(days=data.days),
            created_by=actor.user_id,
            created_at=now,
        )
        await row.save()
        await audit.record(
            actor=actor,
            action="safety_report_link.create",
            object_type="safety_report_link",
            object_id=row.id,
            summary=f"{data.period_from}–{data.period_to}",
            site_id=data.site_id,
        )
        saved = await ReportLink.select().where(ReportLink.id == row.id).first()
        assert saved is not None
        url = f"{get_settings().base_url.rstrip('/')}/safety/shared/{token}"
        return msgspec.structs.replace(_read(dict(saved)), url=url)


async def list_links(actor: Principal) -> list[LinkRead]:
    query = ReportLink.select().order_by(ReportLink.id, ascending=False)
    if not _manages_every_link(actor):
        query = query.where(ReportLink.created_by == actor.user_id)
    return [_read(dict(r)) for r in await query]


async def revoke_link(*, actor: Principal, link_id: int) -> LinkRead:
    async with transaction():
        query = ReportLink.select().where(ReportLink.id == link_id)
        if not _manages_every_link(actor):
            query = query.where(ReportLink.created_by == actor.user_id)
        row = await query.first()
        if row is None:
            raise NotFound()
        if row["revoked_at"] is None:
            await ReportLink.update({ReportLink.revoked_at: clock.now()}).where(
                ReportLink.id == link_id
            )
        await audit.record(
            actor=actor,
            action="safety_report_link.revoke",
            object_type="safety_report_link",
            object_id=link_id,
            site_id=row["site"],
        )
        saved = await ReportLink.select().where(ReportLink.id == link_id).first()
        assert saved is not None
        return _read(dict(saved))


@dataclass(frozen=True, slots=True)
class Shared:
    report: ReportRead
    link: LinkRead


async def report_for_token(token: str) -> Shared:
    """The report a link shows (404 unknown; 410 revoked or expired, saying which)."""
    if not 20 <= len(token) <= 64:
        raise NotFound()
    row = await ReportLink.select().where(ReportLink.token_hash == token_hash(token)).first()
    if row is None:
        raise NotFound()
    link = _read(dict(row))
    if link.revoked_at is not None:
        raise LinkGone(_("This report link was revoked. Ask the person who shared it."))
    if link.expires_at <= clock.now():
        raise LinkGone(_("This report link has expired. Ask the person who shared it."))
    creator = await account_queries.principal_for_link(row["created_by"])
    if creator is None:
        raise NotFound()
    report = await queries.build_report(
        creator,
        period_from=link.period_from,
        period_to=link.period_to,
        site_id=link.site_id,
        region_id=link.region_id,
    )
    return Shared(report=report, link=link)

"""Reads of the accounts domain."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from piccolo.columns.combination import WhereRaw

from facilities.accounts.enums import Role, Trade
from facilities.accounts.principal import Principal
from facilities.accounts.schemas import (
    ApiTokenRead,
    AuditEventRead,
    PartnerOrganisationRead,
    UserRead,
)
from facilities.accounts.tables import (
    ApiToken,
    AuditEvent,
    PartnerOrganisation,
    PartnerServiceArea,
    PartnerTrade,
    User,
    UserSession,
)
from facilities.kit import clock
from facilities.kit.errors import NotFound
from facilities.kit.listing import like_pattern, search_text
from facilities.kit.rows import to_struct
from facilities.kit.schema import Page
from facilities.kit.security import token_hash

_USER_COLUMNS = (
    User.id,
    User.email,
    User.name,
    User.role,
    User.locale,
    User.partner_organisation,
    User.active,
    User.created_at,
    User.last_login_at,
    User.weekly_capacity_minutes,
)


_USER_KEYS = {"partner_organisation_id": "partner_organisation"}


def user_read(row: dict[str, Any]) -> UserRead:
    return to_struct(UserRead, row, _USER_KEYS)


def _principal(row: dict[str, Any], via: str, credential_id: int) -> Principal:
    return Principal(
        user_id=row["user.id"],
        email=row["user.email"],
        name=row["user.name"],
        role=Role(row["user.role"]),
        locale=row["user.locale"],
        partner_organisation_id=row["user.partner_organisation"],
        via=via,  # type: ignore[arg-type]
        credential_id=credential_id,
    )


def _user_columns(fk: Any) -> tuple[Any, ...]:
    """The joined user columns a principal needs (output keys ``user.<name>``)."""
    return (
        fk.id,
        fk.email,
        fk.name,
        fk.role,
        fk.locale,
        fk.partner_organisation,
        fk.active,
    )


async def principal_for_session(token: str) -> tuple[Principal, datetime] | None:
    """The principal of a live session cookie, with the session's last-seen time."""
    row = (
        await UserSession.select(
            UserSession.id,
            UserSession.expires_at,
            UserSession.last_seen_at,
            *_user_columns(UserSession.user),
        )
        .where(UserSession.token_hash == token_hash(token))
        .first()
        .run()
    )
    if row is None or not row["user.active"] or row["expires_at"] <= clock.now():
        return None
    return _principal(row, "session", row["id"]), row["last_seen_at"]


async def principal_for_api_token(token: str) -> Principal | None:
    row = (
        await ApiToken.select(
            ApiToken.id,
            ApiToken.expires_at,
            ApiToken.revoked_at,
            *_user_columns(ApiToken.user),
        )
        .where(ApiToken.token_hash == token_hash(token))
        .first()
        .run()
    )
    if row is None or not row["user.active"] or row["revoked_at"] is not None:
        return None
    if row["expires_at"] is not None and row["expires_at"] <= clock.now():
        return None
    return _principal(row, "token", row["id"])


async def principal_for_link(user_id: int | None) -> Principal | None:
    """The principal a secret link (calendar feed, share link) acts for: its creator as the
    creator is *now* (role, partner, scope are re-read at each use).

    None when the creator is gone or deactivated: every secret link dies with its creator,
    so each link lookup calls this one check instead of revoking rows link type by link type.
    """
    if user_id is None:
        return None
    row = await User.select(*_user_columns(User)).where(User.id == user_id).first().run()
    if row is None or not row["active"]:
        return None
    return Principal(
        user_id=row["id"],
        email=row["email"],
        name=row["name"],
        role=Role(row["role"]),
        locale=row["locale"],
        partner_organisation_id=row["partner_organisation"],
        via="link",
        credential_id=0,
    )


async def get_user(user_id: int) -> UserRead:
    row = await User.select(*_USER_COLUMNS).where(User.id == user_id).first().run()
    if row is None:
        raise NotFound()
    return user_read(row)


async def find_user_by_email(email: str) -> dict[str, Any] | None:
    return await User.select().where(User.email == email.strip().lower()).first().run()


async def list_users(
    *, role: Role | None = None, q: str | None = None, limit: int = 50, offset: int = 0
) -> Page[UserRead]:
    query = User.select(*_USER_COLUMNS)
    count = User.count()
    if role is not None:
        query = query.where(User.role == role.value)
        count = count.where(User.role == role.value)
    if q:
        pattern = f"%{q.strip().lower()}%"
        query = query.where(User.email.ilike(pattern) | User.name.ilike(pattern))
        count = count.where(User.email.ilike(pattern) | User.name.ilike(pattern))
    rows = await query.order_by(User.name).limit(limit).offset(offset).run()
    return Page(
        items=[user_read(r) for r in rows], total=await count.run(), limit=limit, offset=offset
    )


async def list_api_tokens(principal: Principal) -> list[ApiTokenRead]:
    rows = (
        await ApiToken.select(
            ApiToken.id,
            ApiToken.name,
            ApiToken.prefix,
            ApiToken.created_at,
            ApiToken.last_used_at,
            ApiToken.expires_at,
            ApiToken.revoked_at,
        )
        .where(ApiToken.user == principal.user_id)
        .order_by(ApiToken.created_at, ascending=False)
        .run()
    )
    return [ApiTokenRead(**row) for row in rows]


_PARTNER_COLUMNS = (
    PartnerOrganisation.id,
    PartnerOrganisation.name,
    PartnerOrganisation.email,
    PartnerOrganisation.phone,
    PartnerOrganisation.active,
    PartnerOrganisation.contact_name,
    PartnerOrganisation.notes,
    PartnerOrganisation.weekly_capacity_minutes,
)

# The service area holds plain ids (accounts sits below sites); ids of deleted sites or
# regions drop out here. Table names, not imports: the dependency direction stays intact.
_AREA_SQL = (
    "SELECT a.partner_organisation AS partner, a.kind AS kind, a.ref_id AS ref_id "
    "FROM partner_service_area a WHERE "
    "((a.kind = 'site' AND a.ref_id IN (SELECT id FROM site)) "
    "OR (a.kind = 'region' AND a.ref_id IN (SELECT id FROM region)))"
)


async def _partner_details(
    ids: list[int],
) -> tuple[dict[int, list[Trade]], dict[int, dict[str, list[int]]]]:
    trades: dict[int, list[Trade]] = {i: [] for i in ids}
    areas: dict[int, dict[str, list[int]]] = {i: {"site": [], "region": []} for i in ids}
    if not ids:
        return trades, areas
    rows = await PartnerTrade.select(PartnerTrade.partner_organisation, PartnerTrade.trade).where(
        PartnerTrade.partner_organisation.is_in(ids)
    )
    for r in rows:
        try:
            trades[r["partner_organisation"]].append(Trade(r["trade"]))
        except ValueError:  # a retired trade
            continue
    if len(ids) == 1:
        area_rows = await PartnerServiceArea.raw(
            _AREA_SQL + " AND a.partner_organisation = {}", ids[0]
        )
    else:
        area_rows = await PartnerServiceArea.raw(_AREA_SQL)
    for r in area_rows:
        if r["partner"] in areas:
            areas[r["partner"]][r["kind"]].append(r["ref_id"])
    for value in trades.values():
        value.sort(key=list(Trade).index)
    for area in areas.values():
        area["site"].sort()
        area["region"].sort()
    return trades, areas


def _partner_read(
    row: dict[str, Any],
    trades: dict[int, list[Trade]],
    areas: dict[int, dict[str, list[int]]],
) -> PartnerOrganisationRead:
    return PartnerOrganisationRead(
        **row,
        trades=trades.get(row["id"], []),
        site_ids=areas.get(row["id"], {}).get("site", []),
        region_ids=areas.get(row["id"], {}).get("region", []),
    )


async def list_partner_organisations(
    *, trade: Trade | None = None, active_only: bool = False
) -> list[PartnerOrganisationRead]:
    query = PartnerOrganisation.select(*_PARTNER_COLUMNS)
    if trade is not None:
        query = query.where(
            PartnerOrganisation.id.is_in(
                PartnerTrade.select(PartnerTrade.partner_organisation).where(
                    PartnerTrade.trade == trade.value
                )
            )
        )
    if active_only:
        query = query.where(PartnerOrganisation.active == True)  # noqa: E712
    rows = await query.order_by(PartnerOrganisation.name).run()
    trades, areas = await _partner_details([r["id"] for r in rows])
    return [_partner_read(r, trades, areas) for r in rows]


async def get_partner_organisation(partner_id: int) -> PartnerOrganisationRead:
    row = (
        await PartnerOrganisation.select(*_PARTNER_COLUMNS)
        .where(PartnerOrganisation.id == partner_id)
        .first()
        .run()
    )
    if row is None:
        raise NotFound()
    trades, areas = await _partner_details([partner_id])
    return _partner_read(row, trades, areas)


async def existing_ids(table_name: str, ids: list[int]) -> set[int]:
    """Which of ``ids`` exist in ``site`` or ``region`` (by table name; see above)."""
    if table_name not in ("site", "region"):
        raise ValueError(table_name)
    wanted = sorted(set(ids))
    if not wanted:
        return set()
    marks = ", ".join("{}" for _ in wanted)
    rows = await PartnerServiceArea.raw(
        f"SELECT id FROM {table_name} WHERE id IN ({marks})",  # noqa: S608 - fixed names
        *wanted,
    )
    return {int(r["id"]) for r in rows}


async def area_choices() -> dict[str, list[dict[str, Any]]]:
    """Every site and region (id, name) for the service-area form (ops and admins)."""
    sites = await PartnerServiceArea.raw("SELECT id, name FROM site ORDER BY name")
    regions = await PartnerServiceArea.raw("SELECT id, name FROM region ORDER BY name")
    return {"sites": list(sites), "regions": list(regions)}


async def list_audit_events(
    *,
    site_ids: set[int] | None,
    object_type: str | None = None,
    action: str | None = None,
    actor_id: int | None = None,
    since: datetime | None = None,
    until: datetime | None = None,
    q: str | None = None,
    oldest_first: bool = False,
    limit: int = 50,
    offset: int = 0,
) -> Page[AuditEventRead]:
    """Audit events; ``site_ids`` None means everything (admins), else only those sites'.
    ``q`` looks for words in the summary or the actor's name."""
    query = AuditEvent.select().output(load_json=True)
    count = AuditEvent.count()
    conditions: list[Any] = []
    if site_ids is not None:
        conditions.append(AuditEvent.site_id.is_in(list(site_ids) or [-1]))
    if object_type:
        conditions.append(AuditEvent.object_type == object_type)
    if action:
        conditions.append(AuditEvent.action == action)
    if actor_id is not None:
        conditions.append(AuditEvent.actor == actor_id)
    if since is not None:
        conditions.append(AuditEvent.created_at >= since)
    if until is not None:
        conditions.append(AuditEvent.created_at < until)
    text = search_text(q)
    if text is not None:
        pattern = like_pattern(text)
        conditions.append(
            WhereRaw(
                "(lower(summary) LIKE {} ESCAPE '\\' OR lower(actor_label) LIKE {} ESCAPE '\\')",
                pattern,
                pattern,
            )
        )
    for condition in conditions:
        query = query.where(condition)
        count = count.where(condition)
    query = query.order_by(AuditEvent.id, ascending=oldest_first)
    rows = await query.limit(limit).offset(offset).run()
    items = [to_struct(AuditEventRead, r, {"actor_id": "actor"}) for r in rows]
    return Page(items=items, total=await count.run(), limit=limit, offset=offset)

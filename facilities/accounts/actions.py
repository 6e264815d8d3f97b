"""Writes of the accounts domain. Each action is one transaction and records an audit event."""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import msgspec

from facilities.accounts import audit, cache, queries
from facilities.accounts.enums import Role, Trade
from facilities.accounts.principal import Principal
from facilities.accounts.schemas import (
    ApiTokenCreate,
    ApiTokenCreated,
    ApiTokenRead,
    PartnerOrganisationCreate,
    PartnerOrganisationRead,
    PartnerOrganisationUpdate,
    UserCreate,
    UserRead,
    UserUpdate,
)
from facilities.accounts.tables import (
    ApiToken,
    LoginAttempt,
    PartnerOrganisation,
    PartnerServiceArea,
    PartnerTrade,
    PasswordReset,
    User,
    UserSession,
)
from facilities.db import transaction
from facilities.kit import clock
from facilities.kit.errors import Conflict, FacilitiesError, NotFound, RateLimited, RuleViolation
from facilities.kit.i18n import _, ngettext
from facilities.kit.security import (
    hash_password,
    keyed_hash,
    needs_rehash,
    new_token,
    token_hash,
    verify_password,
)
from facilities.settings import get_settings

PASSWORD_RESET_HOURS = 1


def _normalise_email(email: str) -> str:
    return email.strip().lower()


def _check_partner_rule(role: Role, partner_organisation_id: int | None) -> None:
    if role is Role.partner and partner_organisation_id is None:
        raise RuleViolation(
            "partner_organisation_id", _("A partner user must belong to a partner organisation.")
        )
    if role is not Role.partner and partner_organisation_id is not None:
        raise RuleViolation(
            "partner_organisation_id", _("Only partner users belong to a partner organisation.")
        )


async def _check_partner_exists(partner_organisation_id: int | None) -> None:
    if partner_organisation_id is None:
        return
    exists = await PartnerOrganisation.exists().where(
        PartnerOrganisation.id == partner_organisation_id
    )
    if not exists:
        raise RuleViolation("partner_organisation_id", _("Unknown partner organisation."))


# ---- users ----------------------------------------------------------------------------


async def create_user(*, actor: Principal | None, data: UserCreate) -> UserRead:
    email = _normalise_email(data.email)
    _check_partner_rule(data.role, data.partner_organisation_id)
    async with transaction():
        await _check_partner_exists(data.partner_organisation_id)
        if await User.exists().where(User.email == email):
            raise Conflict(_("A user with this e-mail address already exists."), field="email")
        user = User(
            email=email,
            name=data.name.strip(),
            role=data.role.value,
            locale=data.locale.value,
            password_hash=hash_password(data.password) if data.password else None,
            partner_organisation=data.partner_organisation_id,
            active=True,
            created_at=clock.now(),
        )
        await user.save()
        result = await queries.get_user(user.id)
        await audit.record(
            actor=actor,
            action="user.create",
            object_type="user",
            object_id=user.id,
            summary=f"{email} ({data.role.value})",
            after=msgspec.to_builtins(result),
        )
    return result


async def update_user(*, actor: Principal, user_id: int, data: UserUpdate) -> UserRead:
    async with transaction():
        before = await queries.get_user(user_id)
        values: dict[Any, Any] = {}
        role = before.role if data.role is msgspec.UNSET else data.role
        partner = (
            before.partner_organisation_id
            if data.partner_organisation_id is msgspec.UNSET
            else data.partner_organisation_id
        )
        _check_partner_rule(role, partner)
        await _check_partner_exists(partner)
        if (
            user_id == actor.user_id
            and (
                data.active is False
                or (data.role is not msgspec.UNSET and data.role is not Role.admin)
            )
            and actor.is_admin
        ):
            raise RuleViolation("role", _("You cannot demote or deactivate yourself."))
        if data.name is not msgspec.UNSET:
            values[User.name] = data.name.strip()
        if data.role is not msgspec.UNSET:
            values[User.role] = data.role.value
        if data.locale is not msgspec.UNSET:
            values[User.locale] = data.locale.value
        if data.active is not msgspec.UNSET:
            values[User.active] = data.active
        if data.partner_organisation_id is not msgspec.UNSET:
            values[User.partner_organisation] = data.partner_organisation_id
        if data.password is not msgspec.UNSET:
            values[User.password_hash] = hash_password(data.password)
        if data.weekly_capacity_minutes is not msgspec.UNSET:
            values[User.weekly_capacity_minutes] = data.weekly_capacity_minutes
        if values:
            await User.update(values).where(User.id == user_id).run()
        if data.active is False or data.password is not msgspec.UNSET:
            await UserSession.delete().where(UserSession.user == user_id).run()
        after = await queries.get_user(user_id)
        old, new = audit.diff(msgspec.to_builtins(before), msgspec.to_builtins(after))
        if data.password is not msgspec.UNSET:
            new["password_changed"] = True
        await audit.record(
            actor=actor,
            action="user.update",
            object_type="user",
            object_id=user_id,
            summary=after.email,
            before=old,
            after=new,
        )
    cache.clear()
    return after


async def change_own_password(*, actor: Principal, current: str, new: str) -> None:
    if len(new) < 10:
        raise RuleViolation("new_password", _("Use at least 10 characters."))
    async with transaction():
        row = await User.select(User.password_hash).where(User.id == actor.user_id).first().run()
        if row is None or not verify_password(row["password_hash"], current):
            raise RuleViolation("current_password", _("The current password is not correct."))
        await (
            User.update({User.password_hash: hash_password(new)})
            .where(User.id == actor.user_id)
            .run()
        )
        # Sign out every other session of this user.
        other = UserSession.id != actor.credential_id if actor.via == "session" else None
        query = UserSession.delete().where(UserSession.user == actor.user_id)
        if other is not None:
            query = query.where(other)
        await query.run()
        await audit.record(
            actor=actor, action="user.password", object_type="user", object_id=actor.user_id
        )
    cache.clear()


# ---- sign-in, sessions, password reset ------------------------------------------------


@dataclass(frozen=True, slots=True)
class SignedIn:
    session_token: str
    user_id: int
    locale: str


def _attempt_keys(email: str, client: str) -> tuple[tuple[str, int], tuple[str, int]]:
    """The failed-sign-in counters, as (key, limit): one per account *and* address pair (a
    wrong password locks only that account from that address, not a shared office), and a
    much higher ceiling per address against password spraying. Keyed hashes only."""
    settings = get_settings()
    secret = settings.resolved_secret_key()
    return (
        ("p:" + keyed_hash(secret, f"{email}\n{client}"), settings.login_attempts),
        ("c:" + keyed_hash(secret, client), settings.login_address_attempts),
    )


async def _check_rate_limit(keys: tuple[tuple[str, int], ...]) -> None:
    """Refuse (429) while a counter is at its limit, saying how long to wait: until the
    oldest counted failure leaves the window."""
    window = timedelta(minutes=get_settings().login_window_minutes)
    now = clock.now()
    wait = 0.0
    for key, limit in keys:
        rows = (
            await LoginAttempt.select(LoginAttempt.created_at)
            .where((LoginAttempt.key == key) & (LoginAttempt.created_at > now - window))
            .order_by(LoginAttempt.created_at, ascending=False)
            .limit(limit)
        )
        if len(rows) >= limit:
            # The limit-th newest failure is the one whose expiry frees a try.
            wait = max(wait, (rows[-1]["created_at"] + window - now).total_seconds())
    if wait > 0:
        seconds = max(1, math.ceil(wait))
        minutes = max(1, math.ceil(seconds / 60))
        raise RateLimited(
            ngettext(
                "Too many failed sign-ins. Please wait %(num)d minute and try again.",
                "Too many failed sign-ins. Please wait %(num)d minutes and try again.",
                minutes,
            )
            % {"num": minutes},
            retry_after=seconds,
        )


async def sign_in(*, email: str, password: str, client: str) -> SignedIn:
    """Check the password and open a session. One generic message for every failure."""
    email = _normalise_email(email)
    keys = _attempt_keys(email, client)
    await _check_rate_limit(keys)
    user = await queries.find_user_by_email(email)
    ok = verify_password(user["password_hash"] if user else None, password)
    if not user or not ok or not user["active"]:
        now = clock.now()
        await LoginAttempt.insert(*(LoginAttempt(key=k, created_at=now) for k, _n in keys)).run()
        raise FacilitiesError(
            _("The e-mail address or password is not correct."), 401, "invalid_credentials"
        )
    token = new_token()
    now = clock.now()
    async with transaction():
        await UserSession.insert(
            UserSession(
                token_hash=token_hash(token),
                user=user["id"],
                created_at=now,
                last_seen_at=now,
                expires_at=now + timedelta(days=get_settings().session_days),
            )
        ).run()
        values: dict[Any, Any] = {User.last_login_at: now}
        if needs_rehash(user["password_hash"]):
            values[User.password_hash] = hash_password(password)
        await User.update(values).where(User.id == user["id"]).run()
        # Success clears this account's failures from this address (not the address's).
        await LoginAttempt.delete().where(LoginAttempt.key == keys[0][0]).run()
    return SignedIn(session_token=token, user_id=user["id"], locale=user["locale"])


async def sign_out(*, session_token: str) -> None:
    await UserSession.delete().where(UserSession.token_hash == token_hash(session_token)).run()
    cache.forget(cache.session_key(token_hash(session_token)))


async def touch_session(*, session_id: int) -> None:
    """Sliding expiry: push the session's end out (called at most hourly per session)."""
    now = clock.now()
    await (
        UserSession.update(
            {
                UserSession.last_seen_at: now,
                UserSession.expires_at: now + timedelta(days=get_settings().session_days),
            }
        )
        .where(UserSession.id == session_id)
        .run()
    )


async def start_password_reset(*, email: str, client: str) -> tuple[str, dict[str, Any]] | None:
    """Create a reset token if the account exists; the caller e-mails the link.

    Returns ``(token, user row)`` or None; callers must answer the same either way.
    """
    email = _normalise_email(email)
    key = "r:" + keyed_hash(get_settings().resolved_secret_key(), client)
    await _check_rate_limit(((key, get_settings().login_attempts),))
    await LoginAttempt.insert(LoginAttempt(key=key, created_at=clock.now())).run()
    user = await queries.find_user_by_email(email)
    if user is None or not user["active"]:
        return None
    token = new_token()
    now = clock.now()
    await PasswordReset.insert(
        PasswordReset(
            user=user["id"],
            token_hash=token_hash(token),
            created_at=now,
            expires_at=now + timedelta(hours=PASSWORD_RESET_HOURS),
        )
    ).run()
    return token, user


async def finish_password_reset(*, token: str, password: str) -> None:
    if len(password) < 10:
        raise RuleViolation("password", _("Use at least 10 characters."))
    async with transaction():
        row = (
            await PasswordReset.select()
            .where(PasswordReset.token_hash == token_hash(token))
            .first()
            .run()
        )
        if row is None or row["used_at"] is not None or row["expires_at"] <= clock.now():
            raise FacilitiesError(
                _("This reset link is invalid or has expired. Please ask for a new one."),
                400,
                "invalid_token",
            )
        await (
            User.update({User.password_hash: hash_password(password)})
            .where(User.id == row["user"])
            .run()
        )
        await (
            PasswordReset.update({PasswordReset.used_at: clock.now()})
            .where(PasswordReset.id == row["id"])
            .run()
        )
        await UserSession.delete().where(UserSession.user == row["user"]).run()
        await audit.record(
            actor=None,
            action="user.password_reset",
            object_type="user",
            object_id=row["user"],
        )
    cache.clear()


async def purge_expired() -> int:
    """Job: remove expired sessions, old attempts and used reset tokens."""
    now = clock.now()
    async with transaction():
        expired = (
            await UserSession.delete()
            .where(UserSession.expires_at <= now)
            .returning(UserSession.id)
        )
        await LoginAttempt.delete().where(LoginAttempt.created_at < now - timedelta(days=1)).run()
        await PasswordReset.delete().where(PasswordReset.expires_at < now - timedelta(days=1)).run()
    return len(expired)


# ---- API tokens -----------------------------------------------------------------------


async def create_api_token(*, actor: Principal, data: ApiTokenCreate) -> ApiTokenCreated:
    secret = "fac_" + new_token(30)
    now = clock.now()
    async with transaction():
        row = ApiToken(
            user=actor.user_id,
            name=data.name.strip(),
            prefix=secret[:10],
            token_hash=token_hash(secret),
            created_at=now,
            expires_at=now + timedelta(days=data.expires_in_days) if data.expires_in_days else None,
        )
        await row.save()
        await audit.record(
            actor=actor,
            action="api_token.create",
            object_type="api_token",
            object_id=row.id,
            summary=row.name,
        )
    token = ApiTokenRead(
        id=row.id,
        name=row.name,
        prefix=row.prefix,
        created_at=row.created_at,
        last_used_at=None,
        expires_at=row.expires_at,
        revoked_at=None,
    )
    return ApiTokenCreated(token=token, secret=secret)


async def revoke_api_token(*, actor: Principal, token_id: int) -> None:
    async with transaction():
        row = (
            await ApiToken.select(ApiToken.id, ApiToken.token_hash, ApiToken.revoked_at)
            .where((ApiToken.id == token_id) & (ApiToken.user == actor.user_id))
            .first()
            .run()
        )
        if row is None:
            raise NotFound()
        if row["revoked_at"] is None:
            await (
                ApiToken.update({ApiToken.revoked_at: clock.now()})
                .where(ApiToken.id == token_id)
                .run()
            )
            await audit.record(
                actor=actor, action="api_token.revoke", object_type="api_token", object_id=token_id
            )
    cache.forget(cache.token_key(row["token_hash"]))


# ---- partner organisations ------------------------------------------------------------


async def _check_area(site_ids: list[int], region_ids: list[int]) -> None:
    if set(site_ids) - await queries.existing_ids("site", site_ids):
        raise RuleViolation("site_ids", _("Unknown site."))
    if set(region_ids) - await queries.existing_ids("region", region_ids):
        raise RuleViolation("region_ids", _("Unknown region."))


async def _set_trades(partner_id: int, trades: list[Trade]) -> None:
    await PartnerTrade.delete().where(PartnerTrade.partner_organisation == partner_id).run()
    unique = sorted({t.value for t in trades})
    if unique:
        await PartnerTrade.insert(
            *(PartnerTrade(partner_organisation=partner_id, trade=t) for t in unique)
        ).run()


async def _set_area(partner_id: int, kind: str, ids: list[int]) -> None:
    await (
        PartnerServiceArea.delete()
        .where(
            (PartnerServiceArea.partner_organisation == partner_id)
            & (PartnerServiceArea.kind == kind)
        )
        .run()
    )
    unique = sorted(set(ids))
    if unique:
        await PartnerServiceArea.insert(
            *(
                PartnerServiceArea(partner_organisation=partner_id, kind=kind, ref_id=i)
                for i in unique
            )
        ).run()


async def create_partner_organisation(
    *, actor: Principal, data: PartnerOrganisationCreate
) -> PartnerOrganisationRead:
    name = data.name.strip()
    if not name:
        raise RuleViolation("name", _("Enter a name."))
    async with transaction():
        if await PartnerOrganisation.exists().where(PartnerOrganisation.name == name):
            raise Conflict(_("A partner with this name already exists."), field="name")
        await _check_area(data.site_ids, data.region_ids)
        row = PartnerOrganisation(
            name=name,
            email=(data.email or "").strip().lower(),
            phone=data.phone.strip(),
            contact_name=data.contact_name.strip(),
            notes=data.notes.strip(),
            active=True,
            created_at=clock.now(),
            weekly_capacity_minutes=data.weekly_capacity_minutes,
        )
        await row.save()
        await _set_trades(row.id, data.trades)
        await _set_area(row.id, "site", data.site_ids)
        await _set_area(row.id, "region", data.region_ids)
        result = await queries.get_partner_organisation(row.id)
        await audit.record(
            actor=actor,
            action="partner.create",
            object_type="partner_organisation",
            object_id=row.id,
            summary=row.name,
            after=msgspec.to_builtins(result),
        )
    return result


async def update_partner_organisation(
    *, actor: Principal, partner_id: int, data: PartnerOrganisationUpdate
) -> PartnerOrganisationRead:
    """Change a partner's facts, trades and service area (lists replace the old ones)."""
    async with transaction():
        before = await queries.get_partner_organisation(partner_id)
        values: dict[Any, Any] = {}
        if data.name is not msgspec.UNSET:
            name = data.name.strip()
            if not name:
                raise RuleViolation("name", _("Enter a name."))
            if name != before.name and await PartnerOrganisation.exists().where(
                PartnerOrganisation.name == name
            ):
                raise Conflict(_("A partner with this name already exists."), field="name")
            values[PartnerOrganisation.name] = name
        if data.email is not msgspec.UNSET:
            values[PartnerOrganisation.email] = (data.email or "").strip().lower()
        if data.phone is not msgspec.UNSET:
            values[PartnerOrganisation.phone] = data.phone.strip()
        if data.contact_name is not msgspec.UNSET:
            values[PartnerOrganisation.contact_name] = data.contact_name.strip()
        if data.notes is not msgspec.UNSET:
            values[PartnerOrganisation.notes] = data.notes.strip()
        if data.active is not msgspec.UNSET:
            values[PartnerOrganisation.active] = data.active
        if data.weekly_capacity_minutes is not msgspec.UNSET:
            values[PartnerOrganisation.weekly_capacity_minutes] = data.weekly_capacity_minutes
        site_ids = before.site_ids if data.site_ids is msgspec.UNSET else data.site_ids
        region_ids = before.region_ids if data.region_ids is msgspec.UNSET else data.region_ids
        await _check_area(site_ids, region_ids)
        if values:
            await (
                PartnerOrganisation.update(values).where(PartnerOrganisation.id == partner_id).run()
            )
        if data.trades is not msgspec.UNSET:
            await _set_trades(partner_id, data.trades)
        if data.site_ids is not msgspec.UNSET:
            await _set_area(partner_id, "site", data.site_ids)
        if data.region_ids is not msgspec.UNSET:
            await _set_area(partner_id, "region", data.region_ids)
        after = await queries.get_partner_organisation(partner_id)
        old, new = audit.diff(msgspec.to_builtins(before), msgspec.to_builtins(after))
        if new:
            await audit.record(
                actor=actor,
                action="partner.update",
                object_type="partner_organisation",
                object_id=partner_id,
                summary=after.name,
                before=old,
                after=new,
            )
    cache.clear()
    return after

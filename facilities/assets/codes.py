"""Writes of QR label codes: issue, re-issue, revoke, blank batches, claims."""

from __future__ import annotations

from facilities.accounts import audit
from facilities.accounts.principal import Principal
from facilities.assets import queries
from facilities.assets.enums import QrStatus
from facilities.assets.schemas import BatchCreate, BatchRead, QrCodeRead
from facilities.assets.tables import QrCode
from facilities.db import executemany, transaction
from facilities.kit import clock, qr
from facilities.kit.errors import Conflict, RuleViolation
from facilities.kit.i18n import _


async def _fresh_code() -> str:
    while True:  # a clash is ~1 in 2**63; checked anyway
        code = qr.new_code()
        if not await QrCode.exists().where(QrCode.code == code):
            return code


async def _replace_active(asset_id: int, new_code: str) -> list[str]:
    """Mark the asset's active codes as replaced by ``new_code``; returns the old codes."""
    rows = await QrCode.select(QrCode.code).where(
        (QrCode.asset == asset_id) & (QrCode.status == QrStatus.active.value)
    )
    old = [r["code"] for r in rows if r["code"] != new_code]
    if old:
        await QrCode.update(
            {QrCode.status: QrStatus.replaced.value, QrCode.replaced_by: new_code}
        ).where(QrCode.code.is_in(old))
    return old


async def issue(*, actor: Principal | None, asset_id: int) -> str:
    """A new active code for the asset (inside the caller's transaction); old ones replaced."""
    code = await _fresh_code()
    await _replace_active(asset_id, code)
    await QrCode.insert(
        QrCode(
            code=code,
            asset=asset_id,
            status=QrStatus.active.value,
            created_by=actor.user_id if actor else None,
            created_at=clock.now(),
            claimed_at=clock.now(),
        )
    ).run()
    return code


# ---- labels of upper domains' things (a meter) -------------------------------------------


async def issue_for_target(*, actor: Principal | None, kind: str, target_id: int) -> str:
    """A new active code for an upper domain's thing (``kind`` as registered in
    ``assets.scan_targets``), inside the caller's transaction; its earlier active codes are
    marked replaced (they then say "this label was replaced")."""
    code = await _fresh_code()
    now = clock.now()
    await QrCode.update({QrCode.status: QrStatus.replaced.value, QrCode.replaced_by: code}).where(
        (QrCode.target_kind == kind)
        & (QrCode.target_id == target_id)
        & (QrCode.status == QrStatus.active.value)
    )
    await QrCode.insert(
        QrCode(
            code=code,
            asset=None,
            status=QrStatus.active.value,
            target_kind=kind,
            target_id=target_id,
            created_by=actor.user_id if actor else None,
            created_at=now,
            claimed_at=now,
        )
    ).run()
    return code


async def reissue(*, actor: Principal, asset_id: int) -> QrCodeRead:
    """Print a new label: the old code then says "this label was replaced"."""
    async with transaction():
        site_id = await queries.require_asset(actor, asset_id)
        old = await QrCode.select(QrCode.code).where(
            (QrCode.asset == asset_id) & (QrCode.status == QrStatus.active.value)
        )
        code = await issue(actor=actor, asset_id=asset_id)
        await audit.record(
            actor=actor,
            action="qr.reissue",
            object_type="asset",
            object_id=asset_id,
            site_id=site_id,
            summary=code,
            before={"codes": [r["code"] for r in old]},
            after={"code": code},
        )
        return await queries.visible_code(actor, code)


async def revoke(*, actor: Principal, code: str) -> QrCodeRead:
    async with transaction():
        current = await queries.visible_code(actor, code)
        if current.status is QrStatus.revoked:
            return current
        await QrCode.update({QrCode.status: QrStatus.revoked.value}).where(QrCode.id == current.id)
        site_id = await queries.asset_site_id(current.asset_id) if current.asset_id else None
        await audit.record(
            actor=actor,
            action="qr.revoke",
            object_type="qr_code",
            object_id=current.id,
            site_id=site_id,
            summary=current.code,
            before={"status": current.status.value},
            after={"status": QrStatus.revoked.value},
        )
        return await queries.visible_code(actor, current.code)


async def claim(*, actor: Principal, code: str, asset_id: int) -> QrCodeRead:
    """Attach a blank label to an asset; the asset's previous code is marked replaced."""
    async with transaction():
        site_id = await queries.require_asset(actor, asset_id)
        # Scoped: another scope's label answers exactly like an unknown code.
        lookup = await queries.scoped_code(actor, code)
        if lookup.status != QrStatus.active.value:
            raise RuleViolation("code", _("This label was revoked or replaced; use another one."))
        if lookup.target_kind is not None:
            raise Conflict(_("This label belongs to a meter, not to an asset."), field="code")
        if lookup.asset_id is not None:
            if lookup.asset_id == asset_id:
                return await queries.visible_code(actor, lookup.code)
            raise Conflict(_("This label already belongs to another asset."), field="code")
        old = await _replace_active(asset_id, lookup.code)
        await QrCode.update({QrCode.asset: asset_id, QrCode.claimed_at: clock.now()}).where(
            (QrCode.id == lookup.qr_code_id) & QrCode.asset.is_null()
        )
        await audit.record(
            actor=actor,
            action="qr.claim",
            object_type="asset",
            object_id=asset_id,
            site_id=site_id,
            summary=lookup.code,
            before={"codes": old},
            after={"code": lookup.code},
        )
        return await queries.visible_code(actor, lookup.code)


async def create_batch(*, actor: Principal, data: BatchCreate) -> BatchRead:
    """N blank labels under a batch name, to print now and claim later."""
    name = data.name.strip()
    if not name:
        raise RuleViolation("name", _("Give the batch a name."))
    async with transaction():
        if await QrCode.exists().where(QrCode.batch == name):
            raise Conflict(_("A batch with this name already exists."), field="name")
        now = clock.now()
        new: set[str] = set()
        while len(new) < data.count:
            new.add(qr.new_code())
        clashes = await QrCode.select(QrCode.code).where(QrCode.code.is_in(list(new)))
        for row in clashes:
            new.discard(row["code"])
        await executemany(
            "INSERT INTO qr_code (code, asset, status, batch, replaced_by, created_by, "
            "created_at, claimed_at) VALUES ({}, NULL, {}, {}, NULL, {}, {}, NULL)",
            [(code, QrStatus.active.value, name, actor.user_id, now) for code in sorted(new)],
        )
        await audit.record(
            actor=actor,
            action="qr.batch_create",
            object_type="qr_batch",
            object_id=name,
            summary=f"{name}: {len(new)}",
            after={"name": name, "count": len(new)},
        )
    return BatchRead(name=name, total=len(new), claimed=0, created_at=now)

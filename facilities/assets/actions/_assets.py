"""Assets: create, edit (optimistic concurrency), status, lock-out."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from enum import Enum
from typing import Any

import msgspec

from facilities.accounts import audit
from facilities.accounts.principal import Principal
from facilities.assets import codes, queries
from facilities.assets.actions._common import _is_serial_clash, _plain
from facilities.assets.enums import ASSET_STATUS_LABELS, AssetStatus
from facilities.assets.schemas import (
    AssetCreate,
    AssetRead,
    AssetUpdate,
    StatusChange,
)
from facilities.assets.tables import Asset, AssetCategory, AssetStatusChange
from facilities.db import transaction
from facilities.kit import clock
from facilities.kit.errors import Conflict, RuleViolation
from facilities.kit.i18n import _, in_installation_language
from facilities.sites import scope
from facilities.sites.tables import Site, Space

# ---- asset rules ----------------------------------------------------------------------


async def _check_site(actor: Principal, site_id: int) -> None:
    if not await Site.exists().where(Site.id == site_id) or not await scope.can_see_site(
        actor, site_id
    ):
        raise RuleViolation("site_id", _("Unknown site."))


async def _check_space(site_id: int, space_id: int | None) -> None:
    if space_id is None:
        return
    row = await Space.select(Space.site).where(Space.id == space_id).first()
    if row is None or row["site"] != site_id:
        raise RuleViolation("space_id", _("The space must belong to the asset's site."))


async def _check_category(category_id: int | None) -> None:
    if category_id is not None and not await AssetCategory.exists().where(
        AssetCategory.id == category_id
    ):
        raise RuleViolation("category_id", _("Unknown category."))


async def _check_parent(site_id: int, parent_id: int | None, asset_id: int | None) -> None:
    if parent_id is None:
        return
    row = await Asset.select(Asset.site).where(Asset.id == parent_id).first()
    if row is None or row["site"] != site_id:
        raise RuleViolation("parent_id", _("The parent asset must be at the same site."))
    if asset_id is not None and (
        parent_id == asset_id or asset_id in await queries.ancestors(parent_id)
    ):
        raise RuleViolation("parent_id", _("An asset cannot be inside itself."))


async def _check_serial(serial: str, asset_id: int | None) -> None:
    if await queries.serial_taken(serial, except_id=asset_id):
        raise Conflict(_("Another asset already has this serial number."), field="serial_number")


def _check_dates(values: dict[str, Any]) -> None:
    install, warranty = values.get("install_date"), values.get("warranty_end")
    if install and warranty and warranty < install:
        raise RuleViolation("warranty_end", _("The warranty cannot end before the installation."))


def _cost(value: float | None) -> Decimal | None:
    return None if value is None else Decimal(str(value)).quantize(Decimal("0.01"))


async def record_status(
    *,
    asset_id: int,
    from_status: str | None,
    to_status: str,
    actor: Principal | None,
    note: str,
    at: datetime | None = None,
) -> None:
    await AssetStatusChange.insert(
        AssetStatusChange(
            asset=asset_id,
            from_status=from_status,
            to_status=to_status,
            changed_at=at or clock.now(),
            actor=actor.user_id if actor else None,
            note=note,
        )
    ).run()


# ---- assets ---------------------------------------------------------------------------


async def create_asset(
    *, actor: Principal, data: AssetCreate, claim_code: str | None = None
) -> AssetRead:
    """Create an asset with its QR code (a new one, or a claimed blank label)."""
    values = _plain(data)
    serial = data.serial_number.strip()
    async with transaction():
        await _check_site(actor, data.site_id)
        await _check_space(data.site_id, data.space_id)
        await _check_category(data.category_id)
        await _check_parent(data.site_id, data.parent_id, None)
        await _check_serial(serial, None)
        _check_dates(values)
        now = clock.now()
        row = Asset(
            site=data.site_id,
            space=data.space_id,
            category=data.category_id,
            parent=data.parent_id,
            name=data.name.strip(),
            manufacturer=data.manufacturer.strip(),
            model=data.model.strip(),
            serial_number=serial,
            install_date=data.install_date,
            warranty_end=data.warranty_end,
            purchase_cost=_cost(data.purchase_cost),
            criticality=data.criticality.value,
            status=data.status.value,
            status_changed_at=now,
            locked_out=False,
            lockout_reason="",
            notes=data.notes,
            attributes=data.attributes,
            version=1,
            created_at=now,
            updated_at=now,
        )
        try:
            await row.save()
        except Exception as error:
            if _is_serial_clash(error):
                raise Conflict(
                    _("Another asset already has this serial number."), field="serial_number"
                ) from None
            raise
        await record_status(
            asset_id=row.id, from_status=None, to_status=data.status.value, actor=actor, note=""
        )
        if claim_code:
            await codes.claim(actor=actor, code=claim_code, asset_id=row.id)
        else:
            await codes.issue(actor=actor, asset_id=row.id)
        result = await queries.get_asset(row.id)
        await audit.record(
            actor=actor,
            action="asset.create",
            object_type="asset",
            object_id=row.id,
            site_id=data.site_id,
            summary=result.name,
            after=_plain(result),
        )
        return result


_COLUMN_OF = {
    "site_id": "site",
    "space_id": "space",
    "category_id": "category",
    "parent_id": "parent",
}


async def update_asset(*, actor: Principal, asset_id: int, data: AssetUpdate) -> AssetRead:
    changes = {
        name: value.value if isinstance(value, Enum) else value
        for name in data.__struct_fields__
        if name != "version" and (value := getattr(data, name)) is not msgspec.UNSET
    }
    async with transaction():
        before = await queries.visible_asset(actor, asset_id)
        if data.version != before.version:
            raise Conflict(
                _("Someone else changed this asset meanwhile. Reload it and try again."),
                field="version",
            )
        site_id = changes.get("site_id", before.site_id)
        if site_id != before.site_id:
            await _check_site(actor, site_id)
            if await Asset.exists().where(Asset.parent == asset_id):
                raise RuleViolation(
                    "site_id", _("Move the assets inside this one first, or detach them.")
                )
            changes.setdefault("space_id", None)
            changes.setdefault("parent_id", None)
        if "space_id" in changes:
            await _check_space(site_id, changes["space_id"])
        if "category_id" in changes:
            await _check_category(changes["category_id"])
        if "parent_id" in changes:
            await _check_parent(site_id, changes["parent_id"], asset_id)
        if "serial_number" in changes:
            changes["serial_number"] = changes["serial_number"].strip()
            await _check_serial(changes["serial_number"], asset_id)
        if "name" in changes:
            changes["name"] = changes["name"].strip()
        if "purchase_cost" in changes:
            changes["purchase_cost"] = _cost(changes["purchase_cost"])
        _check_dates(
            {
                "install_date": changes.get("install_date", before.install_date),
                "warranty_end": changes.get("warranty_end", before.warranty_end),
            }
        )
        values: dict[Any, Any] = {
            getattr(Asset, _COLUMN_OF.get(k, k)): v for k, v in changes.items()
        }
        values[Asset.version] = before.version + 1
        values[Asset.updated_at] = clock.now()
        try:
            updated = (
                await Asset.update(values)
                .where((Asset.id == asset_id) & (Asset.version == data.version))
                .returning(Asset.id)
            )
        except Exception as error:
            if _is_serial_clash(error):
                raise Conflict(
                    _("Another asset already has this serial number."), field="serial_number"
                ) from None
            raise
        if not updated:
            raise Conflict(
                _("Someone else changed this asset meanwhile. Reload it and try again."),
                field="version",
            )
        after = await queries.get_asset(asset_id)
        old, new = audit.diff(_plain(before), _plain(after))
        for key in ("updated_at", "version", "site_name", "site_code", "space_path"):
            old.pop(key, None)
            new.pop(key, None)
        await audit.record(
            actor=actor,
            action="asset.update",
            object_type="asset",
            object_id=asset_id,
            site_id=after.site_id,
            summary=after.name,
            before=old,
            after=new,
        )
        return after


async def _bump(asset_id: int, values: dict[Any, Any]) -> None:
    values[Asset.version] = Asset.version + 1
    values[Asset.updated_at] = clock.now()
    await Asset.update(values).where(Asset.id == asset_id)


async def change_status(*, actor: Principal, asset_id: int, data: StatusChange) -> AssetRead:
    async with transaction():
        before = await queries.visible_asset(actor, asset_id)
        if data.version is not None and data.version != before.version:
            raise Conflict(
                _("Someone else changed this asset meanwhile. Reload it and try again."),
                field="version",
            )
        if data.status == before.status:
            return before
        await record_status(
            asset_id=asset_id,
            from_status=before.status.value,
            to_status=data.status.value,
            actor=actor,
            note=data.note.strip(),
        )
        await _bump(
            asset_id, {Asset.status: data.status.value, Asset.status_changed_at: clock.now()}
        )
        await audit.record(
            actor=actor,
            action="asset.status",
            object_type="asset",
            object_id=asset_id,
            site_id=before.site_id,
            summary=f"{before.name}: {_status_change(before.status, data.status)}",
            before={"status": before.status.value},
            after={"status": data.status.value, "note": data.note.strip()},
        )
        return await queries.get_asset(asset_id)


def _status_change(before: AssetStatus, after: AssetStatus) -> str:
    """ "Operational → Down" for the audit summary, stored, so in the installation's language
    (kit.i18n), never the raw codes."""
    with in_installation_language():
        return f"{_(ASSET_STATUS_LABELS[before])} → {_(ASSET_STATUS_LABELS[after])}"


async def record_monitored_status(
    *, asset_id: int, status: AssetStatus, at: datetime, note: str
) -> bool:
    """Device monitoring's status change (no person acts): ``down`` from operational or
    degraded, ``operational`` again only from ``down``; a retired asset never changes.
    Dated ``at`` (when the outage began or ended), so uptime shows the exact outage.
    Returns whether the status changed."""
    async with transaction():
        row = (
            await Asset.select(Asset.status, Asset.name, Asset.site)
            .where(Asset.id == asset_id)
            .first()
        )
        if row is None or row["status"] in (status.value, AssetStatus.retired.value):
            return False
        if status is AssetStatus.operational and row["status"] != AssetStatus.down.value:
            return False
        note = note.strip()[:500]
        await record_status(
            asset_id=asset_id,
            from_status=row["status"],
            to_status=status.value,
            actor=None,
            note=note,
            at=at,
        )
        await _bump(asset_id, {Asset.status: status.value, Asset.status_changed_at: at})
        await audit.record(
            actor=None,
            action="asset.status",
            object_type="asset",
            object_id=asset_id,
            site_id=row["site"],
            summary=f"{row['name']}: {_status_change(AssetStatus(row['status']), status)}",
            before={"status": row["status"]},
            after={"status": status.value, "note": note},
        )
        return True


async def lock_out(*, actor: Principal, asset_id: int, reason: str) -> AssetRead:
    """A person locks the asset out ("unsafe — do not use"), within their scope."""
    reason = reason.strip()
    if not reason:
        raise RuleViolation("reason", _("Say why the asset is unsafe."))
    async with transaction():
        before = await queries.visible_asset(actor, asset_id)
        return await _lock(actor, before, reason, "asset.lock_out")


async def clear_lockout(*, actor: Principal, asset_id: int) -> AssetRead:
    """A person releases the asset for use again, within their scope."""
    async with transaction():
        before = await queries.visible_asset(actor, asset_id)
        return await _unlock(actor, before, "asset.clear_lockout")


# A rule of the product acting on a person's behalf. A critical fail in an inspection locks
# the asset out, and the passing re-check lifts the lock, whether or not the inspector may
# change assets or see this one (a partner inspecting a site outside its work): the person
# did not edit the asset, their answer set the rule off. So these take no scope and no
# permission of ``caused_by``; they are only called by the rule (``safety.inspections``),
# never from a route. The audit row names the person (``caused_by``, never a made-up
# principal) and its action says the rule did it ("asset.rule_lock_out": "Locked out by a
# critical inspection fail"), so the trail reads who set it off and what acted.


async def lock_out_by_rule(*, caused_by: Principal, asset_id: int, reason: str) -> AssetRead:
    """The safety rule locks the asset out on ``caused_by``'s answer (see above)."""
    async with transaction():
        before = await queries.get_asset(asset_id)
        return await _lock(caused_by, before, reason.strip(), "asset.rule_lock_out")


async def clear_lockout_by_rule(*, caused_by: Principal, asset_id: int) -> AssetRead:
    """The safety rule lifts the lock-out on ``caused_by``'s passing re-check (see above)."""
    async with transaction():
        before = await queries.get_asset(asset_id)
        return await _unlock(caused_by, before, "asset.rule_clear_lockout")


async def _lock(actor: Principal, before: AssetRead, reason: str, action: str) -> AssetRead:
    await _bump(
        before.id,
        {
            Asset.locked_out: True,
            Asset.lockout_reason: reason,
            Asset.locked_out_at: clock.now(),
        },
    )
    await audit.record(
        actor=actor,
        action=action,
        object_type="asset",
        object_id=before.id,
        site_id=before.site_id,
        summary=f"{before.name}: {reason}",
        before={"locked_out": before.locked_out, "lockout_reason": before.lockout_reason},
        after={"locked_out": True, "lockout_reason": reason},
    )
    return await queries.get_asset(before.id)


async def _unlock(actor: Principal, before: AssetRead, action: str) -> AssetRead:
    if not before.locked_out:
        return before
    await _bump(
        before.id, {Asset.locked_out: False, Asset.lockout_reason: "", Asset.locked_out_at: None}
    )
    await audit.record(
        actor=actor,
        action=action,
        object_type="asset",
        object_id=before.id,
        site_id=before.site_id,
        summary=before.name,
        before={"locked_out": True, "lockout_reason": before.lockout_reason},
        after={"locked_out": False},
    )
    return await queries.get_asset(before.id)

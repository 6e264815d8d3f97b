"""Monitoring settings of an asset, and event sources (secrets shown once, rotatable)."""

from __future__ import annotations

from typing import Any

from facilities import db
from facilities.accounts import audit
from facilities.accounts.principal import Principal
from facilities.assets import queries as asset_queries
from facilities.assets.monitoring import queries as mq
from facilities.assets.monitoring import secrets
from facilities.assets.monitoring.schemas import (
    MonitorRead,
    MonitorSettings,
    SourceCreate,
    SourceSecret,
)
from facilities.assets.monitoring.tables import DeviceMonitor, DeviceMonitorSpan, DeviceSource
from facilities.kit import clock
from facilities.kit.errors import RuleViolation
from facilities.kit.i18n import _
from facilities.kit.security import new_token
from facilities.sites import scope
from facilities.sites.tables import Site


async def set_monitor(*, actor: Principal, asset_id: int, data: MonitorSettings) -> MonitorRead:
    async with db.transaction():
        asset = await asset_queries.visible_asset(actor, asset_id)
        if data.source_id is not None:
            source = await mq.source_row(data.source_id)
            if source is None or not await _may_use_source(actor, source):
                raise RuleViolation("source_id", _("Unknown source."))
            if source["site"] is not None and source["site"] != asset.site_id:
                raise RuleViolation("source_id", _("This source sends events for another site."))
        clash = await DeviceMonitor.exists().where(
            (DeviceMonitor.source == data.source_id)
            & (DeviceMonitor.external_id == data.external_id.strip())
            & (DeviceMonitor.asset != asset_id)
        )
        if clash:
            raise RuleViolation(
                "external_id", _("Another device of this source already has this name.")
            )
        values: dict[Any, Any] = {
            DeviceMonitor.source: data.source_id,
            DeviceMonitor.external_id: data.external_id.strip(),
            DeviceMonitor.enabled: data.enabled,
            DeviceMonitor.threshold_seconds: data.threshold_seconds,
            DeviceMonitor.down_after_minutes: data.down_after_minutes,
            DeviceMonitor.up_after_minutes: data.up_after_minutes,
            DeviceMonitor.on_recovery: data.on_recovery.value,
        }
        existing = (
            await DeviceMonitor.select(DeviceMonitor.id, DeviceMonitor.enabled)
            .where(DeviceMonitor.asset == asset_id)
            .first()
        )
        if existing is None:
            made = await DeviceMonitor.insert(
                DeviceMonitor(asset=asset_id, **{c._meta.name: v for c, v in values.items()})
            ).returning(DeviceMonitor.id)
            monitor_id, was_enabled = int(made[0]["id"]), False
        else:
            values[DeviceMonitor.version] = DeviceMonitor.version + 1
            await DeviceMonitor.update(values).where(DeviceMonitor.id == existing["id"])
            monitor_id, was_enabled = int(existing["id"]), bool(existing["enabled"])
        await _monitored(monitor_id, was_enabled, data.enabled)
        await audit.record(
            actor=actor,
            action="device_monitor.set",
            object_type="asset",
            object_id=asset_id,
            site_id=asset.site_id,
            summary=f"{asset.name}: {data.external_id.strip()}",
            after={
                "external_id": data.external_id.strip(),
                "source_id": data.source_id,
                "enabled": data.enabled,
                "threshold_seconds": data.threshold_seconds,
                "down_after_minutes": data.down_after_minutes,
                "up_after_minutes": data.up_after_minutes,
                "on_recovery": data.on_recovery.value,
            },
        )
        found = await mq.monitor_for_asset(actor, asset_id)
        assert found is not None
        return found


async def _monitored(monitor_id: int, was: bool, now_enabled: bool) -> None:
    """Open a monitoring span when a device starts being monitored, close it when it stops
    (availability counts a device only inside its spans)."""
    if was == now_enabled:
        return
    if now_enabled:
        await DeviceMonitorSpan.insert(
            DeviceMonitorSpan(monitor=monitor_id, started_at=clock.now(), ended_at=None)
        ).run()
    else:
        await DeviceMonitorSpan.update({DeviceMonitorSpan.ended_at: clock.now()}).where(
            (DeviceMonitorSpan.monitor == monitor_id) & DeviceMonitorSpan.ended_at.is_null()
        )


async def _may_use_source(actor: Principal, source: dict[str, Any]) -> bool:
    if source["site"] is None:
        return actor.is_admin or await scope.visible_site_ids(actor) is None
    return await scope.can_see_site(actor, int(source["site"]))


async def create_source(*, actor: Principal, data: SourceCreate) -> SourceSecret:
    async with db.transaction():
        if data.site_id is not None:
            if not await Site.exists().where(Site.id == data.site_id) or not (
                await scope.can_see_site(actor, data.site_id)
            ):
                raise RuleViolation("site_id", _("Unknown site."))
        elif not actor.is_admin:
            raise RuleViolation("site_id", _("Choose the site this source reports for."))
        rows = await DeviceSource.insert(
            DeviceSource(
                name=data.name.strip(),
                kind=data.kind.value,
                site=data.site_id,
                secret_hash=f"pending-{new_token(12)}",
            )
        ).returning(DeviceSource.id)
        source_id = int(rows[0]["id"])
        secret = secrets.derive(source_id, 1)
        await DeviceSource.update(
            {
                DeviceSource.secret_hash: secrets.digest(secret),
                DeviceSource.secret_hint: secret[-4:],
            }
        ).where(DeviceSource.id == source_id)
        await audit.record(
            actor=actor,
            action="device_source.create",
            object_type="device_source",
            object_id=source_id,
            site_id=data.site_id,
            summary=data.name.strip(),
            after={"kind": data.kind.value, "site_id": data.site_id},
        )
        return SourceSecret(source=await mq.get_source(source_id), secret=secret)


async def rotate_source(*, actor: Principal, source_id: int) -> SourceSecret:
    async with db.transaction():
        source = await mq.visible_source(actor, source_id)
        generation = source.generation + 1
        secret = secrets.derive(source_id, generation)
        await DeviceSource.update(
            {
                DeviceSource.generation: generation,
                DeviceSource.secret_hash: secrets.digest(secret),
                DeviceSource.secret_hint: secret[-4:],
                DeviceSource.rotated_at: clock.now(),
            }
        ).where(DeviceSource.id == source_id)
        await audit.record(
            actor=actor,
            action="device_source.rotate",
            object_type="device_source",
            object_id=source_id,
            site_id=source.site_id,
            summary=source.name,
            after={"generation": generation},
        )
        return SourceSecret(source=await mq.get_source(source_id), secret=secret)

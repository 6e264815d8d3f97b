"""Demo data for device monitoring (``facilities demo``): four monitored Wi-Fi access points
at one field site, reporting to one generic event source; each has sent a heartbeat. With
no sender running they fall silent, and the missed-heartbeat job marks them down after two
minutes plus a minute's hold — ``docs/device-events.md`` shows a curl loop that keeps them
alive, and how to stop one. Idempotent: a site with monitored devices is left alone."""

from __future__ import annotations

from facilities.accounts.enums import Trade
from facilities.accounts.principal import Principal
from facilities.assets import actions as asset_actions
from facilities.assets.monitoring import actions, queries
from facilities.assets.monitoring.schemas import MonitorSettings, SourceCreate
from facilities.assets.schemas import AssetCreate, CategoryCreate
from facilities.assets.tables import AssetCategory
from facilities.kit import clock


async def load_monitoring(system: Principal, site_id: int, *, category: str, ap_name: str) -> None:
    """``category``: the name of the network equipment category (found or made);
    ``ap_name``: the access points' names with ``%d`` for their number (demo language)."""
    if await queries.site_monitors(system, site_id):
        return
    row = await AssetCategory.select(AssetCategory.id).where(AssetCategory.name == category).first()
    if row is None:
        category_id = (
            await asset_actions.create_category(
                actor=system,
                data=CategoryCreate(name=category, icon="wifi", trade=Trade.it_network),
            )
        ).id
    else:
        category_id = int(row["id"])
    source = await actions.create_source(
        actor=system, data=SourceCreate(name="AP controller", site_id=site_id)
    )
    for number in range(1, 5):
        asset = await asset_actions.create_asset(
            actor=system,
            data=AssetCreate(
                site_id=site_id,
                name=ap_name % number,
                category_id=category_id,
                manufacturer="Ubiquiti",
                model="U6-Mesh",
            ),
        )
        monitor = await actions.set_monitor(
            actor=system,
            asset_id=asset.id,
            data=MonitorSettings(
                external_id=f"ap-{number}",
                source_id=source.source.id,
                threshold_seconds=120,
                down_after_minutes=1,
                up_after_minutes=2,
            ),
        )
        await actions.apply(monitor.id, "heartbeat", clock.now())

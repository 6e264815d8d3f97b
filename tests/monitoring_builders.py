"""Builders for device monitoring: a field site with access points, a source, monitors,
and helpers that send events in the generic shape (through the real actions)."""

from __future__ import annotations

import itertools
import json
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import msgspec

from facilities.accounts.enums import Role
from facilities.accounts.schemas import UserRead
from facilities.assets import actions as asset_actions
from facilities.assets.monitoring import actions
from facilities.assets.monitoring.schemas import IngestAnswer, MonitorSettings, SourceCreate
from facilities.assets.schemas import AssetCreate, CategoryCreate
from facilities.kit import clock
from facilities.sites.schemas import SiteRead
from tests import builders

T0 = datetime(2026, 11, 2, 8, 0, tzinfo=UTC)
_seq = itertools.count(1)


@dataclass
class Field:
    site: SiteRead
    other_site: SiteRead
    partner_org_id: int
    isp_org_id: int
    source_id: int
    secret: str
    ap_ids: list[int]  # asset ids, monitored as ap-1, ap-2, ...
    ops: UserRead


async def field_site(
    aps: int = 3, *, down_after: int = 0, up_after: int = 0, on_recovery: str = "complete"
) -> Field:
    """A site with ``aps`` access points (category trade ``it_network``), a maintenance
    contract for the Wi-Fi partner and an ISP contract, one generic source."""
    from tests.services.helpers import contract

    system = await builders.system()
    region = await builders.region()
    site = await builders.site(region.id)
    other_site = await builders.site(region.id)
    ops = await builders.user(Role.ops_manager)
    await builders.assign(ops, regions=[region.id])
    wifi = await builders.partner_org(f"Wi-Fi Service {next(_seq)}")
    isp = await builders.partner_org(f"Netz Provider {next(_seq)}")
    await contract(
        wifi.id,
        [site.id],
        name="Wi-Fi maintenance",
        contract_type="maintenance",
        trades=["it_network"],
    )
    await contract(isp.id, [site.id], name="Internet", contract_type="isp_connectivity")
    category = await asset_actions.create_category(
        actor=system,
        data=msgspec.convert(
            {"name": f"Access point {next(_seq)}", "trade": "it_network"}, CategoryCreate
        ),
    )
    made = await actions.create_source(
        actor=system, data=SourceCreate(name="Controller", site_id=site.id)
    )
    ap_ids = []
    for n in range(1, aps + 1):
        asset = await asset_actions.create_asset(
            actor=system,
            data=msgspec.convert(
                {"site_id": site.id, "name": f"AP {n}", "category_id": category.id}, AssetCreate
            ),
        )
        await actions.set_monitor(
            actor=system,
            asset_id=asset.id,
            data=msgspec.convert(
                {
                    "external_id": f"ap-{n}",
                    "source_id": made.source.id,
                    "down_after_minutes": down_after,
                    "up_after_minutes": up_after,
                    "on_recovery": on_recovery,
                },
                MonitorSettings,
            ),
        )
        ap_ids.append(asset.id)
    return Field(site, other_site, wifi.id, isp.id, made.source.id, made.secret, ap_ids, ops)


def batch(*events: dict[str, Any], sent_at: datetime | None = None) -> bytes:
    return json.dumps(
        {"sent_at": (sent_at or clock.now()).isoformat(), "events": list(events)}
    ).encode()


def event(device: str, kind: str, **values: Any) -> dict[str, Any]:
    return {"device": device, "type": kind, **values}


async def send(f: Field, *events: dict[str, Any], sent_at: datetime | None = None) -> IngestAnswer:
    return await actions.ingest(
        source_id=f.source_id,
        headers={"authorization": f"Bearer {f.secret}"},
        body=batch(*events, sent_at=sent_at),
    )


def minutes(n: float) -> timedelta:
    return timedelta(minutes=n)

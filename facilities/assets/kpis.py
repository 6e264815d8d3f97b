"""Asset uptime as a ``kit.kpi.Kpi`` (the computation stays in ``uptime.py``)."""

from __future__ import annotations

from datetime import UTC, datetime, time

from facilities.accounts.principal import Principal
from facilities.assets import queries
from facilities.kit.i18n import N_
from facilities.kit.kpi import Kpi, KpiValue, Period


async def _asset_uptime(principal: Principal, period: Period) -> list[KpiValue]:
    start = datetime.combine(period.start, time(), UTC)
    end = datetime.combine(period.end, time(), UTC)
    return [
        KpiValue(
            subject=f"asset:{asset_id}",
            label=label,
            value=result.percent,
            numerator=result.up_seconds,
            denominator=result.counted_seconds,
            detail={"down_seconds": result.down_seconds, "down_events": result.down_events},
        )
        for asset_id, label, result in await queries.uptimes(principal, start, end)
    ]


ASSET_UPTIME = Kpi(
    name="asset_uptime",
    title=N_("Asset uptime"),
    unit="percent",
    formula="up_seconds / (up_seconds + down_seconds) × 100 (degraded counts as up)",
    population="assets at the caller's sites, from their status history, period clipped to now",
    compute=_asset_uptime,
)

KPIS = (ASSET_UPTIME,)

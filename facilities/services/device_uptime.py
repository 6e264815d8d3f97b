"""Hardware uptime per maintenance partner and per ISP, per month (``kit.kpi``
``hardware_uptime``, registered in ``facilities.wiring``), from the per-device and
per-site figures of ``assets.monitoring.availability``:

* **partner**: the device-seconds of the devices whose work goes to it today
  (``isp.monitoring_partner``: the best non-ISP contract for the device's trade);
* **ISP**: per site it serves (``isp_connectivity`` contract), the month's counted time of
  the site minus its internet outages (all monitored devices down at once), summed over
  its sites: ``(Σ site time − Σ internet outage time) / Σ site time × 100``. These outages
  are the ones that count against the ISP contract's SLA.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime, time
from typing import Any

from facilities.accounts.principal import Principal
from facilities.accounts.tables import PartnerOrganisation
from facilities.assets.monitoring import availability
from facilities.kit.i18n import N_
from facilities.kit.kpi import Kpi, KpiValue, Period
from facilities.services.isp import monitoring_partner


@dataclass
class _Group:
    up: float = 0.0
    counted: float = 0.0
    outages: list[dict[str, Any]] = field(default_factory=list)


async def _names(ids: set[int]) -> dict[int, str]:
    if not ids:
        return {}
    rows = await PartnerOrganisation.select(PartnerOrganisation.id, PartnerOrganisation.name).where(
        PartnerOrganisation.id.is_in(sorted(ids))
    )
    return {int(r["id"]): str(r["name"]) for r in rows}


def _span(outage: availability.Outage, what: str) -> dict[str, Any]:
    """An outage of the detail; one still going on has no ``end`` (null), and ``seconds``
    is its length so far (it used to end "now", read as a recovery that never happened)."""
    return {
        "start": outage.started_at.isoformat(),
        "end": outage.ended_at.isoformat() if outage.ended_at else None,
        "ongoing": outage.ongoing,
        "seconds": outage.seconds,
        "what": what,
    }


async def values(principal: Principal, period: Period) -> list[KpiValue]:
    sites = await availability.month(principal, period.start)
    end = datetime.combine(period.end, time(), UTC)
    found: list[KpiValue] = []
    partners: dict[int, _Group] = {}
    isps: dict[int, _Group] = {}
    for site in sites:
        if site.start >= end:
            continue
        for device in site.devices:
            u = device.uptime
            found.append(
                KpiValue(
                    subject=f"device:{device.asset_id}",
                    label=f"{site.name} · {device.name}",
                    value=u.percent,
                    numerator=u.up_seconds,
                    denominator=u.counted_seconds,
                    detail={
                        "down_seconds": u.down_seconds,
                        "outages": [_span(o, device.name) for o in device.outage_list],
                    },
                )
            )
            partner = await monitoring_partner(device.site_id, device.trade, False)
            if partner is not None and u.counted_seconds > 0:
                group = partners.setdefault(partner, _Group())
                group.up += u.up_seconds
                group.counted += u.counted_seconds
                group.outages += [_span(o, device.name) for o in device.outage_list]
        found.append(
            KpiValue(
                subject=f"site:{site.site_id}",
                label=site.name,
                value=site.percent,
                numerator=site.up_seconds,
                denominator=site.counted_seconds,
                detail={
                    "internet_down_seconds": site.internet_down_seconds,
                    "internet_outages": [_span(o, site.name) for o in site.internet_outage_list],
                },
            )
        )
        isp = await monitoring_partner(site.site_id, None, True)
        counted_devices = [d for d in site.devices if d.uptime.counted_seconds > 0]
        if isp is not None and counted_devices:
            # the site's counted time: the span covered by its longest-counted device
            site_time = max(d.uptime.counted_seconds for d in counted_devices)
            group = isps.setdefault(isp, _Group())
            group.counted += site_time
            group.up += site_time - site.internet_down_seconds
            group.outages += [_span(o, site.name) for o in site.internet_outage_list]
    names = await _names(set(partners) | set(isps))
    for kind, groups in (("partner", partners), ("isp", isps)):
        for org_id, group in sorted(groups.items()):
            found.append(
                KpiValue(
                    subject=f"{kind}:{org_id}",
                    label=names.get(org_id, str(org_id)),
                    value=round(100.0 * group.up / group.counted, 4) if group.counted else None,
                    numerator=group.up,
                    denominator=group.counted,
                    detail={"outages": group.outages},
                )
            )
    return found


HARDWARE_UPTIME = Kpi(
    name="hardware_uptime",
    title=N_("Hardware uptime"),
    unit="percent",
    formula=(
        "device: up / (up + down) × 100; site and partner: the same over the sum of their"
        " devices' seconds; ISP: (site time − internet outage time) / site time × 100, an"
        " internet outage being all monitored devices of a site down at once"
    ),
    population=(
        "monitored devices at the caller's sites, each only while it was monitored, month"
        " of the period's start in each site's time zone, from the assets' status history,"
        " clipped to now (an ongoing outage counts up to now and has no end)"
    ),
    compute=values,
)

KPIS = (HARDWARE_UPTIME,)

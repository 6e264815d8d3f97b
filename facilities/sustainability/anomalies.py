"""Anomalies: consumption far from a meter's own recent baseline, from its interval data.

The nightly scan looks at one site-local day ``D`` (yesterday) of every active water and
electricity meter with interval data, against the ``BASELINE_NIGHTS`` nights before it
(docs/kpis.md):

* **night-time water flow** (a leak): the lowest hourly flow between 01:00 and 05:00 local
  time on ``D`` is above ``max(3 × median of the same minimum over the baseline nights,
  5 l/h)``: water never stopped running at night.
* **electricity baseload jump**: the night's lowest hourly consumption (01:00–05:00) is
  above ``1.5 × the baseline median`` and at least 0.5 kWh/h above it.
* **a meter that stops reporting**: interval data in the baseline nights, none on ``D``.

Each finding is an anomaly on the meter's site (unique per meter, kind and day, so the scan
can run again). Water leaks get a work order at once (through the one work-order write
path, pre-filled with site, meter and the evidence); others on request. An anomaly
acknowledged with a known cause mutes that kind on that meter (until a day, or for good).
"""

from __future__ import annotations

import statistics
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from facilities import db
from facilities.accounts import audit
from facilities.accounts.enums import Trade
from facilities.accounts.principal import Principal
from facilities.kit import clock
from facilities.kit.errors import Conflict, NotFound, RuleViolation
from facilities.kit.i18n import N_, _, format_date, format_number, in_installation_language
from facilities.maintenance.workorders.creation import NewWorkOrder, create_work_orders
from facilities.maintenance.workorders.schemas import Origin, Priority, WorkOrderCreate
from facilities.sites import scope
from facilities.sustainability import queries
from facilities.sustainability.enums import UNIT_LABELS, Carrier
from facilities.sustainability.tables import Anomaly, Meter

BASELINE_NIGHTS = 14
NIGHT = (1, 5)  # local hours [1, 5)
LEAK_FACTOR = 3.0
LEAK_FLOOR_M3_PER_H = 0.005  # 5 litres an hour
BASELOAD_FACTOR = 1.5
BASELOAD_MIN_KWH_PER_H = 0.5

KIND_LABELS = {
    "night_flow": N_("Water flowing at night"),
    "baseload_jump": N_("Electricity baseload jump"),
    "no_data": N_("Meter stopped reporting"),
}


@dataclass(frozen=True, slots=True)
class Finding:
    meter_id: int
    site_id: int
    kind: str
    day: date
    value: float | None
    baseline: float | None
    evidence: str


def night_minimum(
    values: Iterable[tuple[datetime, int, float]], zone: ZoneInfo
) -> dict[date, float]:
    """Per local day, the lowest hourly rate (quantity × 60 / minutes) of the intervals that
    start between 01:00 and 05:00 local time."""
    lowest: dict[date, float] = {}
    for start, minutes, quantity in values:
        local = start.astimezone(zone)
        if NIGHT[0] <= local.hour < NIGHT[1]:
            rate = quantity * 60 / minutes
            day = local.date()
            lowest[day] = min(lowest.get(day, rate), rate)
    return lowest


def evidence(kind: str, day: date, value: float | None, baseline: float | None, unit: str) -> str:
    """The finding in words, in the reader's language and number format (pure): the page
    renders it from the stored figures, so a German reader never sees the scan's English."""
    if kind == "no_data":
        return _("No interval values on %(day)s, though there were before.") % {
            "day": format_date(day)
        }
    if kind == "night_flow":
        return _(
            "Between 01:00 and 05:00 the water never fell below %(now)s %(unit)s/h "
            "(usual lowest: %(usual)s %(unit)s/h): a leak or a running tap?"
        ) % {
            "now": format_number(value or 0, 3),
            "usual": format_number(baseline or 0, 3),
            "unit": UNIT_LABELS.get(unit, unit),
        }
    return _(
        "The night baseload was %(now)s kWh/h against a usual %(usual)s kWh/h: "
        "something stays on at night."
    ) % {"now": format_number(value or 0, 2), "usual": format_number(baseline or 0, 2)}


def judge(
    *,
    meter_id: int,
    site_id: int,
    carrier: Carrier,
    day: date,
    nights: dict[date, float],
    days_with_data: set[date],
    unit: str,
) -> list[Finding]:
    """The findings of one meter for ``day`` (pure)."""
    earlier = [nights[d] for d in sorted(nights) if d < day][-BASELINE_NIGHTS:]
    had_data = any(d < day for d in days_with_data)
    if had_data and day not in days_with_data:
        return [
            Finding(
                meter_id,
                site_id,
                "no_data",
                day,
                None,
                None,
                evidence("no_data", day, None, None, unit),
            )
        ]
    if day not in nights or len(earlier) < 3:
        return []
    tonight, usual = nights[day], statistics.median(earlier)
    if carrier is Carrier.water:
        floor = LEAK_FLOOR_M3_PER_H if unit == "m3" else LEAK_FLOOR_M3_PER_H * 1000
        if tonight > max(LEAK_FACTOR * usual, floor):
            return [
                Finding(
                    meter_id,
                    site_id,
                    "night_flow",
                    day,
                    tonight,
                    usual,
                    evidence("night_flow", day, tonight, usual, unit),
                )
            ]
    elif (
        carrier is Carrier.electricity_grid
        and tonight > BASELOAD_FACTOR * usual
        and tonight - usual >= BASELOAD_MIN_KWH_PER_H
    ):
        return [
            Finding(
                meter_id,
                site_id,
                "baseload_jump",
                day,
                tonight,
                usual,
                evidence("baseload_jump", day, tonight, usual, unit),
            )
        ]
    return []


async def _muted(meter_id: int, kind: str, day: date) -> bool:
    rows = await Anomaly.select(Anomaly.muted_until).where(
        (Anomaly.meter == meter_id) & (Anomaly.kind == kind) & (Anomaly.status == "acknowledged")
    )
    return any(r["muted_until"] is None or queries.to_date(r["muted_until"]) >= day for r in rows)


CHUNK = 500  # meters per query


async def _window(
    meter_ids: list[int], zone: ZoneInfo, day: date
) -> dict[int, tuple[dict[date, float], set[date]]]:
    """Per meter with interval data from the baseline's first night to the end of ``day``:
    its night minima (``night_minimum`` of the rows that start in a night, 01:00–05:00
    local, of those days: the only rows it reads) and the days that tell ``judge`` whether
    it reported (``day`` if it has values on it; the window's first day if it has values
    before it). Two queries per ``CHUNK`` meters instead of every value of every meter."""
    first = day - timedelta(days=BASELINE_NIGHTS)
    begins = datetime.combine(first, time(), zone).astimezone(UTC)
    today = datetime.combine(day, time(), zone).astimezone(UTC)
    ends = datetime.combine(day + timedelta(days=1), time(), zone).astimezone(UTC)
    nights: list[datetime] = []
    for offset in range(BASELINE_NIGHTS + 1):
        night = first + timedelta(days=offset)
        nights += [
            datetime.combine(night, time(NIGHT[0]), zone).astimezone(UTC),
            datetime.combine(night, time(NIGHT[1]), zone).astimezone(UTC),
        ]
    ranges = " OR ".join(["(starts_at >= {} AND starts_at < {})"] * (BASELINE_NIGHTS + 1))
    found: dict[int, tuple[dict[date, float], set[date]]] = {}
    for start in range(0, len(meter_ids), CHUNK):
        listed = ",".join(str(int(m)) for m in meter_ids[start : start + CHUNK])
        presence = await db.raw(
            "SELECT meter, SUM(CASE WHEN starts_at < {} THEN 1 ELSE 0 END) AS before,"  # noqa: S608
            " SUM(CASE WHEN starts_at >= {} THEN 1 ELSE 0 END) AS today"
            f" FROM meter_interval WHERE meter IN ({listed})"
            " AND starts_at >= {} AND starts_at < {} GROUP BY meter",
            today,
            today,
            begins,
            ends,
        )
        values: dict[int, list[tuple[datetime, int, float]]] = {}
        for row in await db.raw(
            "SELECT meter, starts_at, minutes, quantity FROM meter_interval"  # noqa: S608
            f" WHERE meter IN ({listed}) AND ({ranges})",
            *nights,
        ):
            values.setdefault(row["meter"], []).append(
                (queries.aware(row["starts_at"]), row["minutes"], float(row["quantity"]))
            )
        for row in presence:
            days = ({day} if row["today"] else set()) | ({first} if row["before"] else set())
            found[row["meter"]] = (night_minimum(values.get(row["meter"], []), zone), days)
    return found


async def scan(*, now: datetime | None = None) -> list[int]:
    """Scan yesterday (site-local) of every water and electricity meter with interval data;
    returns the ids of the new anomalies. Idempotent. The meters are read per time zone in
    chunks (``_window``), not one query per meter."""
    moment = now or clock.now()
    meters = (
        await Meter.select(
            Meter.id, Meter.site, Meter.carrier, Meter.unit, Meter.site.time_zone.as_alias("tz")
        )
        .where(
            Meter.active.eq(True)
            & Meter.carrier.is_in([Carrier.water.value, Carrier.electricity_grid.value])
        )
        .order_by(Meter.id)
    )
    zones: dict[str, list[dict[str, Any]]] = {}
    for meter in meters:
        zones.setdefault(meter["tz"], []).append(meter)
    created: list[int] = []
    for name, group in zones.items():
        zone = ZoneInfo(name)
        day = moment.astimezone(zone).date() - timedelta(days=1)
        window = await _window([m["id"] for m in group], zone, day)
        for meter in group:
            if meter["id"] not in window:
                continue  # no interval data in the window
            nights, days = window[meter["id"]]
            findings = judge(
                meter_id=meter["id"],
                site_id=meter["site"],
                carrier=Carrier(meter["carrier"]),
                day=day,
                nights=nights,
                days_with_data=days,
                unit=meter["unit"],
            )
            for finding in findings:
                if await _muted(finding.meter_id, finding.kind, finding.day):
                    continue
                new_id = await _record(finding)
                if new_id is not None:
                    created.append(new_id)
                    if finding.kind == "night_flow":
                        await open_work_order(actor=None, anomaly_id=new_id)
    return created


async def _record(finding: Finding) -> int | None:
    async with db.transaction():
        exists = await Anomaly.exists().where(
            (Anomaly.meter == finding.meter_id)
            & (Anomaly.kind == finding.kind)
            & (Anomaly.day == finding.day)
        )
        if exists:
            return None
        row = Anomaly(
            meter=finding.meter_id,
            site=finding.site_id,
            kind=finding.kind,
            day=finding.day,
            value=finding.value,
            baseline=finding.baseline,
            evidence=finding.evidence,
            created_at=clock.now(),
        )
        await row.save()
        await audit.record(
            actor=None,
            action="meter_anomaly.create",
            object_type="meter",
            object_id=finding.meter_id,
            summary=f"{finding.kind} {finding.day}",
            site_id=finding.site_id,
        )
        return int(row.id)


def _said(row: dict[str, Any]) -> str:
    """A stored anomaly's evidence in the reader's language (from its figures)."""
    value, baseline = row["value"], row["baseline"]
    return evidence(
        row["kind"],
        queries.to_date(row["day"]),
        None if value is None else float(value),
        None if baseline is None else float(baseline),
        row["unit"],
    )


async def _anomaly(actor: Principal | None, anomaly_id: int) -> dict[str, Any]:
    row = (
        await Anomaly.select(
            *Anomaly.all_columns(),
            Anomaly.meter.name.as_alias("meter_name"),
            Anomaly.meter.asset.as_alias("asset"),
            Anomaly.meter.carrier.as_alias("carrier"),
            Anomaly.meter.unit.as_alias("unit"),
        )
        .where(Anomaly.id == anomaly_id)
        .first()
    )
    if row is None or (actor is not None and not await scope.can_see_site(actor, row["site"])):
        raise NotFound()
    return dict(row)


async def open_work_order(*, actor: Principal | None, anomaly_id: int) -> int:
    """A corrective work order pre-filled with the site, the meter (its asset, if any) and
    the evidence, through the one work-order write path. Once per anomaly. Its words are in
    the installation's language (``kit.i18n.in_installation_language``), whether the nightly
    scan or a person opens it."""
    async with db.transaction():
        row = await _anomaly(actor, anomaly_id)
        if row["work_order"] is not None:
            raise Conflict(_("A work order was already opened for this anomaly."))
        water = row["carrier"] == Carrier.water.value
        with in_installation_language():
            title = _("%(what)s: %(meter)s") % {
                "what": _(KIND_LABELS[row["kind"]]),
                "meter": row["meter_name"],
            }
            description = f"{_said(row)}\n\n" + _(
                "Meter %(meter)s, day %(day)s (found by the nightly anomaly scan)."
            ) % {"meter": row["meter_name"], "day": format_date(queries.to_date(row["day"]))}
        data = WorkOrderCreate(
            title=title[:200],
            site_id=row["site"],
            description=description,
            asset_id=row["asset"],
            priority=Priority.p2 if water else Priority.p3,
            trade=Trade.plumbing if water else Trade.electrical,
        )
        created = await create_work_orders(
            actor=actor, orders=[NewWorkOrder(data=data, origin=Origin.anomaly, note=title)]
        )
        await Anomaly.update({Anomaly.work_order: created[0].id}).where(Anomaly.id == anomaly_id)
        return created[0].id


async def acknowledge(
    *, actor: Principal, anomaly_id: int, cause: str, muted_until: date | None
) -> None:
    """A known cause: the anomaly is closed and that kind on that meter stays silent."""
    cause = cause.strip()
    if not cause:
        raise RuleViolation("cause", _("Say what causes it, e.g. the cleaning runs at night."))
    async with db.transaction():
        row = await _anomaly(actor, anomaly_id)
        await Anomaly.update(
            {
                Anomaly.status: "acknowledged",
                Anomaly.cause: cause[:300],
                Anomaly.muted_until: muted_until,
                Anomaly.acknowledged_by: actor.user_id,
                Anomaly.acknowledged_at: clock.now(),
            }
        ).where(Anomaly.id == anomaly_id)
        await audit.record(
            actor=actor,
            action="meter_anomaly.acknowledge",
            object_type="meter",
            object_id=row["meter"],
            summary=f"{row['kind']}: {cause[:100]}",
            site_id=row["site"],
        )


async def list_anomalies(actor: Principal, *, status: str | None = "open") -> list[dict[str, Any]]:
    query = (
        Anomaly.select(
            *Anomaly.all_columns(),
            Anomaly.meter.name.as_alias("meter_name"),
            Anomaly.site.name.as_alias("site_name"),
            Anomaly.meter.unit.as_alias("unit"),
        )
        .order_by(Anomaly.day, ascending=False)
        .limit(200)
    )
    visible = await scope.visible_site_ids(actor)
    if visible is not None:
        query = query.where(Anomaly.site.is_in(sorted(visible) or [0]))
    if status is not None:
        query = query.where(Anomaly.status == status)
    return [{**r, "evidence": _said(r)} for r in await query]

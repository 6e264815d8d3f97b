"""Reduction targets of a site or a region against a baseline year, and their progress.

Progress in year Y (docs/kpis.md): ``goal = baseline × (1 − reduction / 100)``; the straight
path ``path(Y) = baseline + (goal − baseline) × (Y − baseline_year) / (target_year −
baseline_year)``; achieved ``(baseline − current) / baseline × 100``; on track when
``current ≤ path(Y)``. The metric: Scope 1 + Scope 2 location-based kg CO2e, or kWh.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from facilities.accounts import audit
from facilities.accounts.principal import Principal
from facilities.db import transaction
from facilities.kit import clock
from facilities.kit.errors import NotFound, RuleViolation
from facilities.kit.i18n import _
from facilities.sites import scope
from facilities.sites.tables import Site
from facilities.sustainability import results
from facilities.sustainability.schemas import (
    TargetCreate,
    TargetMetric,
    TargetProgress,
    TargetRead,
)
from facilities.sustainability.tables import Target

ZEROS = (Decimal(0), Decimal(0))


def progress(
    *,
    baseline: float,
    current: float,
    baseline_year: int,
    target_year: int,
    reduction_pct: float,
    year: int,
) -> TargetProgress:
    goal = baseline * (1 - reduction_pct / 100)
    share = min(max((year - baseline_year) / (target_year - baseline_year), 0.0), 1.0)
    path = baseline + (goal - baseline) * share
    achieved = (baseline - current) / baseline * 100 if baseline > 0 else None
    return TargetProgress(
        year=year,
        baseline=baseline,
        current=current,
        goal=goal,
        path=path,
        reduction_pct=achieved,
        on_track=(current <= path) if baseline > 0 else None,
    )


async def create_target(*, actor: Principal, data: TargetCreate) -> TargetRead:
    if (data.site_id is None) == (data.region_id is None):
        raise RuleViolation("site_id", _("Choose either a site or a region for the target."))
    if data.target_year <= data.baseline_year:
        raise RuleViolation("target_year", _("The target year must come after the baseline year."))
    async with transaction():
        if data.site_id is not None and not await scope.can_see_site(actor, data.site_id):
            raise RuleViolation("site_id", _("Unknown site: %(id)s.") % {"id": data.site_id})
        if data.region_id is not None:
            try:
                await scope.require_region(actor, data.region_id)
            except NotFound:
                raise RuleViolation(
                    "region_id", _("Unknown region: %(id)s.") % {"id": data.region_id}
                ) from None
        row = Target(
            site=data.site_id,
            region=data.region_id,
            metric=data.metric.value,
            baseline_year=data.baseline_year,
            target_year=data.target_year,
            reduction_pct=Decimal(str(round(data.reduction_pct, 2))),
            note=data.note.strip(),
            created_by=actor.user_id,
            created_at=clock.now(),
        )
        await row.save()
        await audit.record(
            actor=actor,
            action="sustainability_target.create",
            object_type="sustainability_target",
            object_id=row.id,
            summary=f"{data.metric.value} −{data.reduction_pct} % "
            f"{data.baseline_year}→{data.target_year}",
            site_id=data.site_id,
        )
    return (await list_targets(actor, target_id=row.id))[0]


async def delete_target(*, actor: Principal, target_id: int) -> None:
    async with transaction():
        await list_targets(actor, target_id=target_id)  # 404 outside the caller's scope
        await Target.delete().where(Target.id == target_id)
        await audit.record(
            actor=actor,
            action="sustainability_target.delete",
            object_type="sustainability_target",
            object_id=target_id,
            summary=f"target {target_id}",
        )


async def list_targets(
    actor: Principal,
    *,
    target_id: int | None = None,
    site_id: int | None = None,
    region_id: int | None = None,
    year: int | None = None,
) -> list[TargetRead]:
    """Targets the caller sees: of a visible site, or of a visible region. With ``year``,
    each with its progress in that year. ``site_id``/``region_id`` narrow to the targets
    that concern that site (its own and its region's) or that region."""
    query = Target.select(
        *Target.all_columns(),
        Target.site.name.as_alias("site_name"),
        Target.region.name.as_alias("region_name"),
    ).order_by(Target.id)
    if target_id is not None:
        query = query.where(Target.id == target_id)
    rows = [dict(r) for r in await query]
    sites = await scope.visible_site_ids(actor)
    regions = await scope.visible_region_ids(actor)
    if site_id is not None:
        await scope.require_site(actor, site_id)
        region_of = await Site.select(Site.region).where(Site.id == site_id).first()
        rows = [
            r
            for r in rows
            if r["site"] == site_id or (region_of and r["region"] == region_of["region"])
        ]
    elif region_id is not None:
        await scope.require_region(actor, region_id)
        rows = [r for r in rows if r["region"] == region_id]

    def visible(row: dict[str, Any]) -> bool:
        if row["site"] is not None:
            return sites is None or row["site"] in sites
        return regions is None or row["region"] in regions

    found = [r for r in rows if visible(r)]
    if target_id is not None and not found:
        raise NotFound()
    result = []
    for row in found:
        metric = TargetMetric(row["metric"])
        item = TargetRead(
            id=row["id"],
            metric=metric,
            baseline_year=row["baseline_year"],
            target_year=row["target_year"],
            reduction_pct=float(row["reduction_pct"]),
            site_id=row["site"],
            region_id=row["region"],
            scope_name=row["site_name"] or row["region_name"] or "",
            note=row["note"],
        )
        result.append(item)
    if year is not None and result:
        await _add_progress(result, year, sites)
    return result


async def _add_progress(items: list[TargetRead], year: int, visible: set[int] | None) -> None:
    """Each target's progress in ``year``: its scope's totals (a site; a region's active
    sites the caller sees, as ``results`` counts them) of the baseline year and of ``year``,
    read per year for all the targets' sites at once (not two ``results`` per target)."""
    regions = {i.region_id for i in items if i.site_id is None}
    members: dict[int, list[int]] = {r: [] for r in regions if r is not None}
    if members:
        for row in await Site.select(Site.id, Site.region).where(
            Site.region.is_in(sorted(members)) & Site.archived.eq(False)
        ):
            if visible is None or row["id"] in visible:
                members[row["region"]].append(row["id"])

    def sites_of(item: TargetRead) -> list[int]:
        if item.site_id is not None:
            return [item.site_id]
        return members.get(item.region_id or 0, [])

    wanted = sorted({s for i in items for s in sites_of(i)})
    years = {year} | {i.baseline_year for i in items}
    totals = await results.target_totals(wanted, years)

    def value(item: TargetRead, of_year: int) -> float:
        index = 0 if item.metric is TargetMetric.energy else 1
        return float(
            sum((totals[of_year].get(s, ZEROS)[index] for s in sites_of(item)), Decimal(0))
        )

    for item in items:
        item.progress = progress(
            baseline=value(item, item.baseline_year),
            current=value(item, year),
            baseline_year=item.baseline_year,
            target_year=item.target_year,
            reduction_pct=item.reduction_pct,
            year=year,
        )

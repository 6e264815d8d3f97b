"""Reads of roll-outs: the list, one roll-out's board (each site's stage with counts).

**Scope.** Staff see the sites of a roll-out they may see (``sites.scope``); a partner
sees only the sites whose installation order is its own. A roll-out with no visible site is
a 404 (a foreign id leaks nothing).
"""

from __future__ import annotations

from typing import Any

from facilities import db
from facilities.accounts.enums import Role
from facilities.accounts.principal import Principal
from facilities.kit import clock
from facilities.kit.errors import NotFound
from facilities.kit.rows import aware, aware_or_none, to_date_or_none
from facilities.maintenance.rollouts.enums import STAGES, Stage, stage_of
from facilities.maintenance.rollouts.schemas import RolloutRead, RolloutSiteRead
from facilities.sites import scope

_SITES = (
    "SELECT rs.id, rs.rollout, rs.site, rs.target_date, rs.work_order, rs.asset,"
    " rs.installed_at, s.name AS site_name, s.code AS site_code, s.time_zone,"
    " w.status, w.scheduled_for, w.partner_organisation, a.name AS asset_name,"
    " (SELECT q.code FROM qr_code q WHERE q.asset = rs.asset AND q.status = 'active'"
    "  ORDER BY q.id DESC LIMIT 1) AS qr_code"
    " FROM rollout_site rs JOIN site s ON s.id = rs.site"
    " LEFT JOIN work_order w ON w.id = rs.work_order"
    " LEFT JOIN asset a ON a.id = rs.asset"
)


async def _visible(principal: Principal, rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    if principal.role is Role.partner:
        own = principal.partner_organisation_id
        return [r for r in rows if own is not None and r["partner_organisation"] == own]
    sites = await scope.visible_site_ids(principal)
    return rows if sites is None else [r for r in rows if r["site"] in sites]


def _site_read(row: dict[str, Any]) -> RolloutSiteRead:
    stage = stage_of(row["status"], row["scheduled_for"] is not None)
    target = to_date_or_none(row["target_date"])
    today = clock.now().date()
    return RolloutSiteRead(
        id=int(row["id"]),
        site_id=int(row["site"]),
        site_name=row["site_name"],
        site_code=row["site_code"],
        time_zone=row["time_zone"],
        target_date=target,
        work_order_id=row["work_order"],
        work_order_status=row["status"],
        partner_organisation_id=row["partner_organisation"],
        scheduled_for=aware_or_none(row["scheduled_for"]),
        stage=stage,
        overdue=target is not None
        and target < today
        and stage not in (Stage.installed, Stage.verified),
        asset_id=row["asset"],
        asset_name=row["asset_name"],
        qr_code=row["qr_code"],
        installed_at=aware_or_none(row["installed_at"]),
    )


def _counts(sites: list[RolloutSiteRead]) -> dict[str, int]:
    counts = {stage.value: 0 for stage in STAGES}
    for site in sites:
        counts[site.stage.value] += 1
    return counts


def _read(row: dict[str, Any], sites: list[RolloutSiteRead], with_sites: bool) -> RolloutRead:
    return RolloutRead(
        id=int(row["id"]),
        name=row["name"],
        category_id=int(row["category"]),
        category_name=row["category_name"],
        partner_organisation_id=row["partner_organisation"],
        source_id=row["source"],
        checklist_template_id=row["template"],
        notes=row["notes"] or "",
        created_at=aware(row["created_at"]),
        counts=_counts(sites),
        sites=sites if with_sites else [],
    )


_ROLLOUT = (
    "SELECT r.id, r.name, r.category, c.name AS category_name, r.partner_organisation,"
    " r.source, v.template, r.notes, r.created_at FROM rollout r"
    " JOIN asset_category c ON c.id = r.category"
    " LEFT JOIN checklist_template_version v ON v.id = r.checklist_version"
)


async def list_rollouts(principal: Principal) -> list[RolloutRead]:
    """Every roll-out with at least one site the caller sees, newest first, with counts."""
    rollouts = await db.raw(_ROLLOUT + " ORDER BY r.id DESC")
    sites = await _visible(principal, list(await db.raw(_SITES + " ORDER BY rs.id")))
    by_rollout: dict[int, list[RolloutSiteRead]] = {}
    for row in sites:
        by_rollout.setdefault(int(row["rollout"]), []).append(_site_read(row))
    return [
        _read(r, by_rollout[int(r["id"])], False) for r in rollouts if int(r["id"]) in by_rollout
    ]


async def get_rollout(principal: Principal, rollout_id: int) -> RolloutRead:
    """One roll-out's board: every site the caller sees, by target date, with its stage."""
    rows = await db.raw(_ROLLOUT + " WHERE r.id = {}", rollout_id)
    if not rows:
        raise NotFound()
    found = await db.raw(
        _SITES + " WHERE rs.rollout = {} ORDER BY rs.target_date, s.name, rs.id", rollout_id
    )
    sites = [_site_read(r) for r in await _visible(principal, list(found))]
    if not sites and principal.role is not Role.admin:
        raise NotFound()
    return _read(rows[0], sites, True)


async def rollout_of_order(work_order_id: int) -> dict[str, Any] | None:
    """The roll-out site an installation order belongs to (with the roll-out's facts)."""
    rows = await db.raw(
        "SELECT rs.id, rs.rollout, rs.site, rs.asset, r.name, r.category, r.source,"
        " c.name AS category_name, s.name AS site_name, s.code AS site_code, s.time_zone"
        " FROM rollout_site rs JOIN rollout r ON r.id = rs.rollout"
        " JOIN asset_category c ON c.id = r.category JOIN site s ON s.id = rs.site"
        " WHERE rs.work_order = {}",
        work_order_id,
    )
    return dict(rows[0]) if rows else None


async def form_choices(principal: Principal) -> dict[str, list[dict[str, Any]]]:
    """What the "new roll-out" form offers: categories, the caller's active sites, active
    partner organisations and active device sources."""
    sites = await db.raw(
        "SELECT id, code, name FROM site WHERE archived = {} ORDER BY code, name", False
    )
    visible = await scope.visible_site_ids(principal)
    return {
        "categories": list(await db.raw("SELECT id, name FROM asset_category ORDER BY name")),
        "sites": [dict(s) for s in sites if visible is None or s["id"] in visible],
        "partners": list(
            await db.raw(
                "SELECT id, name FROM partner_organisation WHERE active = {} ORDER BY name", True
            )
        ),
        "sources": list(
            await db.raw("SELECT id, name FROM device_source WHERE active = {} ORDER BY name", True)
        ),
    }

"""Findings and the closed loop: a failed item of a submitted inspection becomes a finding
with a corrective work order (one work-order write path, routed like any work; one order
per site or asset and item while it is open); a critical fail locks the asset out
(``assets.actions.lock_out_by_rule``: the rule acts on the inspector's behalf, and the audit
trail names the inspector and says the rule did it) and raises a P1 order. When the order
is completed (``on_work_order_change``, registered in ``facilities.wiring``) a one-item
re-check is created, assigned back to the inspector's role; the finding closes when the
re-check passes, and then the lock-out lifts. A failed re-check opens a new corrective order."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal
from typing import Any

from facilities import db
from facilities.accounts import audit
from facilities.accounts.principal import Principal
from facilities.assets import actions as asset_actions
from facilities.kit import clock
from facilities.kit.i18n import _, in_installation_language
from facilities.kit.rows import dict_rows
from facilities.maintenance import hooks
from facilities.maintenance.checklists.engine import fails, plain
from facilities.maintenance.workorders.creation import NewWorkOrder, create_work_orders
from facilities.maintenance.workorders.schemas import (
    MAX_TITLE,
    Origin,
    Priority,
    WorkOrderCreate,
    WorkOrderKind,
)

RECHECK_DUE = timedelta(days=3)
OPEN_ORDER = ("open", "assigned", "accepted", "in_progress", "on_hold")


def _answer_text(item: dict[str, Any], answer: dict[str, Any]) -> str:
    """The answer in words, stored with the finding and in its order's description: in the
    installation's language (``kit.i18n.in_installation_language``), not the inspector's."""
    if answer.get("value_number") is not None:
        unit = item.get("unit") or ""
        return f"{plain(Decimal(str(answer['value_number'])))} {unit}".strip()
    with in_installation_language():
        words = {
            "pass": _("Pass"),
            "fail": _("Fail"),
            "na": _("N/A"),
            "yes": _("Yes"),
            "no": _("No"),
        }
    text = str(answer.get("value_text") or "")
    return words.get(text, text) if item["kind"] != "text" else text


def _order(row: dict[str, Any], item: dict[str, Any], answer_text: str) -> NewWorkOrder:
    """The corrective order; its words in the installation's language (kit.i18n)."""
    critical = bool(item.get("critical"))
    where = row["asset_name"] or row["site_name"]
    with in_installation_language():
        title = (_("%(item)s — %(where)s") % {"item": item["label"], "where": where})[:MAX_TITLE]
        description = _(
            "Inspection “%(template)s” (no. %(id)s) found: %(item)s — answer: %(answer)s."
        ) % {
            "template": row["template_name"],
            "id": row["id"],
            "item": item["label"],
            "answer": answer_text or "—",
        }
        if critical:
            description += " " + _("Critical: the asset is locked out until a re-check passes.")
        note = _("Raised by an inspection finding.")
    return NewWorkOrder(
        data=WorkOrderCreate(
            title=title,
            site_id=row["site"],
            asset_id=row["asset"],
            kind=WorkOrderKind.corrective,
            priority=Priority.p1 if critical else Priority.p2,
            description=description,
        ),
        origin=Origin.inspection,
        note=note,
        audit_extra={"inspection_id": row["id"], "item": item["key"]},
    )


async def _open_order_of(template_id: int, target_key: str, item_key: str) -> int | None:
    """The corrective order an open finding of this item here already has, if still open."""
    states = ",".join(f"'{s}'" for s in OPEN_ORDER)
    rows = await dict_rows(
        "SELECT f.work_order FROM inspection_finding f"  # noqa: S608 - fixed states
        " JOIN work_order w ON w.id = f.work_order"
        " WHERE f.template = {} AND f.target_key = {} AND f.item_key = {} AND f.status = 'open'"
        f" AND w.status IN ({states}) ORDER BY f.id LIMIT 1",
        template_id,
        target_key,
        item_key,
    )
    return rows[0]["work_order"] if rows else None


async def _lock(actor: Principal, row: dict[str, Any], item: dict[str, Any]) -> bool:
    if row["asset"] is None:
        return False
    with in_installation_language():  # the reason is stored and shown to everyone
        # the reason follows "Do not use — unsafe:" on the asset and scan pages, so it names
        # only what failed (it said "Unsafe — do not use" a second time)
        reason = _("%(item)s: failed in inspection no. %(id)s") % {
            "item": item["label"],
            "id": row["id"],
        }
    # The safety rule acts on the inspector's behalf: the audit names them, and its action
    # says the rule locked the asset (``assets.actions.lock_out_by_rule``).
    await asset_actions.lock_out_by_rule(
        caused_by=actor, asset_id=row["asset"], reason=reason[:500]
    )
    return True


async def raise_findings(
    *,
    actor: Principal,
    row: dict[str, Any],
    items: list[dict[str, Any]],
    answers: dict[str, dict[str, Any]],
    shown: set[str],
) -> list[int]:
    """A finding per failed item (in the caller's transaction); the new finding ids."""
    failed = [i for i in items if i["key"] in shown and fails(i, answers.get(i["key"]))]
    if not failed:
        return []
    now = clock.now()
    new_orders: list[NewWorkOrder] = []
    pending: list[tuple[dict[str, Any], str, int | None]] = []
    for item in failed:
        text = _answer_text(item, answers[item["key"]])
        existing = await _open_order_of(row["template_id"], row["target_key"], item["key"])
        if existing is None:
            new_orders.append(_order(row, item, text))
        pending.append((item, text, existing))
    created = iter(await create_work_orders(actor=actor, orders=new_orders))
    ids = []
    for item, text, existing in pending:
        order_id = existing if existing is not None else next(created).id
        locked = bool(item.get("critical")) and await _lock(actor, row, item)
        inserted = await db.raw(
            "INSERT INTO inspection_finding (inspection, template, site, asset, target_key,"
            " item_key, item_label, answer, critical, status, work_order, recheck, locked_out,"
            " inspector_role, assignee_partner, created_at, closed_at) VALUES ({}, {}, {}, {},"
            " {}, {}, {}, {}, {}, 'open', {}, NULL, {}, {}, {}, {}, NULL) RETURNING id",
            row["id"],
            row["template_id"],
            row["site"],
            row["asset"],
            row["target_key"],
            item["key"],
            item["label"][:300],
            text[:2000],
            bool(item.get("critical")),
            order_id,
            locked,
            actor.role.value,
            row["assignee_partner"],
            now,
        )
        ids.append(int(inserted[0]["id"]))
        await audit.record(
            actor=actor,
            action="inspection.finding",
            object_type="inspection_finding",
            object_id=ids[-1],
            summary=f"{row['template_name']}: {item['label']}"[:500],
            site_id=row["site"],
            after={
                "item": item["key"],
                "answer": text,
                "work_order_id": order_id,
                "critical": bool(item.get("critical")),
                "locked_out": locked,
            },
        )
    return ids


async def recheck_submitted(
    *, actor: Principal, row: dict[str, Any], item: dict[str, Any], answer: dict[str, Any] | None
) -> None:
    """A re-check was submitted: close the findings of its group when it passed (and lift
    the lock-out when no other critical finding holds it), else open a new corrective order."""
    group = await dict_rows(
        "SELECT * FROM inspection_finding WHERE recheck = {} AND status = 'open'", row["id"]
    )
    if not group:
        return
    passed = bool(answer and answer.get("answered")) and not fails(item, answer)
    now = clock.now()
    ids = [g["id"] for g in group]
    marks = ",".join(str(int(i)) for i in ids)
    if passed:
        await db.raw(
            "UPDATE inspection_finding SET status = 'closed', closed_at = {}"  # noqa: S608 - ids
            f" WHERE id IN ({marks})",
            now,
        )
        asset_id = row["asset"]
        if asset_id is not None and any(g["locked_out"] for g in group):
            still = await dict_rows(
                "SELECT id FROM inspection_finding WHERE asset = {} AND status = 'open'"
                " AND locked_out = {}",
                asset_id,
                True,
            )
            if not still:
                await asset_actions.clear_lockout_by_rule(caused_by=actor, asset_id=asset_id)
    else:
        text = _answer_text(item, answer or {})
        created = await create_work_orders(actor=actor, orders=[_order(row, item, text)])
        await db.raw(
            "UPDATE inspection_finding SET work_order = {}, recheck = NULL"  # noqa: S608 - ids
            f" WHERE id IN ({marks})",
            created[0].id,
        )
    await audit.record(
        actor=actor,
        action="inspection.finding_closed" if passed else "inspection.recheck_failed",
        object_type="inspection_finding",
        object_id=ids[0],
        summary=f"{row['template_name']}: {item['label']}"[:500],
        site_id=row["site"],
        after={"findings": ids, "recheck_id": row["id"], "passed": passed},
    )


async def on_work_order_change(change: hooks.WorkOrderChange) -> None:
    """A corrective order of open findings was completed: one one-item re-check per order,
    assigned back to the inspector's role (inside the completion's transaction)."""
    if change.action != "complete":
        return
    group = await dict_rows(
        "SELECT f.*, i.template_version FROM inspection_finding f"
        " JOIN inspection i ON i.id = f.inspection"
        " WHERE f.work_order = {} AND f.status = 'open' AND f.recheck IS NULL ORDER BY f.id",
        change.work_order_id,
    )
    if not group:
        return
    first = group[0]
    now = clock.now()
    rows = await db.raw(
        "INSERT INTO inspection (programme, template_version, site, asset, target_key,"
        " occurrence_key, due_at, status, only_item, assignee_role, assignee_partner,"
        " assignee_user, version, recheck_of, created_at) VALUES (NULL, {}, {}, {}, {}, {},"
        " {}, 'due', {}, {}, {}, NULL, 1, {}, {}) RETURNING id",
        first["template_version"],
        first["site"],
        first["asset"],
        first["target_key"],
        f"recheck:{first['id']}:{change.work_order_id}",
        now + RECHECK_DUE,
        first["item_key"],
        first["inspector_role"] if first["inspector_role"] != "partner" else "",
        first["assignee_partner"],
        first["id"],
        now,
    )
    recheck_id = int(rows[0]["id"])
    marks = ",".join(str(int(g["id"])) for g in group)
    await db.raw(
        f"UPDATE inspection_finding SET recheck = {{}} WHERE id IN ({marks})",  # noqa: S608
        recheck_id,
    )
    await audit.record(
        actor=change.actor,
        action="inspection.recheck_created",
        object_type="inspection",
        object_id=recheck_id,
        summary=first["item_label"][:500],
        site_id=first["site"],
        after={"findings": [g["id"] for g in group], "work_order_id": change.work_order_id},
    )

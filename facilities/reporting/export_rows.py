"""What the exports contain, row by row (headings in the reader's language; Asana's import
columns in Asana's words)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

from facilities.accounts.principal import Principal
from facilities.kit.i18n import _
from facilities.kit.rows import aware_or_none
from facilities.kit.timefmt import to_local
from facilities.maintenance.lifecycle import STATUS_LABELS
from facilities.maintenance.workorders.schemas import KIND_LABELS, PRIORITY_LABELS
from facilities.reporting import dashboard, queries
from facilities.settings import get_settings

# Asana's CSV importer maps these headings to task fields by itself, in the order its guide
# asks for ("Preparing data for CSV import": Name, Description, Section, Assignee, …, Due
# Date; further columns after them).
ASANA_HEADS = ["Name", "Description", "Section", "Assignee", "Due Date", "Tags"]


def work_order_heads() -> list[str]:
    return [
        _("Number"),
        _("Title"),
        _("Kind"),
        _("Status"),
        _("Priority"),
        _("Site"),
        _("Asset"),
        _("Partner"),
        _("Assignee"),
        _("Created"),
        _("Due"),
        _("Completed"),
    ]


def _local(value: Any, zone: str) -> str:
    moment = aware_or_none(value)
    return to_local(moment, zone).strftime("%Y-%m-%d %H:%M") if moment else ""


def _word(labels: dict[Any, str], value: Any) -> str:
    for key, label in labels.items():
        if key == value or getattr(key, "value", None) == value:
            return _(label)
    return str(value or "")


def work_order_row(r: dict[str, Any]) -> list[Any]:
    zone = str(r["time_zone"])
    return [
        int(r["id"]),
        r["title"],
        _word(KIND_LABELS, r["kind"]),
        _word(STATUS_LABELS, r["status"]),
        _word(PRIORITY_LABELS, r["priority"]),
        r["site_name"],
        r["asset_name"] or "",
        r["partner_name"] or "",
        r["assignee_email"] or "",
        _local(r["created_at"], zone),
        _local(r["due_at"], zone),
        _local(r["completed_at"], zone),
    ]


async def work_order_rows(
    principal: Principal, *, open_only: bool
) -> AsyncIterator[list[list[Any]]]:
    async for batch in queries.work_order_batches(principal, open_only=open_only):
        yield [work_order_row(r) for r in batch]


def _asana_date(value: Any, zone: str) -> str:
    moment = aware_or_none(value)
    return to_local(moment, zone).strftime("%m/%d/%Y") if moment else ""


def asana_work_order(r: dict[str, Any]) -> list[Any]:
    base = get_settings().base_url
    lines = [str(r["description"] or "").strip(), f"{_('Site')}: {r['site_name']}"]
    if r["asset_name"]:
        lines.append(f"{_('Asset')}: {r['asset_name']}")
    lines.append(f"{base}/work-orders/{int(r['id'])}")
    tags = [_word(KIND_LABELS, r["kind"]), _word(PRIORITY_LABELS, r["priority"])]
    if r["trade"]:
        tags.append(str(r["trade"]))
    return [
        f"#{int(r['id'])} {r['title']}",
        "\n".join(line for line in lines if line),
        _word(STATUS_LABELS, r["status"]),
        r["assignee_email"] or "",
        _asana_date(r["due_at"], str(r["time_zone"])),
        ",".join(t.replace(",", " ") for t in tags),
    ]


async def asana_rows(principal: Principal, *, open_only: bool) -> AsyncIterator[list[list[Any]]]:
    """Work orders (section: their status), then PM schedules (section: preventive
    maintenance; due: the schedule's next open order)."""
    async for batch in queries.work_order_batches(principal, open_only=open_only):
        yield [asana_work_order(r) for r in batch]
    schedules = []
    base = get_settings().base_url
    for s in await queries.schedule_rows(principal):
        description = "\n".join(
            line
            for line in (
                str(s["description"] or "").strip(),
                f"{_('Sites')}: {s['site_name']}",
                f"{_('Assets')}: {int(s['assets'])}",
                f"{base}/schedules/{int(s['id'])}",
            )
            if line
        )
        schedules.append(
            [
                s["name"],
                description,
                _("Preventive maintenance"),
                "",
                _asana_date(s["next_due"], str(s["time_zone"])),
                ",".join([_word(KIND_LABELS, "preventive"), _word(PRIORITY_LABELS, s["priority"])]),
            ]
        )
    if schedules:
        yield schedules


async def record_rows(
    principal: Principal,
    *,
    kpi: str,
    start: Any,
    end: Any,
    region_id: int | None,
    site_id: int | None,
) -> tuple[list[str], AsyncIterator[list[list[Any]]]]:
    """Headings and batches of the records behind a figure (checked before streaming, so a
    bad name or period is a clear 4xx, not a broken download)."""
    first = await dashboard.drill_down(
        principal,
        name=kpi,
        start=start,
        end=end,
        region_id=region_id,
        site_id=site_id,
        limit=1,
        offset=0,
    )
    _unit, columns = dashboard.record_columns(kpi)
    heads = [_("Number"), _("Record"), _("Site"), _("Counts as")] + [_(h) for _c, h in columns]

    async def batches() -> AsyncIterator[list[list[Any]]]:
        offset = 0
        while offset < first.count:
            found = await dashboard.drill_down(
                principal,
                name=kpi,
                start=first.start,
                end=first.end,
                region_id=region_id,
                site_id=site_id,
                limit=200,
                offset=offset,
            )
            if not found.items:
                return
            yield [
                [r.id, r.title, r.site_name, r.value, *(r.extra.get(c) for c, _h in columns)]
                for r in found.items
            ]
            offset += len(found.items)

    return heads, batches()

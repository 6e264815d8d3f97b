"""CSV export and all-or-nothing import of the asset register.

Import validates every row first and reports every problem (row, column, reason) without
writing anything; only a clean file is imported, in one transaction. Row numbers count the
header as row 1, as a spreadsheet shows them. Sites the caller may not see are "unknown".
"""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any

from facilities.accounts import audit
from facilities.accounts.principal import Principal
from facilities.assets import codes, queries
from facilities.assets.enums import AssetStatus, Criticality, QrStatus
from facilities.assets.schemas import RowError
from facilities.assets.tables import Asset, AssetCategory, QrCode
from facilities.db import executemany, transaction
from facilities.kit import clock, qr
from facilities.kit.errors import FacilitiesError, FieldError
from facilities.kit.i18n import N_, _
from facilities.sites import scope
from facilities.sites.tables import Site, Space

COLUMNS = (
    "site_code",
    "space",
    "category",
    "parent_serial",
    "name",
    "manufacturer",
    "model",
    "serial_number",
    "install_date",
    "warranty_end",
    "purchase_cost",
    "criticality",
    "status",
    "notes",
)
REQUIRED = ("site_code", "name")
MAX_ROWS = 10_000
MAX_BYTES = 5 * 1024 * 1024
LIMITS = {"name": 200, "manufacturer": 120, "model": 120, "serial_number": 120, "notes": 10_000}

# What each column means (shown on the import page and in the template's documentation).
COLUMN_HELP = {
    "site_code": N_("Code of a site you may see (required)."),
    "space": N_("Space path (Building / Floor 2 / Kitchen) or a unique space name; optional."),
    "category": N_("Category name as in the category list; optional."),
    "parent_serial": N_("Serial number of the asset this one is inside (same site); optional."),
    "name": N_("Name of the asset (required)."),
    "manufacturer": N_("Manufacturer; optional."),
    "model": N_("Model; optional."),
    "serial_number": N_("Serial number, unique when given; optional."),
    "install_date": N_("Installation date, YYYY-MM-DD; optional."),
    "warranty_end": N_("End of warranty, YYYY-MM-DD; optional."),
    "purchase_cost": N_("Purchase cost, a number ≥ 0 with a decimal point; optional."),
    "criticality": N_("low, medium, high or critical (default medium)."),
    "status": N_("operational, degraded, down or retired (default operational)."),
    "notes": N_("Free text; optional."),
}


class ImportRejected(FacilitiesError):
    """The file has problems; nothing was imported."""

    def __init__(self, errors: list[RowError]) -> None:
        super().__init__(
            _("The file has %(n)d problem(s); nothing was imported.") % {"n": len(errors)},
            422,
            "import_rejected",
            [FieldError(f"row {e.row}: {e.column}", e.reason) for e in errors[:200]],
        )
        self.errors = errors


def _column_order(error: RowError) -> int:
    return COLUMNS.index(error.column) if error.column in COLUMNS else -1


def _path_key(text: str) -> str:
    return "/".join(p.strip().lower() for p in re.split(r"[›>/]", text) if p.strip())


def _money(value: Decimal | float | None) -> str:
    if value is None:
        return ""
    return f"{Decimal(str(value)).quantize(Decimal('0.01'))}"


# ---- export ---------------------------------------------------------------------------


def template_csv() -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(COLUMNS)
    writer.writerow(
        [
            "MA-01",
            "Main building / Floor 2 / Kitchen",
            "Coffee machine",
            "",
            "Coffee machine kitchen 2nd floor",
            "Jura",
            "GIGA X8",
            "JX8-000123",
            "2024-03-01",
            "2027-02-28",
            "2499.00",
            "medium",
            "operational",
            "Descale monthly",
        ]
    )
    return out.getvalue()


async def export_csv(principal: Principal, *, site_id: int | None = None) -> str:
    if site_id is not None:
        await scope.require_site(principal, site_id)
    assets = await queries.all_visible_assets(principal, site_id=site_id)
    serial_of = {a.id: a.serial_number for a in assets}
    missing = [a.parent_id for a in assets if a.parent_id and a.parent_id not in serial_of]
    if missing:
        rows = await Asset.select(Asset.id, Asset.serial_number).where(Asset.id.is_in(missing))
        serial_of.update({r["id"]: r["serial_number"] for r in rows})
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(COLUMNS)
    for a in assets:
        writer.writerow(
            [
                a.site_code,
                (a.space_path or "").replace(" › ", " / "),
                a.category_name or "",
                serial_of.get(a.parent_id, "") if a.parent_id else "",
                a.name,
                a.manufacturer,
                a.model,
                a.serial_number,
                a.install_date.isoformat() if a.install_date else "",
                a.warranty_end.isoformat() if a.warranty_end else "",
                _money(a.purchase_cost),
                a.criticality.value,
                a.status.value,
                a.notes,
            ]
        )
    return out.getvalue()


# ---- import ---------------------------------------------------------------------------


@dataclass
class _Row:
    number: int
    site_id: int
    values: dict[str, Any]
    parent_serial: str
    asset_id: int | None = None


@dataclass
class _Context:
    sites: dict[str, int]  # code (upper) → id
    spaces: dict[int, dict[str, int | None]]  # site → key → space id (None: ambiguous)
    categories: dict[str, int]  # lower name → id
    serials: dict[str, tuple[int, int]]  # serial → (asset id, site id)
    errors: list[RowError] = field(default_factory=list)

    def error(self, row: int, column: str, reason: str) -> None:
        self.errors.append(RowError(row=row, column=column, reason=reason))


async def _context(principal: Principal) -> _Context:
    visible = await scope.visible_site_ids(principal)
    site_query = Site.select(Site.id, Site.code)
    if visible is not None:
        site_query = site_query.where(Site.id.is_in(list(visible) or [-1]))
    sites = {r["code"].upper(): r["id"] for r in await site_query}
    paths = await queries.space_paths(set(sites.values()))
    space_rows = await Space.select(Space.id, Space.site, Space.name).where(
        Space.site.is_in(list(sites.values()) or [-1])
    )
    spaces: dict[int, dict[str, int | None]] = {}
    for r in space_rows:
        keys = spaces.setdefault(r["site"], {})
        keys[_path_key(paths.get(r["id"], r["name"]))] = r["id"]
    for r in space_rows:  # a bare name works when it is unique at the site
        keys = spaces[r["site"]]
        name_key = "name:" + r["name"].strip().lower()
        keys[name_key] = None if name_key in keys else r["id"]
    categories = {
        r["name"].strip().lower(): r["id"]
        for r in await AssetCategory.select(AssetCategory.id, AssetCategory.name)
    }
    serials = {
        r["serial_number"]: (r["id"], r["site"])
        for r in await Asset.select(Asset.id, Asset.serial_number, Asset.site).where(
            Asset.serial_number != ""
        )
    }
    return _Context(sites=sites, spaces=spaces, categories=categories, serials=serials)


def _date(ctx: _Context, row: int, column: str, text: str) -> date | None:
    if not text:
        return None
    if not re.fullmatch(r"\d{4}-\d{2}-\d{2}", text):
        ctx.error(row, column, _("Use the date format YYYY-MM-DD."))
        return None
    try:
        return date.fromisoformat(text)
    except ValueError:
        ctx.error(row, column, _("This date does not exist."))
        return None


def _check_row(ctx: _Context, number: int, raw: dict[str, str]) -> _Row | None:
    before = len(ctx.errors)
    cell = {k: (raw.get(k) or "").strip() for k in COLUMNS}
    for column in REQUIRED:
        if not cell[column]:
            ctx.error(number, column, _("This column is required."))
    for column, limit in LIMITS.items():
        if len(cell[column]) > limit:
            ctx.error(number, column, _("At most %(n)d characters.") % {"n": limit})
    site_id = ctx.sites.get(cell["site_code"].upper()) if cell["site_code"] else None
    if cell["site_code"] and site_id is None:
        ctx.error(number, "site_code", _("Unknown site code."))
    space_id = None
    if cell["space"] and site_id is not None:
        keys = ctx.spaces.get(site_id, {})
        path_key = _path_key(cell["space"])
        if path_key in keys:
            space_id = keys[path_key]
        elif "name:" + cell["space"].lower() in keys:
            space_id = keys["name:" + cell["space"].lower()]
            if space_id is None:
                ctx.error(number, "space", _("Several spaces have this name; give the path."))
        else:
            ctx.error(number, "space", _("No such space at this site."))
    category_id = None
    if cell["category"]:
        category_id = ctx.categories.get(cell["category"].lower())
        if category_id is None:
            ctx.error(number, "category", _("Unknown category."))
    install = _date(ctx, number, "install_date", cell["install_date"])
    warranty = _date(ctx, number, "warranty_end", cell["warranty_end"])
    if install and warranty and warranty < install:
        ctx.error(number, "warranty_end", _("The warranty cannot end before the installation."))
    cost = None
    if cell["purchase_cost"]:
        try:
            cost = Decimal(cell["purchase_cost"])
            if not cost.is_finite() or cost < 0 or cost >= Decimal("1e10"):
                raise InvalidOperation
            cost = cost.quantize(Decimal("0.01"))
        except InvalidOperation:
            ctx.error(number, "purchase_cost", _("Give a number ≥ 0 like 1234.50."))
    criticality = cell["criticality"].lower() or Criticality.medium.value
    if criticality not in Criticality.__members__:
        ctx.error(number, "criticality", _("Use low, medium, high or critical."))
    status = cell["status"].lower() or AssetStatus.operational.value
    if status not in AssetStatus.__members__:
        ctx.error(number, "status", _("Use operational, degraded, down or retired."))
    if len(ctx.errors) > before or site_id is None:
        return None
    return _Row(
        number=number,
        site_id=site_id,
        parent_serial=cell["parent_serial"],
        values={
            "space": space_id,
            "category": category_id,
            "name": cell["name"],
            "manufacturer": cell["manufacturer"],
            "model": cell["model"],
            "serial_number": cell["serial_number"],
            "install_date": install,
            "warranty_end": warranty,
            "purchase_cost": cost,
            "criticality": criticality,
            "status": status,
            "notes": cell["notes"],
        },
    )


def _read_csv(content: bytes, ctx: _Context) -> list[tuple[int, dict[str, str]]] | None:
    if len(content) > MAX_BYTES:
        ctx.error(0, "file", _("The file is too large (at most 5 MB)."))
        return None
    try:
        text = content.decode("utf-8-sig")
    except UnicodeDecodeError:
        ctx.error(0, "file", _("Save the file as UTF-8 CSV."))
        return None
    first_line = text.split("\n", 1)[0]
    delimiter = ";" if first_line.count(";") > first_line.count(",") else ","
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    header = next(reader, None)
    if header is None:
        ctx.error(1, "header", _("The file is empty."))
        return None
    names = [h.strip().lower() for h in header]
    missing = [c for c in COLUMNS if c not in names]
    unknown = [h for h in names if h not in COLUMNS]
    duplicates = sorted({h for h in names if names.count(h) > 1})
    for column in missing:
        ctx.error(1, column, _("This column is missing from the header."))
    for column in unknown:
        ctx.error(1, column or "?", _("Unknown column; see the template."))
    for column in duplicates:
        ctx.error(1, column, _("This column appears twice."))
    if ctx.errors:
        return None
    rows: list[tuple[int, dict[str, str]]] = []
    for number, cells in enumerate(reader, start=2):
        if not any(c.strip() for c in cells):
            continue
        if len(cells) != len(names):
            ctx.error(number, "row", _("Expected %(n)d cells.") % {"n": len(names)})
            continue
        rows.append((number, dict(zip(names, cells, strict=True))))
        if len(rows) > MAX_ROWS:
            ctx.error(number, "row", _("At most %(n)d rows per file.") % {"n": MAX_ROWS})
            return None
    return rows


def _check_serials_and_parents(ctx: _Context, rows: list[_Row]) -> None:
    in_file: dict[str, _Row] = {}
    for row in rows:
        serial = row.values["serial_number"]
        if not serial:
            continue
        if serial in in_file:
            ctx.error(
                row.number,
                "serial_number",
                _("Duplicate serial number (also in row %(n)d).") % {"n": in_file[serial].number},
            )
        elif serial in ctx.serials:
            ctx.error(row.number, "serial_number", _("An asset with this serial already exists."))
        else:
            in_file[serial] = row
    for row in rows:
        if not row.parent_serial:
            continue
        if row.parent_serial == row.values["serial_number"]:
            ctx.error(row.number, "parent_serial", _("An asset cannot be inside itself."))
            continue
        parent_row = in_file.get(row.parent_serial)
        parent_site = parent_row.site_id if parent_row else None
        if parent_row is None and row.parent_serial in ctx.serials:
            _parent_id, parent_site = ctx.serials[row.parent_serial]
            if parent_site not in ctx.sites.values():
                parent_site = None  # out of the caller's scope: unknown
        if parent_site is None:
            ctx.error(row.number, "parent_serial", _("No asset with this serial number."))
        elif parent_site != row.site_id:
            ctx.error(row.number, "parent_serial", _("The parent asset must be at the same site."))
    # cycles within the file
    for row in rows:
        seen = {row.number}
        current = in_file.get(row.parent_serial) if row.parent_serial else None
        while current is not None:
            if current.number in seen:
                ctx.error(row.number, "parent_serial", _("The parent chain loops back."))
                break
            seen.add(current.number)
            current = in_file.get(current.parent_serial) if current.parent_serial else None


async def import_csv(*, actor: Principal, content: bytes, dry_run: bool = False) -> int:
    """Validate every row, then import all of them in one transaction (or none).

    Returns the number of assets created; raises ImportRejected with every row error."""
    async with transaction():
        ctx = await _context(actor)
        raw_rows = _read_csv(content, ctx)
        if raw_rows is None:
            raise ImportRejected(ctx.errors)
        checked = [_check_row(ctx, number, raw) for number, raw in raw_rows]
        rows = [row for row in checked if row is not None]
        _check_serials_and_parents(ctx, rows)
        if ctx.errors:
            raise ImportRejected(sorted(ctx.errors, key=lambda e: (e.row, _column_order(e))))
        if not rows:
            raise ImportRejected([RowError(row=2, column="row", reason=_("No rows to import."))])
        if dry_run:
            return len(rows)
        now = clock.now()
        for row in rows:
            asset = Asset(
                site=row.site_id,
                parent=None,
                status_changed_at=now,
                locked_out=False,
                lockout_reason="",
                attributes={},
                version=1,
                created_at=now,
                updated_at=now,
                **row.values,
            )
            await Asset.insert(asset).run()
            row.asset_id = asset.id
        id_of = {r.values["serial_number"]: r.asset_id for r in rows if r.values["serial_number"]}
        parents = [
            (id_of.get(r.parent_serial) or ctx.serials[r.parent_serial][0], r.asset_id)
            for r in rows
            if r.parent_serial
        ]
        await executemany("UPDATE asset SET parent = {} WHERE id = {}", parents)
        await executemany(
            "INSERT INTO asset_status_change (asset, from_status, to_status, changed_at, actor, "
            "note) VALUES ({}, NULL, {}, {}, {}, {})",
            [(r.asset_id, r.values["status"], now, actor.user_id, "import") for r in rows],
        )
        fresh: set[str] = set()
        while len(fresh) < len(rows):
            fresh.add(qr.new_code())
        taken = await QrCode.select(QrCode.code).where(QrCode.code.is_in(list(fresh)))
        for clash in taken:
            fresh.discard(clash["code"])
        code_list = sorted(fresh)
        while len(code_list) < len(rows):
            code_list.append(await codes._fresh_code())
        await executemany(
            "INSERT INTO qr_code (code, asset, status, batch, replaced_by, created_by, "
            "created_at, claimed_at) VALUES ({}, {}, {}, NULL, NULL, {}, {}, {})",
            [
                (code, r.asset_id, QrStatus.active.value, actor.user_id, now, now)
                for code, r in zip(code_list, rows, strict=False)
            ],
        )
        per_site: dict[int, int] = {}
        for r in rows:
            per_site[r.site_id] = per_site.get(r.site_id, 0) + 1
        for site_id, count in per_site.items():
            await audit.record(
                actor=actor,
                action="asset.import",
                object_type="site",
                object_id=site_id,
                site_id=site_id,
                summary=_("%(n)d assets imported") % {"n": count},
                after={
                    "count": count,
                    "asset_ids": [r.asset_id for r in rows if r.site_id == site_id],
                },
            )
        return len(rows)

"""Dependency direction: kit ← accounts ← sites ← assets ← maintenance ← notifications ←
services ← integrations ← safety; sustainability and reporting read from below. A domain never imports one
above it (upward news travels through registered hooks, e.g. ``maintenance/hooks.py``)."""

from __future__ import annotations

import ast
import re
from functools import cache
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2] / "facilities"
ORDER = [
    "kit",
    "accounts",
    "sites",
    "assets",
    "maintenance",
    "notifications",
    "services",
    "integrations",
    "safety",
    "sustainability",
    "reporting",
]


def _imports(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(), filename=str(path))
    found: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.add(node.module)
        elif isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
    return found


@pytest.mark.slow
def test_domains_only_import_downwards() -> None:
    problems = []
    for rank, domain in enumerate(ORDER):
        folder = ROOT / domain
        if not folder.exists():
            continue
        for path in folder.rglob("*.py"):
            if "piccolo_migrations" in path.parts:
                continue
            for module in _imports(path):
                parts = module.split(".")
                if parts[0] != "facilities" or len(parts) < 2 or parts[1] not in ORDER:
                    continue
                if ORDER.index(parts[1]) > rank:
                    problems.append(f"{path.relative_to(ROOT)} imports {module}")
    assert not problems, "\n".join(problems)


def test_kit_imports_no_domain_and_no_composition_module() -> None:
    problems = []
    for path in (ROOT / "kit").rglob("*.py"):
        for module in _imports(path):
            parts = module.split(".")
            if (
                parts[0] == "facilities"
                and len(parts) > 1
                and parts[1] not in ("kit", "settings", "db")
            ):
                problems.append(f"kit/{path.name} imports {module}")
    assert not problems, "\n".join(problems)


# ---- thin HTTP layer ---------------------------------------------------------------------

HANDLER_DECORATORS = {"get", "post", "put", "patch", "delete", "head", "route", "websocket"}
RAW_SQL = {"raw", "executemany"}  # facilities.db's raw-SQL entry points (and the drivers')
ORM_METHODS = {"select", "objects", "insert", "update", "delete", "raw", "exists", "count"}
SQL = re.compile(
    r"^\s*(SELECT\b.+\bFROM\b|INSERT\s+INTO\b|UPDATE\s+\S+\s+SET\b|DELETE\s+FROM\b|WITH\b.+\bAS\s*\()",
    re.IGNORECASE | re.DOTALL,
)
# The bench reference endpoints run the same SQL in the handler on purpose: they measure
# what the driver alone costs, to compare with the real API (see the module's docstring).
HANDLER_EXCEPTIONS = {"benchref.py"}


@cache
def _modules() -> list[Path]:
    return [p for p in ROOT.rglob("*.py") if "piccolo_migrations" not in p.parts]


def _decorator_name(node: ast.expr) -> str | None:
    target = node.func if isinstance(node, ast.Call) else node
    if isinstance(target, ast.Name):
        return target.id
    if isinstance(target, ast.Attribute):
        return target.attr
    return None


def _defines_handlers(tree: ast.Module) -> bool:
    for node in ast.walk(tree):
        if isinstance(node, ast.ClassDef):
            for base in node.bases:
                name = base.id if isinstance(base, ast.Name) else getattr(base, "attr", None)
                if name == "Controller":
                    return True
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef) and any(
            _decorator_name(d) in HANDLER_DECORATORS for d in node.decorator_list
        ):
            return True
    return False


def _table_classes() -> set[str]:
    """Every Piccolo table class of the project (classes deriving from ``Table``)."""
    names: set[str] = set()
    for path in ROOT.rglob("tables.py"):
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.ClassDef) and any(
                getattr(b, "id", getattr(b, "attr", None)) == "Table" for b in node.bases
            ):
                names.add(node.name)
    return names


@cache
def handler_modules() -> list[Path]:
    """Every module that defines a Litestar controller or route handler, whatever its name."""
    return [p for p in _modules() if _defines_handlers(ast.parse(p.read_text(), filename=str(p)))]


def _data_access(path: Path, tables: set[str]) -> list[str]:
    tree = ast.parse(path.read_text(), filename=str(path))
    found = []
    for module in _imports(path):
        if module.endswith(".tables") or module.startswith("piccolo."):
            found.append(f"imports {module}")
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module == "facilities.db":
            found.extend(f"imports facilities.db.{a.name}" for a in node.names if a.name in RAW_SQL)
        if isinstance(node, ast.Attribute):
            base = node.value
            if isinstance(base, ast.Name) and base.id in tables and node.attr in ORM_METHODS:
                found.append(f"line {node.lineno}: {base.id}.{node.attr}")
            elif node.attr in RAW_SQL and not (isinstance(base, ast.Name) and base.id in tables):
                found.append(f"line {node.lineno}: .{node.attr}")
        if isinstance(node, ast.Constant) and isinstance(node.value, str) and SQL.match(node.value):
            found.append(f"line {node.lineno}: SQL {node.value[:40]!r}")
    return found


def test_handler_modules_are_found_whatever_their_name() -> None:
    """The check below must see every handler module, not only ``controllers*`` files."""
    found = {str(p.relative_to(ROOT)) for p in handler_modules()}
    assert "health.py" in found
    assert "maintenance/reports/controllers/scan.py" in found
    assert "maintenance/workorders/controllers/magic_pages.py" in found
    assert len(found) >= 25


def test_handlers_make_no_orm_or_sql_queries() -> None:
    """Thin controllers: queries live in ``queries``/``actions`` modules, never in a module
    that defines a controller or route handler."""
    tables = _table_classes()
    assert {"WorkOrder", "Site", "User", "AssetCategory"} <= tables
    problems = []
    for path in handler_modules():
        if str(path.relative_to(ROOT)) in HANDLER_EXCEPTIONS:
            continue
        problems.extend(f"{path.relative_to(ROOT)}: {p}" for p in _data_access(path, tables))
    assert not problems, "\n".join(problems)


def test_the_data_access_check_catches_orm_and_sql(tmp_path: Path) -> None:
    sample = tmp_path / "pages.py"
    sample.write_text(
        "from facilities.assets.tables import AssetCategory\n"
        "from facilities import db\n"
        "async def f():\n"
        "    await AssetCategory.select(AssetCategory.id)\n"
        "    await db.raw('SELECT id FROM site WHERE id = {}', 1)\n"
    )
    found = _data_access(sample, {"AssetCategory"})
    assert "imports facilities.assets.tables" in found
    assert "line 4: AssetCategory.select" in found
    assert "line 5: .raw" in found
    assert any("SQL" in f for f in found)


def test_no_module_imports_another_domains_controllers() -> None:
    """A domain's ``controllers`` package is its HTTP surface: only the composition root
    (``facilities/app.py`` and the other top-level modules) and the domain itself import it.
    What other domains need lives in a plain module (``view.py``, ``queries``, ``kit/web``)."""
    problems = []
    for path in _modules():
        rel = path.relative_to(ROOT)
        if len(rel.parts) == 1:  # top-level composition modules
            continue
        for module in _imports(path):
            parts = module.split(".")
            if parts[0] != "facilities" or "controllers" not in parts:
                continue
            owner = Path(*parts[1 : parts.index("controllers")])
            if owner not in rel.parents:
                problems.append(f"{rel} imports {module}")
    assert not problems, "\n".join(problems)


def test_every_domain_has_the_same_http_shape() -> None:
    """``controllers/api.py`` and ``controllers/pages.py`` wherever there is HTTP."""
    problems = []
    for path in handler_modules():
        rel = path.relative_to(ROOT)
        if len(rel.parts) == 1:  # health, benchref: composition-level, not a domain
            continue
        if "controllers" not in rel.parts:
            problems.append(f"{rel} defines handlers outside a controllers/ package")
            continue
        package = path.parent
        for required in ("api.py", "pages.py"):
            if not (package / required).exists():
                problems.append(f"{package.relative_to(ROOT)} has no {required}")
    assert not problems, "\n".join(sorted(set(problems)))

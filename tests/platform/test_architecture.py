"""Dependency direction: kit ← accounts ← sites ← assets ← maintenance ← notifications ←
services ← safety; sustainability and reporting read from below. A domain never imports one
above it (upward news travels through registered hooks, e.g. ``maintenance/hooks.py``)."""

from __future__ import annotations

import ast
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


def test_controllers_make_no_orm_queries() -> None:
    """Thin controllers: table classes are used in queries/actions, never in controllers."""
    problems = []
    for path in ROOT.rglob("controllers*"):
        files = [path] if path.is_file() else list(path.rglob("*.py"))
        for file in files:
            for module in _imports(file):
                if module.endswith(".tables"):
                    problems.append(f"{file.relative_to(ROOT)} imports {module}")
    assert not problems, "\n".join(problems)

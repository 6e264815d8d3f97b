"""Every entry point ends with every reaction installed (``facilities.wiring.EXPECTED``),
nothing registers itself on import, and the asset page lists the asset's work orders."""

from __future__ import annotations

import argparse
import subprocess
import sys
from collections.abc import Iterator
from typing import Any

import pytest

from facilities import __main__ as cli
from facilities import wiring
from facilities.accounts.enums import Role
from facilities.notifications import __main__ as notifications_cli
from tests import builders
from tests import workorders_builders as wb

# Arguments each CLI command needs to get past argparse (a new command must be added here).
CLI_ARGS: dict[str, list[str]] = {
    "serve": [],
    "migrate": [],
    "demo": [],
    "create-user": ["--email", "a@example.org", "--name", "A", "--role", "admin"],
    "scheduler": [],
    "check": [],
}


@pytest.fixture
def bare() -> Iterator[None]:
    """No reaction installed (as in a fresh process); everything back afterwards."""
    wiring.uninstall()
    assert all(not found for found in wiring.installed().values())
    yield
    wiring.install()


def test_install_fills_every_registry_and_is_idempotent(bare: None) -> None:
    wiring.install()
    wiring.install()
    assert wiring.installed() == wiring.EXPECTED
    assert all(wiring.EXPECTED.values())


def test_app_factory_installs_everything(bare: None) -> None:
    from facilities.app import create_app

    create_app()
    assert wiring.installed() == wiring.EXPECTED


def test_scheduler_builder_installs_everything(bare: None) -> None:
    from facilities.scheduler import build_scheduler

    build_scheduler()
    assert wiring.installed() == wiring.EXPECTED


def _subcommands(parser: argparse.ArgumentParser) -> dict[str, argparse.ArgumentParser]:
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            return dict(action.choices)
    raise AssertionError("the CLI has no subcommands")


def test_every_cli_command_runs_with_everything_installed(
    bare: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    seen: dict[str, dict[str, set[str]]] = {}
    build = cli.build_parser

    def instrumented() -> argparse.ArgumentParser:
        parser = build()
        for name, sub in _subcommands(parser).items():

            def record(_args: Any, name: str = name) -> int:
                seen[name] = wiring.installed()
                return 0

            sub.set_defaults(func=record)
        return parser

    monkeypatch.setattr(cli, "build_parser", instrumented)
    commands = sorted(_subcommands(build()))
    assert set(commands) == set(CLI_ARGS), "add the new command's arguments to CLI_ARGS"
    for name in commands:
        wiring.uninstall()
        assert cli.main([name, *CLI_ARGS[name]]) == 0
    assert seen == {name: wiring.EXPECTED for name in commands}


@pytest.mark.parametrize("command", ["deliver", "digest"])
def test_notifications_cli_installs_everything(
    bare: None, monkeypatch: pytest.MonkeyPatch, command: str
) -> None:
    seen: list[dict[str, set[str]]] = []

    async def run(_command: str) -> str:
        seen.append(wiring.installed())
        return ""

    monkeypatch.setattr(notifications_cli, "_run", run)
    assert notifications_cli.main([command]) == 0
    assert seen == [wiring.EXPECTED]


def test_importing_every_module_registers_nothing() -> None:
    """In a fresh interpreter, importing the whole product installs no reaction."""
    code = (
        "import importlib, pkgutil, facilities\n"
        "for m in pkgutil.walk_packages(facilities.__path__, 'facilities.'):\n"
        "    if '.piccolo_migrations' in m.name or m.name.endswith('__main__'):\n"
        "        continue\n"
        "    importlib.import_module(m.name)\n"
        "from facilities import wiring\n"
        "print(sorted(k for k, v in wiring.installed().items() if v))\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=300, check=False
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "[]"


async def test_asset_page_lists_its_work_orders(make_client) -> None:
    w = await wb.world()
    order = await wb.work_order(w.site.id, asset_id=w.asset_id, title="Replace the grinder")
    await wb.work_order(w.site.id, title="Unrelated work")
    client = await builders.browser_session(make_client, w.cm)
    page = await client.get(f"/assets/{w.asset_id}")
    assert page.status_code == 200
    section = page.text.split('id="activity"')[1].split("</section>")[0]
    assert "Replace the grinder" in section
    assert f'href="/work-orders/{order.id}"' in section
    assert "Unrelated work" not in section
    # A partner of another organisation sees the asset's page only through its own work.
    viewer = await builders.user(Role.viewer)
    await builders.assign(viewer, sites=[w.site.id])
    seen = await builders.browser_session(make_client, viewer)
    assert "Replace the grinder" in (await seen.get(f"/assets/{w.asset_id}")).text

"""The demo speaks the operator's language: FACILITIES_DEFAULT_LOCALE=de gives German asset,
space, work-order and contract texts (issue 11, item 9).

Engine-independent, so in the SQLite half of ``make test`` only: the texts come from the
catalogue whichever engine stores them, and the demo's loading is proved on both engines by
the tests that load it there (``test_platform.py``'s idempotent demo, ``test_form_messages.py``,
the every-page browser test).
"""

from __future__ import annotations

import pytest

from facilities.assets.tables import Asset
from facilities.demo import load_demo
from facilities.demo_texts import GERMAN
from facilities.maintenance.tables import PMSchedule, WorkOrder, WorkOrderEvent
from facilities.services.tables import ServiceContract
from facilities.settings import get_settings
from facilities.sites.tables import Space

pytestmark = pytest.mark.one_engine("sqlite")


async def test_german_demo(monkeypatch: pytest.MonkeyPatch, database: None) -> None:
    monkeypatch.setattr(get_settings(), "default_locale", "de")
    await load_demo()
    assets = {r["name"] for r in await Asset.select(Asset.name)}
    assert "Kaffeemaschine, Küche" in assets and "Coffee machine, kitchen" not in assets
    assert await Space.exists().where(Space.name == "Besprechungsraum Neckar")
    titles = {r["title"] for r in await WorkOrder.select(WorkOrder.title)}
    assert "Flackernde Leuchten in Besprechungsraum 1 tauschen" in titles
    assert await ServiceContract.exists().where(ServiceContract.name == "Haustechnik Rhein-Neckar")


async def test_every_demo_work_order_and_its_history_is_german(
    monkeypatch: pytest.MonkeyPatch, database: None
) -> None:
    """Titles the demo writes and those its jobs and rules write (the anomaly scan, the
    roll-out, an accepted report) are all in the installation's language."""
    monkeypatch.setattr(get_settings(), "default_locale", "de")
    await load_demo()
    titles = {r["title"] for r in await WorkOrder.select(WorkOrder.title)}
    english = set(GERMAN) & titles
    assert not english, english
    assert "Kaffeemaschine entkalken" in titles
    assert any(t.startswith("Nachts fließt Wasser: ") for t in titles)
    assert any(" installieren (Umstieg auf Wi-Fi 7)" in t for t in titles)
    schedules = {r["name"] for r in await PMSchedule.select(PMSchedule.name)}
    assert "Sichtprüfung Feuerlöscher" in schedules and not set(GERMAN) & schedules
    notes = [r["note"] for r in await WorkOrderEvent.select(WorkOrderEvent.note)]
    assert not [n for n in notes if n.startswith("From problem report")]
    assert any(n.startswith("Aus Störungsmeldung #") for n in notes)
    # the trail names the demo's admin, not an English "Demo loader"
    actors = {r["actor_label"] for r in await WorkOrderEvent.select(WorkOrderEvent.actor_label)}
    assert "Alex Admin <admin@demo.facilities>" in actors
    assert not [a for a in actors if a.startswith("Demo loader")]

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
from facilities.maintenance.tables import WorkOrder
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

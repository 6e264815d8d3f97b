"""The matrix builds its world once per module instead of once per test.

The suite's autouse ``clean_state`` (tests/conftest.py) empties every table after each
test; here it is replaced by one that does nothing, and the module-scoped ``world`` empties
the tables before it builds and after the module's last case. ``test_zz_isolation.py``
proves the next module still starts from empty tables.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import pytest

from tests.conftest import truncate_all
from tests.permission_matrix.world import World, build


@pytest.fixture(autouse=True)
def clean_state(database: None) -> None:
    """Deferred: the module-scoped ``world`` truncates (see this module's docstring)."""


@pytest.fixture(scope="module")
async def world(app: Any, database: None) -> AsyncIterator[World]:
    from facilities.accounts import cache

    cache.clear()
    await truncate_all()
    built = await build(app)
    yield built
    await built.close()
    cache.clear()
    await truncate_all()

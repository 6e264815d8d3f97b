"""A deterministic place to kill a real server process in a fault test.

``FACILITIES_TEST_HOLD=<point>@<file>`` (settings refuse it unless ``FACILITIES_ENV=test``):
when the code reaches ``await hold("<point>")`` it writes ``<file>`` (its process id) and
waits for ever, inside whatever transaction it is in, so the test can wait for the file and
kill the process exactly there. Without the setting ``hold`` returns at once.

Points: ``inspection.submit`` (``submit_inspection``, after the score, the findings, their
corrective work orders and the lock-out are written and before the commit).
"""

from __future__ import annotations

import asyncio
import os

import anyio

from facilities.settings import Environment, get_settings


async def hold(point: str) -> None:
    settings = get_settings()
    if not settings.test_hold or settings.env is not Environment.test:
        return
    name, _, path = settings.test_hold.partition("@")
    if name != point or not path:
        return
    await anyio.Path(path).write_text(str(os.getpid()))
    await asyncio.Event().wait()  # until the process is killed

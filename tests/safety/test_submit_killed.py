"""Issue 12's fault "the server killed half-way through a submission": a real server process
(``python -m facilities serve``) is killed with SIGKILL inside the submission's transaction,
after the score, the finding, its corrective work order and the lock-out were written and
before the commit (``FACILITIES_TEST_HOLD=inspection.submit@<file>``, ``kit/testhold.py``:
the server writes the file there and waits, so the kill lands at that exact point). After a
restart nothing of it is left; the retry with the same idempotency key succeeds, once."""

from __future__ import annotations

import asyncio
import os
import signal
import sys
import uuid
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import anyio
import httpx
import pytest
from pydantic import ValidationError

from facilities.accounts.tables import AuditEvent
from facilities.assets.tables import Asset
from facilities.kit import clock
from facilities.maintenance.tables import WorkOrder
from facilities.safety.inspections.tables import Finding, Inspection, InspectionClientKey
from facilities.settings import Settings
from tests import builders
from tests.platform.test_processes import _free_port, _wait_ready
from tests.safety.helpers import INSPECTIONS, answer, generate, programme, starter, world

NOW = datetime(2026, 3, 1, 7, 0, tzinfo=UTC)
ROOT = Path(__file__).resolve().parents[2]


async def _serve(port: int, **extra: str) -> asyncio.subprocess.Process:
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "facilities",
        "serve",
        "--port",
        str(port),
        "--no-migrate",
        cwd=ROOT,
        env={**os.environ, **extra},
        stdout=asyncio.subprocess.DEVNULL,
        stderr=asyncio.subprocess.DEVNULL,
    )
    await _wait_ready(f"http://127.0.0.1:{port}/health/ready", process)
    return process


async def _until_exists(path: Path, request: asyncio.Task[Any]) -> None:
    for _ in range(600):  # bounded: about 60 s
        if await anyio.Path(path).exists():
            return
        if request.done():
            raise AssertionError(f"the submission finished without reaching the hold: {request}")
        await asyncio.sleep(0.1)
    raise AssertionError("the server never reached the hold point")


@pytest.mark.slow
async def test_server_killed_inside_a_submission_leaves_nothing_and_the_retry_succeeds_once(
    make_client: Any, tmp_path: Path
) -> None:
    with clock.pinned(NOW):
        w = await world()
        template = await starter()  # monthly fire extinguisher check: "pressure" is critical
        await programme(
            template.id,
            scope="category",
            category_id=w.category_id,
            assignee_role="community_manager",
        )
        await generate(NOW)
        cm = await builders.api(make_client, w.cm)
        [listed] = (await cm.get(INSPECTIONS)).json()
        inspection_id = listed["id"]
        for key, value in (
            ("in_place", "pass"),
            ("pressure", "fail"),
            ("seal", "pass"),
            ("damage", "na"),
            ("service_due", "yes"),
        ):
            assert (await answer(cm, inspection_id, key, value)).status_code == 200
    token = await builders.token(w.cm)
    headers = {"Authorization": f"Bearer {token}"}
    submit_key = str(uuid.uuid4())
    held = tmp_path / "held"

    port = _free_port()
    server = await _serve(port, FACILITIES_TEST_HOLD=f"inspection.submit@{held}")
    try:
        async with httpx.AsyncClient(
            base_url=f"http://127.0.0.1:{port}", headers=headers, timeout=60
        ) as client:
            request = asyncio.create_task(
                client.post(
                    f"{INSPECTIONS}/{inspection_id}/submit", json={"client_key": submit_key}
                )
            )
            await _until_exists(held, request)
            assert int(await anyio.Path(held).read_text()) == server.pid
            server.send_signal(signal.SIGKILL)
            await asyncio.wait_for(server.wait(), 30)
            with pytest.raises(httpx.TransportError):
                await request
    finally:
        if server.returncode is None:
            server.kill()
            await server.wait()
    assert server.returncode == -signal.SIGKILL

    # Nothing partial: no score, no finding, no work order, no lock-out, the key is free.
    row = await Inspection.select().where(Inspection.id == inspection_id).first()
    assert row["status"] == "in_progress"
    assert row["submitted_at"] is None and row["score"] is None and row["earned"] is None
    assert await Finding.count() == 0
    assert await WorkOrder.count() == 0
    locked = await Asset.select(Asset.locked_out).where(Asset.id == w.asset_id).first()
    assert locked["locked_out"] is False
    assert await InspectionClientKey.count().where(InspectionClientKey.kind == "submit") == 0
    assert await AuditEvent.count().where(AuditEvent.action == "inspection.submit") == 0

    # Restarted (without the hold), the retry with the same key succeeds exactly once.
    port = _free_port()
    server = await _serve(port)
    try:
        async with httpx.AsyncClient(
            base_url=f"http://127.0.0.1:{port}", headers=headers, timeout=60
        ) as client:
            path = f"{INSPECTIONS}/{inspection_id}/submit"
            retry = await client.post(path, json={"client_key": submit_key})
            assert retry.status_code == 200, retry.text
            body = retry.json()
            assert float(body["inspection"]["score"]) == 60.0
            [finding] = body["findings"]
            assert finding["critical"] and finding["locked_out"]
            repeat = await client.post(path, json={"client_key": submit_key})
            assert repeat.status_code == 200 and repeat.json() == body
            other = await client.post(path, json={"client_key": str(uuid.uuid4())})
            assert other.status_code == 409
    finally:
        server.send_signal(signal.SIGTERM)
        await asyncio.wait_for(server.wait(), 60)
    assert await Finding.count() == 1
    assert await WorkOrder.count() == 1
    assert await AuditEvent.count().where(AuditEvent.action == "inspection.submit") == 1
    locked = await Asset.select(Asset.locked_out).where(Asset.id == w.asset_id).first()
    assert locked["locked_out"] is True


@pytest.mark.one_engine("sqlite")
def test_the_hold_is_refused_outside_tests() -> None:
    with pytest.raises(ValidationError, match="FACILITIES_TEST_HOLD"):
        Settings(env="development", test_hold="inspection.submit@/tmp/held")

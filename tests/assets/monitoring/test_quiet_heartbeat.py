"""The hot path of ingestion (issue 15's rate): a heartbeat of an up device is one UPDATE
keyed by source and device name, with no event row and no audit; every other heartbeat
(unknown, retired, disabled, a device waiting to go up) still takes the full path and says
why, and a heartbeat storm is cut by the per-source limit with nothing accepted lost."""

from __future__ import annotations

import dataclasses
from typing import Any

import pytest

from facilities import db
from facilities.assets import actions as asset_actions
from facilities.assets.enums import AssetStatus
from facilities.assets.monitoring import actions
from facilities.assets.monitoring.schemas import MonitorSettings
from facilities.assets.schemas import StatusChange
from facilities.kit import clock
from facilities.kit.errors import RateLimited
from tests import builders
from tests.monitoring_builders import T0, event, field_site, minutes, send


async def _monitor(asset_id: int) -> dict[str, Any]:
    rows = await db.raw(
        "SELECT state, pending, last_heartbeat_at, version FROM device_monitor WHERE asset = {}",
        asset_id,
    )
    return dict(rows[0])


async def _count(table: str) -> int:
    return int((await db.raw(f"SELECT count(*) AS n FROM {table}"))[0]["n"])


async def test_a_quiet_heartbeat_writes_only_its_monitor() -> None:
    with clock.pinned(T0):
        f = await field_site(2)
        await send(f, event("ap-1", "heartbeat"))  # the first sign of life (state known)
        before = await _monitor(f.ap_ids[0])
        events, audits = await _count("device_event"), await _count("audit_event")
        clock.advance(minutes(1))
        answer = await send(f, event("ap-1", "heartbeat"))
        assert [e.outcome for e in answer.events] == ["accepted"] and answer.accepted == 1
        after = await _monitor(f.ap_ids[0])
    assert after["state"] == "up" and after["version"] == before["version"] + 1
    assert str(after["last_heartbeat_at"]) != str(before["last_heartbeat_at"])
    assert (await _count("device_event"), await _count("audit_event")) == (events, audits)
    assert await _count("device_rate_hit") == 2  # still counted against the source's limit


async def test_heartbeats_off_the_quiet_path_say_why() -> None:
    with clock.pinned(T0):
        f = await field_site(3)
        await send(f, event("ap-1", "heartbeat"), event("ap-2", "heartbeat"))
        await asset_actions.change_status(
            actor=await builders.system(),
            asset_id=f.ap_ids[1],
            data=StatusChange(status=AssetStatus.retired),
        )
        await actions.set_monitor(
            actor=await builders.system(),
            asset_id=f.ap_ids[2],
            data=MonitorSettings(external_id="ap-3", source_id=f.source_id, enabled=False),
        )
        answer = await send(
            f, event("ap-9", "heartbeat"), event("ap-2", "heartbeat"), event("ap-3", "heartbeat")
        )
        assert [e.outcome for e in answer.events] == ["unknown_device", "retired", "retired"]
        assert answer.accepted == 0
        rows = await db.raw("SELECT outcome FROM device_event WHERE kind = 'heartbeat'")
        assert sorted(r["outcome"] for r in rows) == ["retired", "retired", "unknown_device"]


async def test_a_heartbeat_with_an_id_or_an_old_time_is_logged_once() -> None:
    with clock.pinned(T0):
        f = await field_site(1)
        await send(f, event("ap-1", "heartbeat"))
        clock.advance(minutes(1))
        first = await send(f, event("ap-1", "heartbeat", event_id="hb-1"))
        again = await send(f, event("ap-1", "heartbeat", event_id="hb-1"))
        assert first.events[0].outcome == "accepted"
        assert again.events[0].outcome == "duplicate"
        late = await send(
            f, event("ap-1", "heartbeat", occurred_at=(clock.now() - minutes(2)).isoformat())
        )
        assert late.events[0].outcome == "accepted"  # the full path, not the quiet one
    keyed = await db.raw("SELECT event_key FROM device_event WHERE event_key = 'hb-1'")
    assert len(keyed) == 1


async def test_a_heartbeat_storm_is_cut_per_source_and_nothing_accepted_is_lost(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from facilities.kit.ratelimit import Limit

    monkeypatch.setattr(actions._common, "PER_SOURCE", Limit("device-source", 4, minutes(1)))
    with clock.pinned(T0):
        f = await field_site(1)
        await send(f, event("ap-1", "heartbeat"))
        accepted, refused = 1, []
        for _n in range(6):
            clock.advance(minutes(0.05))
            try:
                answer = await send(f, event("ap-1", "heartbeat"))
                accepted += answer.accepted
            except RateLimited as error:
                refused.append(error)
        last = (await _monitor(f.ap_ids[0]))["last_heartbeat_at"]
    assert accepted == 4 and len(refused) == 3
    # the oldest counted hit (T0) leaves the window one minute after it: about 42 s to wait
    assert all(40 <= e.retry_after <= 60 for e in refused), [e.retry_after for e in refused]
    # the last accepted heartbeat is the monitor's last sign of life; no refused one is
    assert str(last).startswith("2026-11-02") and "08:00:09" in str(last)
    assert await _count("device_rate_hit") == 4


async def test_a_single_heartbeat_off_the_quiet_path_counts_once() -> None:
    """The quiet transaction is rolled back whole (hit included) before the usual path."""
    with clock.pinned(T0):
        f = await field_site(1)
        hits = await _count("device_rate_hit")
        unknown = await send(f, event("ap-9", "heartbeat"))
        assert unknown.events[0].outcome == "unknown_device"
        assert await _count("device_rate_hit") == hits + 1
        first = await send(f, event("ap-1", "heartbeat"))  # state unknown yet: the usual path
        assert first.events[0].outcome in ("accepted", "recovered")
        assert await _count("device_rate_hit") == hits + 2


async def test_all_or_nothing_rolls_back_every_step_of_a_refused_one() -> None:
    await db.raw("INSERT INTO device_rate_hit (key, created_at) VALUES ({}, {})", "a", T0)
    insert = (
        "INSERT INTO device_rate_hit (key, created_at) VALUES ({}, {}) RETURNING id",
        ("b", T0),
    )
    none = ("UPDATE device_rate_hit SET key = {} WHERE key = {} RETURNING id", ("c", "zzz"))
    assert await db.all_or_nothing(insert, none) == 1
    assert [r["key"] for r in await db.raw("SELECT key FROM device_rate_hit")] == ["a"]
    assert await db.all_or_nothing(insert) is None
    assert sorted(r["key"] for r in await db.raw("SELECT key FROM device_rate_hit")) == ["a", "b"]


async def test_a_source_changed_on_another_replica_takes_effect_at_once() -> None:
    """A replica remembers the source (generation 1, active) from an earlier delivery; the
    secret is rotated and later the source switched off elsewhere. The quiet statement
    checks the remembered fields against the row: the old secret is refused at once and
    writes nothing, the new one is accepted, a switched-off source is refused."""
    from facilities.assets.monitoring import queries as mq
    from facilities.kit.errors import NotAuthenticated

    with clock.pinned(T0):
        f = await field_site(1)
        await send(f, event("ap-1", "heartbeat"))
        await send(f, event("ap-1", "heartbeat"))  # quiet, on the remembered source
        stale = mq.remembered_source(f.source_id)
        assert stale is not None and stale["generation"] == 1
        rotated = await actions.rotate_source(actor=await builders.system(), source_id=f.source_id)
        mq.remember_source(dict(stale))  # this replica did not see the rotation
        before, hits = await _monitor(f.ap_ids[0]), await _count("device_rate_hit")
        events = await _count("device_event")
        clock.advance(minutes(0.1))
        with pytest.raises(NotAuthenticated):
            await send(f, event("ap-1", "heartbeat"))
        mq.remember_source(dict(stale))
        with pytest.raises(NotAuthenticated):  # off the quiet path: the row decides too
            await send(f, event("ap-1", "down"))
        assert await _monitor(f.ap_ids[0]) == before
        assert await _count("device_rate_hit") == hits
        assert await _count("device_event") == events
        renewed = dataclasses.replace(f, secret=rotated.secret)
        mq.remember_source(dict(stale))
        answer = await send(renewed, event("ap-1", "heartbeat"))
        assert answer.accepted == 1
        assert (await _monitor(f.ap_ids[0]))["version"] == before["version"] + 1
        await send(renewed, event("ap-1", "heartbeat"))  # quiet again, on generation 2
        await db.raw("UPDATE device_source SET active = {} WHERE id = {}", False, f.source_id)
        before, hits = await _monitor(f.ap_ids[0]), await _count("device_rate_hit")
        with pytest.raises(NotAuthenticated):
            await send(renewed, event("ap-1", "heartbeat"))
        assert await _monitor(f.ap_ids[0]) == before
        assert await _count("device_rate_hit") == hits


async def test_concurrent_quiet_heartbeats_are_counted_exactly(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Twelve quiet heartbeats of one source at once against a limit of five: exactly the
    four left are accepted, each with its hit; the others are refused with nothing written."""
    import asyncio

    from facilities.kit.ratelimit import Limit

    monkeypatch.setattr(actions._common, "PER_SOURCE", Limit("device-source", 5, minutes(1)))
    with clock.pinned(T0):
        f = await field_site(3)
        await send(f, event("ap-1", "heartbeat"))
        before = [await _monitor(a) for a in f.ap_ids]
        clock.advance(minutes(0.1))
        results = await asyncio.gather(
            *(send(f, event("ap-1", "heartbeat")) for _n in range(12)), return_exceptions=True
        )
    accepted = [r for r in results if not isinstance(r, BaseException)]
    refused = [r for r in results if isinstance(r, RateLimited)]
    assert len(accepted) == 4 and len(refused) == 8, results
    assert all(a.accepted == 1 for a in accepted)
    assert await _count("device_rate_hit") == 5
    assert (await _monitor(f.ap_ids[0]))["version"] == before[0]["version"] + 4


@pytest.mark.one_engine("postgres")  # SQLite's writer runs one write transaction at a time
async def test_quiet_heartbeats_held_up_together_are_counted_exactly_on_postgres(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The race the advisory lock closes: eight quiet heartbeats all reach the database while
    another transaction holds the monitor's row, so every one has begun before any has
    written. Released, exactly the four left under a limit of five are accepted."""
    import asyncio

    import asyncpg

    from facilities.kit.ratelimit import Limit

    monkeypatch.setattr(actions._common, "PER_SOURCE", Limit("device-source", 5, minutes(1)))
    config = db.engine().config  # type: ignore[attr-defined]
    holder, watcher = await asyncpg.connect(**config), await asyncpg.connect(**config)
    try:
        with clock.pinned(T0):
            f = await field_site(1)
            await send(f, event("ap-1", "heartbeat"))
            clock.advance(minutes(0.1))
            await holder.execute("BEGIN")
            await holder.execute(
                "SELECT id FROM device_monitor WHERE asset = $1 FOR UPDATE", f.ap_ids[0]
            )
            sends = [asyncio.ensure_future(send(f, event("ap-1", "heartbeat"))) for _n in range(8)]
            waiting = 0
            for _poll in range(100_000):  # until all eight wait on a lock (no sleeping)
                waiting = await watcher.fetchval(
                    "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database()"
                    " AND wait_event_type = 'Lock'"
                )
                if waiting >= 8:
                    break
                await asyncio.sleep(0)
            assert waiting >= 8
            await holder.execute("ROLLBACK")
            results = await asyncio.gather(*sends, return_exceptions=True)
    finally:
        await holder.close()
        await watcher.close()
    accepted = [r for r in results if not isinstance(r, BaseException)]
    refused = [r for r in results if isinstance(r, RateLimited)]
    assert len(accepted) == 4 and len(refused) == 4, results
    assert await _count("device_rate_hit") == 5

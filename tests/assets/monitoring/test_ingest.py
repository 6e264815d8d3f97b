"""Device events in: authentication, replay, unknown and retired devices, malformed
payloads, the Meraki adapter, the per-source rate limit, the missed-heartbeat job."""

from __future__ import annotations

import json

import pytest

from facilities import db
from facilities.assets import actions as asset_actions
from facilities.assets.enums import AssetStatus
from facilities.assets.monitoring import actions, secrets
from facilities.assets.monitoring.enums import SourceKind
from facilities.assets.monitoring.schemas import SourceCreate
from facilities.assets.schemas import StatusChange
from facilities.kit import clock
from facilities.kit.errors import NotAuthenticated, RateLimited, RuleViolation
from tests import builders
from tests.monitoring_builders import T0, batch, event, field_site, minutes, send


async def _events() -> int:
    return int((await db.raw("SELECT count(*) AS n FROM device_event"))[0]["n"])


async def _status(asset_id: int) -> str:
    return str((await db.raw("SELECT status FROM asset WHERE id = {}", asset_id))[0]["status"])


async def test_wrong_or_missing_secret_is_401_and_records_nothing() -> None:
    with clock.pinned(T0):
        f = await field_site(1)
        before = await _events()
        for headers in ({}, {"authorization": "Bearer dsk_wrong"}):
            with pytest.raises(NotAuthenticated):
                await actions.ingest(
                    source_id=f.source_id, headers=headers, body=batch(event("ap-1", "down"))
                )
        with pytest.raises(NotAuthenticated):  # a valid secret of another source id
            await actions.ingest(
                source_id=f.source_id + 999,
                headers={"authorization": f"Bearer {f.secret}"},
                body=batch(event("ap-1", "down")),
            )
        assert await _events() == before
        assert await _status(f.ap_ids[0]) == "operational"


async def test_hmac_signature_over_timestamp_and_body() -> None:
    with clock.pinned(T0):
        f = await field_site(1)
        body = batch(event("ap-1", "down", event_id="e1"))
        stamp = str(int(T0.timestamp()))
        good = secrets.signature(f.secret, stamp, body)
        answer = await actions.ingest(
            source_id=f.source_id,
            headers={"x-facilities-timestamp": stamp, "x-facilities-signature": good},
            body=body,
        )
        assert answer.events[0].outcome == "went_down"
        with pytest.raises(NotAuthenticated):  # the body changed after signing
            await actions.ingest(
                source_id=f.source_id,
                headers={"x-facilities-timestamp": stamp, "x-facilities-signature": good},
                body=body.replace(b"e1", b"e2"),
            )
        old = str(int((T0 - minutes(30)).timestamp()))
        with pytest.raises(NotAuthenticated):  # signed long ago: a replay
            await actions.ingest(
                source_id=f.source_id,
                headers={
                    "x-facilities-timestamp": old,
                    "x-facilities-signature": secrets.signature(f.secret, old, body),
                },
                body=body,
            )


async def test_rotation_invalidates_the_old_secret() -> None:
    with clock.pinned(T0):
        f = await field_site(1)
        rotated = await actions.rotate_source(actor=await builders.system(), source_id=f.source_id)
        assert rotated.secret != f.secret and rotated.source.secret_hint == rotated.secret[-4:]
        with pytest.raises(NotAuthenticated):
            await send(f, event("ap-1", "heartbeat"))
        f.secret = rotated.secret
        assert (await send(f, event("ap-1", "heartbeat"))).accepted == 1
        stored = await db.raw("SELECT secret_hash FROM device_source WHERE id = {}", f.source_id)
        assert rotated.secret not in json.dumps([dict(r) for r in stored])


async def test_replays_are_ignored_and_logged() -> None:
    with clock.pinned(T0):
        f = await field_site(1)
        first = await send(f, event("ap-1", "down", event_id="x-1"))
        assert first.events[0].outcome == "went_down"
        again = await send(f, event("ap-1", "down", event_id="x-1"))
        assert again.events[0].outcome == "duplicate"
        stale = await send(f, event("ap-1", "up", event_id="x-2"), sent_at=T0 - minutes(30))
        assert stale.events[0].outcome == "replay" and stale.accepted == 0
        rows = await db.raw("SELECT outcome FROM device_event ORDER BY id")
        assert [r["outcome"] for r in rows] == ["went_down", "replay"]
        assert await _status(f.ap_ids[0]) == "down"


async def test_unknown_and_retired_devices_are_logged_not_applied() -> None:
    with clock.pinned(T0):
        f = await field_site(2)
        await asset_actions.change_status(
            actor=await builders.system(),
            asset_id=f.ap_ids[1],
            data=StatusChange(status=AssetStatus.retired),
        )
        answer = await send(f, event("ap-9", "down"), event("ap-2", "down"))
        assert [e.outcome for e in answer.events] == ["unknown_device", "retired"]
        assert answer.accepted == 0
        assert await _status(f.ap_ids[1]) == "retired"


@pytest.mark.parametrize(
    ("body", "field"),
    [
        (b"{not json", "body"),
        (json.dumps({"events": [{"device": "ap-1", "type": "down"}]}).encode(), "sent_at"),
        (
            json.dumps(
                {"sent_at": T0.isoformat(), "events": [{"device": "ap-1", "type": "exploded"}]}
            ).encode(),
            "events[0].type",
        ),
        (
            json.dumps(
                {"sent_at": "2026-11-02T08:00:00", "events": [{"device": "a", "type": "up"}]}
            ).encode(),
            "sent_at",
        ),
    ],
)
async def test_malformed_payload_names_the_field(body: bytes, field: str) -> None:
    with clock.pinned(T0):
        f = await field_site(1)
        with pytest.raises(RuleViolation) as error:
            await actions.ingest(
                source_id=f.source_id, headers={"authorization": f"Bearer {f.secret}"}, body=body
            )
        assert error.value.status_code == 422
        assert error.value.fields[0].field == field
        assert "Expected" not in error.value.message


async def test_meraki_alerts_by_shared_secret() -> None:
    with clock.pinned(T0):
        f = await field_site(1)
        made = await actions.create_source(
            actor=await builders.system(),
            data=SourceCreate(name="Meraki", kind=SourceKind.meraki, site_id=f.site.id),
        )
        await db.raw(
            "UPDATE device_monitor SET source = {}, external_id = {} WHERE asset = {}",
            made.source.id,
            "Q2XX-AAAA-BBBB",
            f.ap_ids[0],
        )

        def alert(secret: str, type_id: str, alert_id: str) -> bytes:
            return json.dumps(
                {
                    "version": "0.1",
                    "sharedSecret": secret,
                    "sentAt": T0.isoformat(),
                    "organizationId": "123",
                    "networkId": "N_1",
                    "deviceSerial": "Q2XX-AAAA-BBBB",
                    "deviceName": "AP 1",
                    "alertId": alert_id,
                    "alertType": "APs went down",
                    "alertTypeId": type_id,
                    "alertLevel": "critical",
                    "occurredAt": T0.isoformat(),
                    "alertData": {},
                }
            ).encode()

        with pytest.raises(NotAuthenticated):
            await actions.ingest(
                source_id=made.source.id, headers={}, body=alert("wrong", "stopped_reporting", "1")
            )
        answer = await actions.ingest(
            source_id=made.source.id, headers={}, body=alert(made.secret, "stopped_reporting", "1")
        )
        assert answer.events[0].outcome == "went_down"
        assert await _status(f.ap_ids[0]) == "down"
        other = await actions.ingest(
            source_id=made.source.id, headers={}, body=alert(made.secret, "settings_changed", "2")
        )
        assert other.events[0].outcome == "ignored"
        with pytest.raises(RuleViolation) as error:
            await actions.ingest(
                source_id=made.source.id,
                headers={},
                body=json.dumps({"sharedSecret": made.secret}).encode(),
            )
        assert error.value.fields[0].field == "sentAt"


async def test_a_storm_is_rate_limited_per_source_and_nothing_accepted_is_lost(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from facilities.kit.ratelimit import Limit

    # the limit is read at each delivery from the package's shared module
    monkeypatch.setattr(actions._common, "PER_SOURCE", Limit("device-source", 5, minutes(1)))
    with clock.pinned(T0):
        f = await field_site(1)
        answered, limited = [], 0
        for n in range(12):
            try:
                answer = await send(f, event("ap-1", "down", event_id=f"s{n}"))
                answered.append(answer)
            except RateLimited:
                limited += 1
        assert len(answered) == 5 and limited == 7
        logged = await db.raw("SELECT event_key FROM device_event WHERE event_key IS NOT NULL")
        assert len(logged) == 5  # every accepted event is in the log, none of the refused
        orders = await db.raw("SELECT id FROM work_order WHERE origin = 'monitoring'")
        assert len(orders) == 1


async def test_missed_heartbeats_go_down_once_even_with_two_job_runs() -> None:
    with clock.pinned(T0):
        f = await field_site(2, down_after=2)
        await send(f, event("ap-1", "heartbeat"), event("ap-2", "heartbeat"))
        clock.advance(minutes(4))
        await send(f, event("ap-2", "heartbeat"))
        assert await actions.check_devices() == 0
        clock.advance(minutes(4))  # ap-1 silent 8 min: threshold 5 + hold 2
        await send(f, event("ap-2", "heartbeat"))
        assert await actions.check_devices() == 1
        assert await actions.check_devices() == 0  # a second process finds nothing to do
        assert await _status(f.ap_ids[0]) == "down"
        logged = await db.raw("SELECT kind, outcome FROM device_event WHERE outcome = 'went_down'")
        assert [dict(r) for r in logged] == [{"kind": "down", "outcome": "went_down"}]
        history = await db.raw(
            "SELECT changed_at FROM asset_status_change WHERE asset = {} AND to_status = 'down'",
            f.ap_ids[0],
        )
        assert len(history) == 1
        from facilities.kit.rows import aware

        assert aware(history[0]["changed_at"]) == T0 + minutes(5)  # when it went silent

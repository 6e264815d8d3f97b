"""The flapping rules of device monitoring (pure)."""

from datetime import UTC, datetime, timedelta

from facilities.assets.monitoring.flapping import Device, Rules, observe, settle

T0 = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)
RULES = Rules(
    threshold=timedelta(minutes=5), down_after=timedelta(minutes=2), up_after=timedelta(minutes=5)
)


def _min(n: float) -> datetime:
    return T0 + timedelta(minutes=n)


def test_first_heartbeat_makes_the_device_up_without_a_transition() -> None:
    device, moved = settle(observe(Device("unknown"), "heartbeat", T0), RULES, T0)
    assert device.state == "up" and moved is None and device.last_heartbeat_at == T0


def test_silence_longer_than_threshold_plus_hold_goes_down_dated_at_the_threshold() -> None:
    device = observe(Device("unknown"), "heartbeat", T0)
    device, moved = settle(device, RULES, _min(6))
    assert moved is None and device.pending == "down" and device.pending_since == _min(5)
    device, moved = settle(device, RULES, _min(7))
    assert moved is not None and moved.to == "down" and moved.at == _min(5)
    assert device.state == "down"


def test_a_short_down_is_suppressed() -> None:
    device = observe(Device("up", last_heartbeat_at=T0), "down", _min(1))
    device, moved = settle(device, RULES, _min(2))
    assert moved is None and device.pending == "down"
    device = observe(device, "up", _min(2.5))
    device, moved = settle(device, RULES, _min(4.5))
    assert moved is None and device.state == "up" and device.pending is None


def test_down_event_counts_after_n_minutes_and_keeps_the_uplink_flag() -> None:
    device = observe(Device("up", last_heartbeat_at=T0), "down", _min(1), uplink=True)
    device, moved = settle(device, RULES, _min(3))
    assert moved is not None and moved.at == _min(1) and moved.uplink


def test_recovery_must_hold_m_minutes_and_a_flap_cancels_it() -> None:
    device = Device("down", last_heartbeat_at=T0)
    device = observe(device, "heartbeat", _min(10))
    device, moved = settle(device, RULES, _min(12))
    assert moved is None and device.pending == "up"
    device = observe(device, "down", _min(13))
    device, moved = settle(device, RULES, _min(16))
    assert moved is None and device.state == "down" and device.pending is None
    device = observe(device, "heartbeat", _min(20))
    device = observe(device, "heartbeat", _min(24))
    device, moved = settle(device, RULES, _min(25))
    assert moved is not None and moved.to == "up" and moved.at == _min(20)


def test_zero_holds_move_at_once() -> None:
    rules = Rules(timedelta(minutes=5), timedelta(0), timedelta(0))
    device, moved = settle(observe(Device("up"), "down", T0), rules, T0)
    assert moved is not None and moved.to == "down"
    device, moved = settle(observe(device, "up", _min(1)), rules, _min(1))
    assert moved is not None and moved.to == "up" and device.state == "up"

from enum import StrEnum

from facilities.kit.i18n import N_


class DeviceState(StrEnum):
    unknown = "unknown"  # no heartbeat yet
    up = "up"
    down = "down"


DEVICE_STATE_LABELS = {
    DeviceState.unknown: N_("Not heard from yet"),
    DeviceState.up: N_("Up"),
    DeviceState.down: N_("Down"),
}


class RecoveryAction(StrEnum):
    complete = "complete"  # recovery completes the work order by itself
    verify = "verify"  # recovery is noted; a person verifies and closes


RECOVERY_LABELS = {
    RecoveryAction.complete: N_("Complete the work order by itself"),
    RecoveryAction.verify: N_("Note the recovery and ask for verification"),
}


class SourceKind(StrEnum):
    generic = "generic"  # our documented JSON shape (docs/device-events.md)
    meraki = "meraki"  # Cisco Meraki dashboard alert webhooks


SOURCE_KIND_LABELS = {
    SourceKind.generic: N_("Generic JSON"),
    SourceKind.meraki: N_("Cisco Meraki alert webhook"),
}


class EventKind(StrEnum):
    heartbeat = "heartbeat"
    down = "down"
    up = "up"


EVENT_KIND_LABELS = {
    EventKind.heartbeat: N_("Heartbeat"),
    EventKind.down: N_("Down"),
    EventKind.up: N_("Up"),
}


class EventOutcome(StrEnum):
    accepted = "accepted"  # applied to the device
    went_down = "went_down"  # the device counts as down from now (after N minutes)
    recovered = "recovered"  # the device counts as up again (after M minutes)
    duplicate = "duplicate"  # an event id seen before: ignored
    replay = "replay"  # timestamp outside the window: ignored
    unknown_device = "unknown_device"
    retired = "retired"  # the device's asset is retired or monitoring is off: ignored
    ignored = "ignored"  # an alert type we do not act on


OUTCOME_LABELS = {
    EventOutcome.accepted: N_("Accepted"),
    EventOutcome.went_down: N_("Went down"),
    EventOutcome.recovered: N_("Recovered"),
    EventOutcome.duplicate: N_("Seen before, ignored"),
    EventOutcome.replay: N_("Too old or from the future, ignored"),
    EventOutcome.unknown_device: N_("Unknown device"),
    EventOutcome.retired: N_("Device retired or not monitored, ignored"),
    EventOutcome.ignored: N_("Not a device event, ignored"),
}

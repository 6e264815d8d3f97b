"""Device monitoring: sources (controllers that send events), monitors (one per monitored
asset) and the spans of time they were monitored, the event log and the per-source
rate-limit hits. Part of the ``assets`` Piccolo app: a monitor belongs to exactly one
asset, and the downtime it records is the asset's status history (``asset_status_change``)."""

from piccolo.columns import (
    Boolean,
    ForeignKey,
    Integer,
    OnDelete,
    Serial,
    Text,
    Timestamptz,
    Varchar,
)
from piccolo.columns.defaults.timestamptz import TimestamptzNow
from piccolo.table import Table

from facilities.assets.tables import Asset
from facilities.sites.tables import Site


class DeviceSource(Table, tablename="device_source"):
    """A sender of device events (a Wi-Fi controller, a monitoring agent) for one site or
    for all sites (``site`` None). The secret is never stored: it is derived from the app's
    secret key, the source id and ``generation`` (``monitoring.secrets``), shown once when
    it is made or rotated (rotation bumps ``generation``); its SHA-256 finds the source of
    a bearer token."""

    id: Serial
    name = Varchar(length=120, null=False)
    kind = Varchar(length=20, null=False, default="generic")  # MonitorSourceKind
    site = ForeignKey(Site, null=True, default=None, on_delete=OnDelete.restrict, index=True)
    secret_hash = Varchar(length=64, null=False, unique=True)
    secret_hint = Varchar(length=8, null=False, default="")
    generation = Integer(default=1)
    active = Boolean(default=True)
    rotated_at = Timestamptz(null=True, default=None)
    created_at = Timestamptz(default=TimestamptzNow())


class DeviceMonitor(Table, tablename="device_monitor"):
    """Monitoring settings and the current state of one asset's device."""

    id: Serial
    asset = ForeignKey(Asset, null=False, on_delete=OnDelete.cascade, unique=True)
    source = ForeignKey(DeviceSource, null=True, default=None, on_delete=OnDelete.set_null)
    # The device's name at its source (Meraki serial, MAC, agent id); unique per source.
    external_id = Varchar(length=120, null=False)
    enabled = Boolean(default=True)
    threshold_seconds = Integer(default=300)  # heartbeat silence that counts as down
    down_after_minutes = Integer(default=2)  # N: down must last this long (flapping)
    up_after_minutes = Integer(default=5)  # M: up must hold this long before recovery
    on_recovery = Varchar(length=20, default="complete")  # RecoveryAction
    state = Varchar(length=10, default="unknown")  # DeviceState
    state_since = Timestamptz(null=True, default=None)
    pending = Varchar(length=10, null=True, default=None)  # "down" / "up" awaiting N / M
    pending_since = Timestamptz(null=True, default=None)
    pending_uplink = Boolean(default=False)
    last_heartbeat_at = Timestamptz(null=True, default=None)
    last_event_at = Timestamptz(null=True, default=None)
    version = Integer(default=1)
    created_at = Timestamptz(default=TimestamptzNow())


class DeviceMonitorSpan(Table, tablename="device_monitor_span"):
    """When a device was monitored: from its monitor's creation (or being enabled again)
    until it was disabled (``ended_at`` None: still monitored). Availability counts a device
    only inside these spans (``monitoring.availability``)."""

    id: Serial
    monitor = ForeignKey(DeviceMonitor, null=False, on_delete=OnDelete.cascade, index=True)
    started_at = Timestamptz(null=False)
    ended_at = Timestamptz(null=True, default=None)


class DeviceEvent(Table, tablename="device_event"):
    """What came in (and what became of it): the delivery log and each device's event log.
    Heartbeats only update the monitor; they are logged when they change something or are
    refused. ``event_key`` (unique per source when set) makes a replayed id a no-op."""

    id: Serial
    source = ForeignKey(DeviceSource, null=True, default=None, on_delete=OnDelete.cascade)
    monitor = ForeignKey(DeviceMonitor, null=True, default=None, on_delete=OnDelete.cascade)
    external_id = Varchar(length=120, default="")
    event_key = Varchar(length=200, null=True, default=None)
    kind = Varchar(length=20, null=False)  # heartbeat / down / up
    uplink = Boolean(default=False)
    occurred_at = Timestamptz(null=True, default=None)
    received_at = Timestamptz(null=False, index=True)
    outcome = Varchar(length=20, null=False)  # EventOutcome
    detail = Text(default="")


class DeviceRateHit(Table, tablename="device_rate_hit"):
    """Hits of the per-source rate limit (``kit.ratelimit``)."""

    id: Serial
    key = Varchar(length=120, null=False, index=True)
    created_at = Timestamptz(null=False, index=True)

"""Writes of device monitoring: settings, sources (secrets shown once, rotatable), event
ingestion and the missed-heartbeat check.

**One transition, whoever sees it.** A monitor row carries a ``version``; a change is an
``UPDATE … WHERE id = … AND version = …`` that only one writer wins; the loser re-reads and
finds the device already moved. So two app replicas receiving the same events, or the
missed-heartbeat job running in two processes, make one transition, one status change and
(through the hook) one work order. Event ids are unique per source (a raw unique index), so
a replayed id is recorded once and then ignored.

A package of private modules (``_sources``, ``_ingest``, ``_state``, ``_common``),
re-exported here: import from ``facilities.assets.monitoring.actions``.
"""

from facilities.assets.monitoring.actions._common import (
    MERAKI_DOWN,
    MERAKI_UP,
    MERAKI_UPLINK_DOWN,
    PER_SOURCE,
    REPLAY_WINDOW,
)
from facilities.assets.monitoring.actions._ingest import ingest
from facilities.assets.monitoring.actions._sources import (
    create_source,
    rotate_source,
    set_monitor,
)
from facilities.assets.monitoring.actions._state import (
    apply,
    check_devices,
    db_aware,
    prune_rate_hits,
)

__all__ = [
    "MERAKI_DOWN",
    "MERAKI_UP",
    "MERAKI_UPLINK_DOWN",
    "PER_SOURCE",
    "REPLAY_WINDOW",
    "apply",
    "check_devices",
    "create_source",
    "db_aware",
    "ingest",
    "prune_rate_hits",
    "rotate_source",
    "set_monitor",
]

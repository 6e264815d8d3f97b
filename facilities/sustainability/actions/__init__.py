"""Writes of sustainability: meters, readings (with their validation), bill periods,
occupancy and emission factors. Each in one transaction with its audit event; a reading or
a bill locks its meter first (PostgreSQL ``FOR UPDATE``; SQLite writes one at a time), so
two people entering at once cannot both pass the checks."""

from facilities.sustainability.actions._asset_meters import record_asset_reading
from facilities.sustainability.actions._bills import import_periods
from facilities.sustainability.actions._common import JumpWarning
from facilities.sustainability.actions._entries import (
    add_period,
    delete_period,
    record_reading,
    replace_meter,
)
from facilities.sustainability.actions._factors import create_factor, seed_default_factors
from facilities.sustainability.actions._intervals import DuplicateImport, import_intervals
from facilities.sustainability.actions._labels import backfill_meter_codes, issue_meter_code
from facilities.sustainability.actions._meters import (
    create_meter,
    delete_meter,
    import_occupancy,
    set_occupancy,
    set_occupancy_months,
    update_meter,
)

__all__ = [
    "DuplicateImport",
    "JumpWarning",
    "add_period",
    "backfill_meter_codes",
    "create_factor",
    "create_meter",
    "delete_meter",
    "delete_period",
    "import_intervals",
    "import_occupancy",
    "import_periods",
    "issue_meter_code",
    "record_asset_reading",
    "record_reading",
    "replace_meter",
    "seed_default_factors",
    "set_occupancy",
    "set_occupancy_months",
    "update_meter",
]

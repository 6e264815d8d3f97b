"""Pages of device monitoring (status board per site, device settings and event log,
sources with their secrets and delivery log)."""

from __future__ import annotations

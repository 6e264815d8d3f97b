"""Rate limits of the public "report a safety hazard" form, counted by the same database
limiter as the public problem-report form (``maintenance.limits``; its pruning job keeps
the last hour, which covers these windows)."""

from __future__ import annotations

from datetime import timedelta

from facilities.kit.ratelimit import Limit

HAZARDS_PER_CLIENT = Limit("hazard-client", 10, timedelta(minutes=10))
HAZARDS_PER_CODE = Limit("hazard-code", 30, timedelta(hours=1))

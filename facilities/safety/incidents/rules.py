"""Pure rules of incidents (no database): when an injury is reportable to the accident
insurer and by when."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

from facilities.safety.incidents.enums import INSURER_NOTICE_DAYS, REPORTABLE_AFTER_DAYS_OFF


def is_reportable(*, kind: str, injury: bool, days_off: int | None) -> bool:
    """An injury with more than three days off work (§193 SGB VII: the day of the accident
    not counted) must be notified to the accident insurer."""
    return kind == "incident" and injury and (days_off or 0) > REPORTABLE_AFTER_DAYS_OFF


def insurer_deadline(known_at: datetime, time_zone: str) -> datetime:
    """The end of the third day after the employer learned of it, in the site's time, as a
    UTC instant (learned Monday 10:00 → Thursday 23:59 site time)."""
    zone = ZoneInfo(time_zone)
    day = known_at.astimezone(zone).date() + timedelta(days=INSURER_NOTICE_DAYS)
    return datetime.combine(day, time(23, 59), tzinfo=zone).astimezone(UTC)

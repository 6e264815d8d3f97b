"""The installation-wide default SLA policies the demo (and a new installation) starts with.

Targets are minutes of counted time. A "business day" here is 8 business hours (480 minutes);
P1 runs 24/7, the others in the site's business hours. Every default pauses while the work
waits for parts or for access.
"""

from __future__ import annotations

from facilities.accounts.principal import Principal
from facilities.maintenance.lifecycle import HoldReason
from facilities.maintenance.workorders.schemas import Priority
from facilities.services.sla import actions, queries
from facilities.services.sla.enums import SlaCalendar
from facilities.services.sla.schemas import PolicyCreate

HOUR = 60
BUSINESS_DAY = 8 * HOUR
PAUSES = [HoldReason.parts, HoldReason.access]

DEFAULT_POLICIES = (
    # priority, response, attendance, resolution, calendar
    (Priority.p1, 1 * HOUR, 4 * HOUR, 8 * HOUR, SlaCalendar.always),
    (Priority.p2, 4 * HOUR, BUSINESS_DAY, 2 * BUSINESS_DAY, SlaCalendar.business_hours),
    (Priority.p3, BUSINESS_DAY, 3 * BUSINESS_DAY, 5 * BUSINESS_DAY, SlaCalendar.business_hours),
    (Priority.p4, 2 * BUSINESS_DAY, None, 20 * BUSINESS_DAY, SlaCalendar.business_hours),
)


async def seed_default_policies(actor: Principal) -> int:
    """Create the default policies that are missing (idempotent); returns how many."""
    existing = {p.priority for p in await queries.list_policies(defaults=True) if p.trade is None}
    created = 0
    for priority, response, attendance, resolution, calendar in DEFAULT_POLICIES:
        if priority in existing:
            continue
        await actions.create_policy(
            actor=actor,
            data=PolicyCreate(
                priority=priority,
                response_minutes=response,
                attendance_minutes=attendance,
                resolution_minutes=resolution,
                calendar=calendar,
                pause_reasons=list(PAUSES),
            ),
        )
        created += 1
    return created

"""SLA policies, the SLA clock of every work order, outcomes and escalation.

Importing this package registers the outcome listener with the work-order hooks (it runs
inside each transition's transaction). ``facilities.app`` imports it through the SLA
controllers, ``facilities.scheduler`` through the escalation job.
"""

from facilities.maintenance import hooks
from facilities.services.sla.outcomes import record_outcomes

hooks.on_work_order_change(record_outcomes)

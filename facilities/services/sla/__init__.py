"""SLA policies, the SLA clock of every work order, outcomes and escalation.

``facilities.wiring.install`` registers the outcome listener with the work-order hooks (it
runs inside each transition's transaction) and the SLA card of the work-order page.
"""

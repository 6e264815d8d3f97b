"""Notifications through a transactional outbox: e-mail (text and HTML, English and German)
and signed webhooks, with per-user preferences and a daily digest.

Maintenance calls its hooks inside each change's transaction; registering here means every
work-order and report change writes its notifications in that same transaction.
"""

from facilities.maintenance import hooks
from facilities.notifications.listeners import on_report_change, on_work_order_change

hooks.on_work_order_change(on_work_order_change)
hooks.on_report_change(on_report_change)

"""Notifications through a transactional outbox: e-mail (text and HTML, English and German)
and signed webhooks, with per-user preferences and a daily digest.

Maintenance calls its hooks inside each change's transaction; ``facilities.wiring.install``
registers our listeners there, so every work-order and report change writes its
notifications in that same transaction.
"""

"""The audit trail and a work order's history say who acted in plain words: a person as
stored, the product itself and its automatic parts by name, in the reader's language."""

from __future__ import annotations

from facilities.accounts.audit import actor_words
from facilities.kit.i18n import using_locale
from facilities.maintenance.device_work import SYSTEM as MONITORING
from facilities.maintenance.rollouts.actions import SYSTEM as ROLLOUT


def test_people_the_product_and_its_automatic_parts() -> None:
    assert actor_words("Ana Ops <ops@example.org>") == "Ana Ops <ops@example.org>"
    assert actor_words("system") == "Facilities (automatic)"
    assert actor_words(MONITORING.label) == "Device monitoring (automatic)"
    assert actor_words(ROLLOUT.label) == "Roll-out (automatic)"
    with using_locale("de"):
        assert actor_words("system") == "Facilities (automatisch)"
        assert actor_words(MONITORING.label) == "Geräteüberwachung (automatisch)"
        assert actor_words("Ana Ops <ops@example.org>") == "Ana Ops <ops@example.org>"

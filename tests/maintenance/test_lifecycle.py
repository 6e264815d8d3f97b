import pytest

from facilities.accounts.enums import Role
from facilities.kit.errors import Conflict, PermissionDenied, RuleViolation
from facilities.maintenance.lifecycle import TRANSITIONS, allowed, check
from facilities.maintenance.lifecycle import WorkOrderStatus as S


def test_happy_path_partner_and_verification() -> None:
    state = S.open
    for name, role, note in [
        ("assign", Role.ops_manager, None),
        ("accept", Role.partner, None),
        ("start", Role.partner, None),
        ("hold", Role.partner, "waiting for parts"),
        ("resume", Role.partner, None),
        ("complete", Role.partner, "Descaled and tested"),
        ("verify", Role.community_manager, None),
    ]:
        state = check(name, state, role, note).target
    assert state is S.verified


def test_partner_may_not_verify_its_own_work() -> None:
    with pytest.raises(PermissionDenied):
        check("verify", S.completed, Role.partner, None)


def test_completing_a_cancelled_order_is_a_conflict() -> None:
    with pytest.raises(Conflict) as caught:
        check("complete", S.cancelled, Role.partner, "done")
    assert caught.value.status_code == 409


@pytest.mark.parametrize("name", ["complete", "cancel", "reopen", "decline"])
def test_notes_are_required_where_they_matter(name) -> None:
    source = next(iter(TRANSITIONS[name].sources))
    role = next(iter(TRANSITIONS[name].roles))
    with pytest.raises(RuleViolation) as caught:
        check(name, source, role, "  ")
    assert caught.value.fields[0].field == "note"


def test_decline_returns_to_open_and_viewers_do_nothing() -> None:
    assert check("decline", S.assigned, Role.partner, "no capacity").target is S.open
    for state in S:
        assert allowed(state, Role.viewer) == []


def test_unknown_action() -> None:
    with pytest.raises(RuleViolation):
        check("teleport", S.open, Role.admin, None)


def test_every_state_is_reachable_and_closed_states_only_reopen() -> None:
    targets = {t.target for t in TRANSITIONS.values()}
    assert targets | {S.open} == set(S)
    assert allowed(S.cancelled, Role.admin) == []
    assert allowed(S.verified, Role.ops_manager) == ["reopen"]

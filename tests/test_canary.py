"""Canary: proves each test starts from empty tables (isolation works)."""

from facilities.accounts.tables import User
from tests import builders

_seen: list[int] = []


async def test_isolation_first() -> None:
    await builders.user()
    assert await User.count() == 1


async def test_isolation_second() -> None:
    assert await User.count() == 0
    await builders.user()
    assert await User.count() == 1

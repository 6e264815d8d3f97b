"""Canary: after the matrix module (one world for all its cases) the tables are empty
again, so deferring the truncation to the module's end leaks nothing into other tests."""

from facilities.accounts.tables import User
from facilities.sites.tables import Site


async def test_the_matrix_world_is_gone() -> None:
    assert await User.count() == 0
    assert await Site.count() == 0

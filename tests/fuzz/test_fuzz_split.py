"""The API fuzz shares the operations out between the two halves of ``make test``
(``tests/fuzz/test_api_fuzz.py``, ``engine_of``): every operation falls to exactly one
engine, and neither half gets most of them.

Engine-independent (it reads the app's schema in-process): runs in the SQLite half only.
"""

from __future__ import annotations

from typing import Any

import pytest

from tests.conftest import ENGINES

pytestmark = pytest.mark.one_engine("sqlite")


def _operations(app: Any) -> list[str]:
    schema = app.openapi_schema.to_schema()
    return [
        f"{method.upper()} {path}"
        for path, item in schema["paths"].items()
        if path.startswith("/api/")
        for method in item
        if method in {"get", "put", "post", "patch", "delete"}
    ]


def test_every_operation_is_fuzzed_in_one_half_and_the_halves_are_even(app: Any) -> None:
    pytest.importorskip("schemathesis")
    from tests.fuzz.test_api_fuzz import engine_of

    operations = _operations(app)
    shares = {engine: [op for op in operations if engine_of(op) == engine] for engine in ENGINES}
    assert sorted(op for share in shares.values() for op in share) == sorted(operations)
    for engine, share in shares.items():
        assert 0.4 <= len(share) / len(operations) <= 0.6, (engine, len(share), len(operations))

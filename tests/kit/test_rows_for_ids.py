"""``kit.rows.rows_for_ids``: one ``IN (…)`` query over any number of ids, run per chunk of
placeholders, on both engines."""

from __future__ import annotations

from facilities.kit.rows import IDS_PER_STATEMENT, rows_for_ids
from tests import builders


async def test_every_id_is_asked_across_chunks() -> None:
    region = await builders.region()
    sites = [await builders.site(region.id) for _ in range(3)]
    missing = list(range(10_000, 10_000 + IDS_PER_STATEMENT * 2))
    # the known ids in the first, second and third chunk
    ids = [
        sites[0].id,
        *missing[:IDS_PER_STATEMENT],
        sites[1].id,
        *missing[IDS_PER_STATEMENT:],
        sites[2].id,
    ]
    rows = await rows_for_ids("SELECT id, name FROM site WHERE id IN ({ids}) ORDER BY id", ids)
    assert [(r["id"], r["name"]) for r in rows] == [(s.id, s.name) for s in sites]
    assert await rows_for_ids("SELECT id FROM site WHERE id IN ({ids})", []) == []

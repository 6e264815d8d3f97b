"""``calendar_view.overlapping`` (one sort and one pass) finds exactly the entries that
comparing every pair finds: ties, touching ends and long jobs spanning many others included
(every entry lasts at least a minute: agenda items an hour by default, visits a minute)."""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta

from facilities.maintenance.pm.calendar_view import overlapping

BASE = datetime(2027, 1, 4, 9, tzinfo=UTC)


def _pairwise(intervals: list[tuple[datetime, datetime]]) -> set[int]:
    found = set()
    for i, (a_start, a_end) in enumerate(intervals):
        for j, (b_start, b_end) in enumerate(intervals):
            if i == j:
                continue
            first, second = sorted([(a_start, a_end, i), (b_start, b_end, j)])[:2]
            if second[0] < first[1]:  # the later one starts before the earlier one ends
                found |= {i, j}
    return found


def test_the_same_entries_as_comparing_every_pair() -> None:
    rng = random.Random(16)
    for _ in range(300):
        intervals = []
        for _n in range(rng.randint(0, 12)):
            start = BASE + timedelta(minutes=15 * rng.randint(0, 16))
            intervals.append((start, start + timedelta(minutes=15 * rng.randint(1, 8))))
        indices = list(range(len(intervals)))
        found = overlapping(indices, lambda i: intervals[i][0], lambda i: intervals[i][1])
        assert set(found) == _pairwise(intervals), intervals
        assert [intervals[i][0] for i in found] == sorted(intervals[i][0] for i in found)


def test_simple_cases() -> None:
    hour = timedelta(hours=1)
    spans = {
        "a": (BASE, BASE + hour),
        "b": (BASE + hour, BASE + 2 * hour),  # touches a: no clash
        "c": (BASE + 3 * hour, BASE + 9 * hour),  # spans d and e
        "d": (BASE + 4 * hour, BASE + 5 * hour),  # inside c
        "e": (BASE + 8 * hour, BASE + 10 * hour),
    }
    found = overlapping(list(spans), lambda k: spans[k][0], lambda k: spans[k][1])
    assert found == ["c", "d", "e"]
    assert overlapping([], lambda k: BASE, lambda k: BASE) == []

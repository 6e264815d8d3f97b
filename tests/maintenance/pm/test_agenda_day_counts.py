"""The calendar's counts of work orders per local day (``agenda.day_counts``), counted in SQL
per day of each site's zone (issue 16: a month of 80,000 open orders at 1,000,000): each
order falls on its site's local day, across the end of summer time in two zones."""

from __future__ import annotations

from collections import Counter
from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

import pytest

from facilities import db
from facilities.kit import clock
from facilities.maintenance.pm import agenda
from facilities.maintenance.pm.agenda_scope import AgendaScope
from tests import builders, workorders_builders
from tests.maintenance.pm.helpers import utc

BERLIN = ZoneInfo("Europe/Berlin")
NEW_YORK = ZoneInfo("America/New_York")


def _local(day: str, zone: ZoneInfo) -> datetime:
    return datetime.fromisoformat(day).replace(tzinfo=zone).astimezone(UTC)


async def test_orders_are_counted_on_their_sites_local_day_across_summer_time() -> None:
    region = await builders.region()
    berlin = await builders.site(region.id, time_zone="Europe/Berlin")
    new_york = await builders.site(region.id, time_zone="America/New_York")
    due = {
        berlin.id: [  # summer time ends on 25 October at 03:00 local (01:00 UTC)
            _local("2026-10-24T23:30", BERLIN),
            _local("2026-10-25T00:30", BERLIN),
            _local("2026-10-25T23:30", BERLIN),  # a day of 25 hours
            _local("2026-10-26T00:10", BERLIN),
            _local("2026-11-01T23:59", BERLIN),
        ],
        new_york.id: [  # on 1 November at 02:00 local (06:00 UTC)
            _local("2026-10-31T23:30", NEW_YORK),
            _local("2026-11-01T00:30", NEW_YORK),
            _local("2026-11-01T23:30", NEW_YORK),
            _local("2026-11-02T00:00", NEW_YORK),
        ],
    }
    with clock.pinned(utc(2026, 10, 1)):
        for site_id, times in due.items():
            for moment in times:
                await workorders_builders.work_order(site_id, due_at=moment)
    zones = {berlin.id: BERLIN, new_york.id: NEW_YORK}
    expected = Counter(
        (moment.astimezone(zones[site]).date(), "work", site)
        for site, times in due.items()
        for moment in times
    )
    start, end = utc(2026, 10, 20), utc(2026, 11, 5)
    counts = await agenda.day_counts(start=start, end=end, scope=AgendaScope(None))
    assert dict(counts) == dict(expected)
    assert counts[(date(2026, 10, 25), "work", berlin.id)] == 2
    assert counts[(date(2026, 11, 1), "work", new_york.id)] == 2
    # the same as placing every item the agenda builds in its site's day
    built = Counter(
        (i.start.astimezone(ZoneInfo(i.time_zone)).date(), "work", i.site_id)
        for i in await agenda.items(start=start, end=end, scope=AgendaScope(None))
    )
    assert built == expected
    # one site in scope; a window cutting a local day counts only its part
    only = await agenda.day_counts(
        start=_local("2026-10-25T00:00", BERLIN),
        end=_local("2026-10-25T12:00", BERLIN),
        scope=AgendaScope(site_ids=frozenset({berlin.id})),
    )
    assert dict(only) == {(date(2026, 10, 25), "work", berlin.id): 1}


@pytest.mark.one_engine("postgres")
async def test_a_days_count_is_an_index_only_scan_on_postgresql() -> None:
    """PostgreSQL can answer the day's count from ``work_order_agenda_start`` alone (the
    start's own columns are in it): the plan, with the table's other ways switched off for
    this small test database, is an index-only scan."""
    async with db.transaction():
        await db.raw("SET LOCAL enable_seqscan = off")
        await db.raw("SET LOCAL enable_bitmapscan = off")
        plan = await db.raw(
            "EXPLAIN SELECT w.site, w.kind, count(*) FROM work_order w"
            f" WHERE {agenda._START} >= {{}} AND {agenda._START} < {{}}"
            f"{agenda._order_where(AgendaScope(None))} GROUP BY w.site, w.kind",
            utc(2026, 10, 25),
            utc(2026, 10, 26),
        )
    text = "\n".join(str(dict(r)["QUERY PLAN"]) for r in plan)
    assert "Index Only Scan using work_order_agenda_start" in text, text

"""Interval data import: streamed, every row error listed and nothing written, the same file
twice doubles nothing, an interruption half-way keeps nothing; the monthly figures follow."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from facilities.accounts.enums import Role
from facilities.kit.errors import InvalidInput, RuleViolation
from facilities.sustainability import actions, monthly, results
from facilities.sustainability.actions import _intervals
from facilities.sustainability.schemas import IntervalImportRead
from facilities.sustainability.tables import IntervalImport, MeterInterval, MeterMonth
from tests import builders
from tests.sustainability.helpers import meter

BERLIN = ZoneInfo("Europe/Berlin")


def profile(meter_id: int, start: datetime, count: int, value: float = 0.25, **kw) -> str:
    """``count`` 15-minute rows from ``start`` (local Berlin time, no offset)."""
    step = timedelta(minutes=kw.get("minutes", 15))
    unit = kw.get("unit", "kWh")
    lines = ["meter_id,start,value,unit"]
    for n in range(count):
        moment = start + step * n
        lines.append(f"{meter_id},{moment:%Y-%m-%d %H:%M},{value},{unit}")
    return "\n".join(lines) + "\n"


async def chunks(text: str, size: int = 97) -> AsyncIterator[bytes]:
    data = text.encode()
    for start in range(0, len(data), size):  # odd chunk size: lines split across chunks
        yield data[start : start + size]


async def run(text: str, **kw):
    return await actions.import_intervals(
        actor=await builders.system(), chunks=chunks(text), filename="p.csv", **kw
    )


async def _meter() -> int:
    region = await builders.region()
    site = await builders.site(region.id, floor_area_m2=100, desks=10)
    return (await meter(site.id)).id


async def test_import_stores_values_and_monthly_figures() -> None:
    meter_id = await _meter()
    # 30 Jan 2025 00:00 local → 4 days: 384 values × 0.25 kWh = 96 kWh; 2 days per month.
    done = await run(profile(meter_id, datetime(2025, 1, 30), 4 * 96))
    assert done.rows == 384 and done.meters == 1
    assert await MeterInterval.count() == 384
    assert done.first_at == datetime(2025, 1, 29, 23, 0, tzinfo=UTC)
    figures = await results.results(await builders.system(), year=2025)
    quantities = [m.carriers[0].quantity if m.carriers else 0 for m in figures.months[:2]]
    assert quantities == pytest.approx([48.0, 48.0])
    stored = await MeterMonth.select(MeterMonth.source).where(MeterMonth.meter == meter_id)
    assert {r["source"] for r in stored} == {"interval"}


async def test_same_file_twice_doubles_nothing() -> None:
    meter_id = await _meter()
    text = profile(meter_id, datetime(2025, 3, 1), 96)
    first = await run(text)
    with pytest.raises(actions.DuplicateImport) as raised:
        await run(text)
    assert raised.value.status_code == 409 and raised.value.earlier.id == first.id
    assert f"import {first.id} (p.csv)" in raised.value.message
    assert await MeterInterval.count() == 96
    assert await IntervalImport.count() == 1
    figures = await results.results(await builders.system(), year=2025)
    assert figures.months[2].energy_kwh == pytest.approx(24.0)


async def test_overlapping_file_replaces_values() -> None:
    meter_id = await _meter()
    await run(profile(meter_id, datetime(2025, 3, 1), 96, value=0.25))
    # The second half of the day again, corrected, and the next half day.
    await run(profile(meter_id, datetime(2025, 3, 1, 12), 96, value=0.5))
    assert await MeterInterval.count() == 144
    figures = await results.results(await builders.system(), year=2025)
    assert figures.months[2].energy_kwh == pytest.approx(48 * 0.25 + 96 * 0.5)


async def test_an_adjacent_file_adds_to_the_stored_month(monkeypatch) -> None:
    """Nothing replaced: the month's sum is the stored one plus the file's, without reading
    the values back; the same as a read-back gives."""
    meter_id = await _meter()
    await run(profile(meter_id, datetime(2025, 3, 1), 96, value=0.25))
    read_back = monthly._interval_sums
    calls = 0

    async def counted(*args):
        nonlocal calls
        calls += 1
        return await read_back(*args)

    monkeypatch.setattr(monthly, "_interval_sums", counted)
    await run(profile(meter_id, datetime(2025, 3, 2), 96 * 28, value=0.0005, unit="MWh"))
    assert calls == 0
    added = await MeterMonth.select(MeterMonth.interval_quantity).where(
        MeterMonth.meter == meter_id
    )
    # 1 March: 24 kWh; 2 to 29 March: 2,688 values of 0.5 kWh (given in MWh).
    assert [float(r["interval_quantity"]) for r in added] == pytest.approx([24 + 1344])
    await monthly.refresh([meter_id], interval_months={meter_id: {date(2025, 3, 1)}})
    assert calls == 1
    again = await MeterMonth.select(MeterMonth.interval_quantity).where(
        MeterMonth.meter == meter_id
    )
    assert [float(r["interval_quantity"]) for r in again] == pytest.approx([24 + 1344])


async def test_every_row_error_is_listed_and_nothing_is_written() -> None:
    meter_id = await _meter()
    lines = [
        "meter_id,start,value,unit",
        f"{meter_id},2025-10-26 01:30,0.2,kWh",  # line 2
        f"{meter_id},2025-10-26 01:45,0.2,kWh",
        f"{meter_id},2025-10-26 02:00,0.2,kWh",  # 4: occurs twice (clocks go back)
        f"{meter_id},2025-10-26T02:00+02:00,0.2,kWh",  # 5: with its offset: fine
        f"{meter_id},2025-10-26T02:15+02:00,0.2,kW",  # 6: wrong unit (power)
        f"{meter_id},2025-10-26T02:15+02:00,0.2,kWh",
        f"{meter_id},2025-10-26T02:15+02:00,0.2,kWh",  # 8: the same time again
        f"{meter_id},2025-10-26T03:00+02:00,0.2,kWh",  # 9: a gap (02:30, 02:45 missing)
        f"{meter_id},2025-10-26T03:15+02:00,0.2,m3",  # 10: a unit of another carrier
        f"{meter_id},2025-03-30 02:15,0.2,kWh",  # 11: does not exist (clocks go forward)
    ]
    with pytest.raises(InvalidInput) as raised:
        await run("\n".join(lines) + "\n")
    found = {(e.field, e.message.split(":")[0]) for e in raised.value.fields}
    assert found == {
        ("start", "Line 4"),
        ("unit", "Line 6"),
        ("start", "Line 8"),
        ("start", "Line 9"),
        ("unit", "Line 10"),
        ("start", "Line 11"),
    }
    messages = {e.message.split(":")[0]: e.message for e in raised.value.fields}
    assert "occurs twice" in messages["Line 4"]
    assert "2 values" in messages["Line 9"]
    assert "does not exist" in messages["Line 11"]
    assert "nothing was imported" in raised.value.message
    assert await MeterInterval.count() == 0
    assert await IntervalImport.count() == 0
    assert await MeterMonth.count() == 0


async def test_unknown_and_foreign_meters_are_row_errors() -> None:
    meter_id = await _meter()
    other = await builders.site((await builders.region()).id)
    foreign = (await meter(other.id)).id
    cm = await builders.user(Role.community_manager)
    mine = (await builders.site((await builders.region()).id)).id
    await builders.assign(cm, sites=[mine])
    text = profile(foreign, datetime(2025, 3, 1), 2) + f"{meter_id + 999},2025-03-01 00:00,1,kWh\n"
    with pytest.raises(InvalidInput) as raised:
        await actions.import_intervals(actor=builders.principal(cm), chunks=chunks(text))
    assert [e.field for e in raised.value.fields] == ["meter_id"] * 3
    assert await MeterInterval.count() == 0


async def test_interrupted_import_keeps_nothing_and_the_retry_succeeds(monkeypatch) -> None:
    meter_id = await _meter()
    text = profile(meter_id, datetime(2025, 4, 1), 96 * 3)
    real = _intervals._write_batch
    calls = 0

    async def failing(writer, rows):
        nonlocal calls
        calls += 1
        if calls == 2:
            raise ConnectionError("the connection dropped")
        await real(writer, rows)

    original = _intervals.Parser.__init__

    def small_batches(self, *args, **kwargs):
        original(self, *args, **{**kwargs, "batch_size": 50})

    monkeypatch.setattr(_intervals.Parser, "__init__", small_batches)
    monkeypatch.setattr(_intervals, "_write_batch", failing)
    with pytest.raises(ConnectionError):
        await run(text)
    assert calls == 2
    assert await MeterInterval.count() == 0
    assert await IntervalImport.count() == 0
    monkeypatch.setattr(_intervals, "_write_batch", real)
    done = await run(text)
    assert done.rows == 288 and await MeterInterval.count() == 288


async def test_semicolons_decimal_comma_hourly_and_mwh() -> None:
    meter_id = await _meter()
    text = "Meter_ID;Start;Value;Unit\r\n" + "".join(
        f"{meter_id};2025-05-01T{h:02d}:00:00+02:00;0,001;MWh\r\n" for h in range(24)
    )
    done = await run(text, interval=60)
    assert done.rows == 24
    figures = await results.results(await builders.system(), year=2025)
    assert figures.months[4].energy_kwh == pytest.approx(24.0)


async def test_future_and_bad_header_are_refused() -> None:
    meter_id = await _meter()
    soon = datetime.now(BERLIN) + timedelta(days=2)
    with pytest.raises(InvalidInput) as raised:
        await run(profile(meter_id, soon.replace(tzinfo=None, minute=0, second=0), 1))
    assert "future" in raised.value.fields[0].message
    with pytest.raises(InvalidInput) as raised:
        await run("meter,when,kwh\n1,2025-01-01 00:00,1\n")
    assert raised.value.fields[0].field == "meter_id"


async def test_api_streams_the_body(make_client) -> None:
    region = await builders.region()
    site = await builders.site(region.id)
    meter_id = (await meter(site.id)).id
    ops = await builders.user(Role.ops_manager)
    await builders.assign(ops, regions=[region.id])
    api = await builders.api(make_client, ops)
    text = profile(meter_id, datetime(2025, 6, 1), 8)
    url = "/api/v1/sustainability/intervals?filename=june.csv"
    response = await api.post(url, content=text, headers={"content-type": "text/csv"})
    assert response.status_code == 201, response.text
    assert response.json()["rows"] == 8
    again = await api.post(url, content=text, headers={"content-type": "text/csv"})
    assert again.status_code == 409, again.text
    assert again.json()["fields"][0]["field"] == "file"
    assert f"import {response.json()['id']} (june.csv)" in again.json()["message"]
    bad = await api.post(
        url, content=text.replace("kWh", "kW"), headers={"content-type": "text/csv"}
    )
    assert bad.status_code == 422
    assert bad.json()["fields"][0]["field"] == "unit"
    cm = await builders.user(Role.community_manager)
    await builders.assign(cm, sites=[site.id])
    denied = await (await builders.api(make_client, cm)).post(
        url, content=text, headers={"content-type": "text/csv"}
    )
    assert denied.status_code == 403


async def _counted(text: str, seen: list[int], size: int = 4096) -> AsyncIterator[bytes]:
    data = text.encode()
    for start in range(0, len(data), size):
        seen.append(start)
        yield data[start : start + size]


async def test_a_declared_hash_refuses_the_repeat_before_reading_it() -> None:
    import hashlib

    meter_id = await _meter()
    text = profile(meter_id, datetime(2025, 3, 1), 96)
    first = await run(text)
    seen: list[int] = []
    with pytest.raises(actions.DuplicateImport) as raised:
        await actions.import_intervals(
            actor=await builders.system(),
            chunks=_counted(text, seen),
            sha256=hashlib.sha256(text.encode()).hexdigest(),
        )
    assert raised.value.earlier.id == first.id
    assert seen == []  # not a byte read
    with pytest.raises(RuleViolation):
        await actions.import_intervals(
            actor=await builders.system(), chunks=_counted(text, []), sha256="abc"
        )


async def test_a_long_repeat_is_refused_by_hashing_not_parsing() -> None:
    """Past the 64 KiB head, a repeated file is only hashed (``_screen``, which runs before
    the parser) and refused; a file that starts alike but ends differently is imported from
    the kept copy."""
    meter_id = await _meter()
    text = profile(meter_id, datetime(2025, 5, 1), 30 * 96)  # 30 days, ~90 KB
    assert len(text) > _intervals.HEAD_BYTES
    first = await run(text)
    with pytest.raises(actions.DuplicateImport) as raised:
        await _intervals._screen(chunks(text, 5000), None)
    assert raised.value.earlier.id == first.id
    longer = profile(meter_id, datetime(2025, 5, 1), 31 * 96)  # same head, one more day
    second = await actions.import_intervals(
        actor=await builders.system(), chunks=chunks(longer, 5000), filename="q.csv"
    )
    assert second.rows == 31 * 96
    assert await MeterInterval.count() == 31 * 96
    assert await IntervalImport.count() == 2


# ---- the same file twice at the same instant ----------------------------------------------


def _outcomes(results: list) -> tuple[list[IntervalImportRead], list[actions.DuplicateImport]]:
    done = [r for r in results if isinstance(r, IntervalImportRead)]
    refused = [r for r in results if isinstance(r, actions.DuplicateImport)]
    assert len(done) + len(refused) == len(results), results  # no other error
    return done, refused


async def test_two_identical_uploads_at_once_one_is_kept_the_other_409() -> None:
    meter_id = await _meter()
    text = profile(meter_id, datetime(2025, 3, 1), 96)
    done, refused = _outcomes(await asyncio.gather(run(text), run(text), return_exceptions=True))
    assert len(done) == 1 and len(refused) == 1
    assert refused[0].status_code == 409 and refused[0].earlier.id == done[0].id
    assert await IntervalImport.count() == 1 and await MeterInterval.count() == 96


@pytest.mark.one_engine("postgres")
async def test_twins_that_both_pass_every_check_get_the_same_409(monkeypatch) -> None:
    """Both uploads pass the last check before either commits (held together by a barrier
    just after it); the loser's record then meets the winner's in the unique index of
    ``interval_import.sha256`` and is answered with the sequential repeat's 409. The file
    overlaps stored values, so both write to their temporary tables and neither waits on
    the other before the barrier."""
    meter_id = await _meter()
    await run(profile(meter_id, datetime(2025, 3, 1), 96))
    text = profile(meter_id, datetime(2025, 3, 1, 12), 96, value=0.5)
    barrier = asyncio.Barrier(2)
    finish = _intervals._Writer.finish

    async def together(self) -> None:
        await barrier.wait()
        await finish(self)

    monkeypatch.setattr(_intervals._Writer, "finish", together)
    done, refused = _outcomes(await asyncio.gather(run(text), run(text), return_exceptions=True))
    assert len(done) == 1 and len(refused) == 1
    assert refused[0].status_code == 409 and refused[0].earlier.id == done[0].id
    assert await IntervalImport.count() == 2 and await MeterInterval.count() == 144
    figures = await results.results(await builders.system(), year=2025)
    assert figures.months[2].energy_kwh == pytest.approx(48 * 0.25 + 96 * 0.5)


async def test_a_twin_committed_after_the_last_check_is_answered_409(monkeypatch) -> None:
    """Both engines' unique violations are recognised: the last check is made to miss the
    committed twin (as if it committed just after), so the record hits the index."""
    meter_id = await _meter()
    text = profile(meter_id, datetime(2025, 3, 1), 96)
    first = await run(text)

    async def not_screened(stream, declared):
        return chunks(text), "0" * 64

    real = _intervals._repeat_of
    calls = 0

    async def late(digest: str):
        nonlocal calls
        calls += 1
        return [] if calls == 1 else await real(digest)

    monkeypatch.setattr(_intervals, "_screen", not_screened)
    monkeypatch.setattr(_intervals, "_repeat_of", late)
    with pytest.raises(actions.DuplicateImport) as raised:
        await run(text)
    assert calls == 2 and raised.value.earlier.id == first.id
    assert await IntervalImport.count() == 1 and await MeterInterval.count() == 96

"""Anomalies: the rules on one meter's nights (pure), the nightly scan end to end (a leak
gets a work order through the one write path, the scan is idempotent), acknowledging a
known cause mutes it."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

from facilities.accounts.enums import Role
from facilities.maintenance.tables import WorkOrder
from facilities.settings import get_settings
from facilities.sustainability import actions, anomalies
from facilities.sustainability.enums import Carrier
from facilities.sustainability.tables import Anomaly
from tests import builders
from tests.sustainability.helpers import meter

BERLIN = ZoneInfo("Europe/Berlin")
DAY = date(2025, 6, 20)


def _nights(values: dict[int, float]) -> dict[date, float]:
    return {DAY - timedelta(days=back): value for back, value in values.items()}


def test_night_flow_against_dry_nights() -> None:
    nights = _nights({back: 0.0 for back in range(1, 15)} | {0: 0.06})
    found = anomalies.judge(
        meter_id=1,
        site_id=1,
        carrier=Carrier.water,
        day=DAY,
        nights=nights,
        days_with_data=set(nights),
        unit="m3",
    )
    assert [f.kind for f in found] == ["night_flow"]
    assert "01:00" in found[0].evidence


def test_a_few_litres_at_night_are_no_leak() -> None:
    nights = _nights({back: 0.0 for back in range(1, 15)} | {0: 0.004})
    assert not anomalies.judge(
        meter_id=1,
        site_id=1,
        carrier=Carrier.water,
        day=DAY,
        nights=nights,
        days_with_data=set(nights),
        unit="m3",
    )


def test_baseload_jump_and_silence() -> None:
    nights = _nights({back: 2.0 for back in range(1, 15)} | {0: 3.5})
    found = anomalies.judge(
        meter_id=1,
        site_id=1,
        carrier=Carrier.electricity_grid,
        day=DAY,
        nights=nights,
        days_with_data=set(nights),
        unit="kWh",
    )
    assert [f.kind for f in found] == ["baseload_jump"]
    quiet = _nights({back: 2.0 for back in range(1, 15)})
    found = anomalies.judge(
        meter_id=1,
        site_id=1,
        carrier=Carrier.electricity_grid,
        day=DAY,
        nights=quiet,
        days_with_data=set(quiet),
        unit="kWh",
    )
    assert [f.kind for f in found] == ["no_data"]


async def _water_site(leak_nights: int) -> tuple[int, int]:
    region = await builders.region()
    site = await builders.site(region.id)
    water = await meter(site.id, name="Water", carrier="water", unit="m3")
    first = datetime(2025, 6, 1, tzinfo=BERLIN).astimezone(UTC)
    end = datetime(2025, 6, 21, tzinfo=BERLIN).astimezone(UTC)
    leak_from = datetime(2025, 6, 21 - leak_nights, tzinfo=BERLIN).astimezone(UTC)
    lines = ["meter_id,start,value,unit"]
    moment = first
    while moment < end:
        value = 0.02 if 8 <= moment.astimezone(BERLIN).hour < 18 else 0.0
        value += 0.015 if moment >= leak_from else 0.0
        lines.append(f"{water.id},{moment.isoformat()},{value:.3f},m3")
        moment += timedelta(minutes=15)
    text = ("\n".join(lines) + "\n").encode()

    async def chunks():
        yield text

    await actions.import_intervals(actor=await builders.system(), chunks=chunks())
    return site.id, water.id


async def test_scan_finds_the_leak_once_with_a_work_order() -> None:
    site_id, meter_id = await _water_site(leak_nights=1)
    morning = datetime(2025, 6, 21, 6, 30, tzinfo=UTC)
    created = await anomalies.scan(now=morning)
    assert len(created) == 1
    row = (await Anomaly.select().where(Anomaly.id == created[0]))[0]
    assert (row["kind"], row["meter"], row["site"]) == ("night_flow", meter_id, site_id)
    order = (await WorkOrder.select().where(WorkOrder.id == row["work_order"]))[0]
    assert order["site"] == site_id and order["trade"] == "plumbing"
    assert order["origin"] == "anomaly"  # not "created by hand"
    assert "never fell below" in order["description"]
    assert await anomalies.scan(now=morning) == []
    assert await WorkOrder.count() == 1


async def test_acknowledged_cause_does_not_alert_again(make_client) -> None:
    region = await builders.region()
    site_id, meter_id = await _water_site(leak_nights=2)
    created = await anomalies.scan(now=datetime(2025, 6, 20, 6, 30, tzinfo=UTC))
    assert len(created) == 1
    ops = await builders.user(Role.admin)
    await anomalies.acknowledge(
        actor=builders.principal(ops),
        anomaly_id=created[0],
        cause="The night cleaning fills its machines",
        muted_until=None,
    )
    assert await anomalies.scan(now=datetime(2025, 6, 21, 6, 30, tzinfo=UTC)) == []
    cm = await builders.user(Role.community_manager)
    await builders.assign(cm, sites=[(await builders.site(region.id)).id])
    assert await anomalies.list_anomalies(builders.principal(cm), status=None) == []
    assert meter_id and site_id


async def test_the_page_says_the_evidence_in_the_readers_language(make_client) -> None:
    """The scan stores its evidence in its own (English) words; a German reader's page
    renders it from the figures: German words, a decimal comma, m³ (not "m3")."""
    await _water_site(leak_nights=1)
    created = await anomalies.scan(now=datetime(2025, 6, 21, 6, 30, tzinfo=UTC))
    assert len(created) == 1
    german = await builders.user(Role.admin, locale="de")
    page = await (await builders.browser_session(make_client, german)).get(
        "/sustainability/anomalies"
    )
    assert page.status_code == 200
    assert "fiel der Wasserdurchfluss nie unter 0,060 m³/h" in page.text
    assert "never fell below" not in page.text


def test_evidence_in_english_formats_the_figures() -> None:
    said = anomalies.evidence("baseload_jump", DAY, 3.5, 2.0, "kWh")
    assert "3.50 kWh/h against a usual 2.00 kWh/h" in said
    assert "20 Jun 2025" in anomalies.evidence("no_data", DAY, None, None, "kWh")


async def test_the_leaks_work_order_is_in_the_installations_language(monkeypatch) -> None:
    """FACILITIES_DEFAULT_LOCALE=de: the nightly scan writes the order in German
    (kit.i18n.in_installation_language)."""
    monkeypatch.setattr(get_settings(), "default_locale", "de")
    _site_id, _meter_id = await _water_site(leak_nights=1)
    [anomaly_id] = await anomalies.scan(now=datetime(2025, 6, 21, 6, 30, tzinfo=UTC))
    row = (await Anomaly.select().where(Anomaly.id == anomaly_id))[0]
    order = (await WorkOrder.select().where(WorkOrder.id == row["work_order"]))[0]
    assert order["title"] == "Nachts fließt Wasser: Water"
    assert "never fell below" not in order["description"]
    assert "Zähler Water" in order["description"], order["description"]

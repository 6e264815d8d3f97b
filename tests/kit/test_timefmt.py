"""The one set of time helpers: site zone, reader's locale, the zone named when it differs."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from facilities.kit import timefmt
from facilities.kit.i18n import using_locale

WINTER = datetime(2026, 12, 9, 9, 0, tzinfo=UTC)  # 10:00 in Berlin, 09:00 in London
SUMMER = datetime(2026, 7, 1, 22, 30, tzinfo=UTC)  # 00:30 next day in Berlin


def test_site_zone_and_locale() -> None:
    with using_locale("en"):
        assert timefmt.format_datetime(WINTER, "Europe/Berlin") == "9 Dec 2026, 10:00"
    with using_locale("de"):
        assert timefmt.format_datetime(WINTER, "Europe/Berlin") == "09.12.2026, 10:00"
        assert timefmt.format_datetime(WINTER, "Europe/Berlin", "short") == "09.12.26, 10:00"


def test_no_zone_means_the_readers_zone_not_utc() -> None:
    # The defect: the list printed UTC ("09:00:00") while the page said 10:00.
    with using_locale("en"):
        assert timefmt.format_datetime(WINTER) == "9 Dec 2026, 10:00"
        assert timefmt.format_time(WINTER) == "10:00"


def test_zone_named_when_it_differs_from_the_readers() -> None:
    with using_locale("en"):
        assert timefmt.format_datetime(WINTER, "Europe/London") == (
            "9 Dec 2026, 09:00 (Europe/London)"
        )
        assert timefmt.format_time(WINTER, "Europe/London") == "09:00 (Europe/London)"
        # Same offset as the reader's zone at that instant: no label needed.
        assert timefmt.format_datetime(WINTER, "Europe/Paris") == "9 Dec 2026, 10:00"


def test_local_date_of_an_instant() -> None:
    with using_locale("de"):
        assert timefmt.format_date(SUMMER, "Europe/Berlin") == "02.07.2026"
        assert timefmt.format_date(date(2026, 7, 1)) == "01.07.2026"


def test_relative_in_both_languages() -> None:
    now = WINTER
    with using_locale("en"):
        assert timefmt.format_relative(now + timedelta(hours=2), now) == "in 2 hours"
        assert timefmt.format_relative(now - timedelta(days=3), now) == "3 days ago"
        assert timefmt.format_relative(now, now) == "just now"
    with using_locale("de"):
        assert timefmt.format_relative(now + timedelta(hours=2), now) == "in 2 Stunden"


def test_naive_is_utc_and_inputs_and_exports() -> None:
    naive = WINTER.replace(tzinfo=None)
    assert timefmt.to_local(naive, "Europe/Berlin").hour == 10
    assert timefmt.local_input(WINTER, "Europe/Berlin") == "2026-12-09T10:00"
    assert timefmt.iso(WINTER.astimezone(timefmt.zone("Europe/Berlin"))) == (
        "2026-12-09T09:00:00+00:00"
    )
    assert timefmt.format_datetime(None) == ""


def test_locale_dependent_filters_are_never_folded_at_compile_time() -> None:
    from facilities.kit.templating import make_environment

    env = make_environment([])
    template = env.from_string(
        "{{ 2000|number }} {{ _('At most %(n)s characters.', n=2000|number) }}"
    )
    with using_locale("en"):
        assert template.render() == "2,000 At most 2,000 characters."
    with using_locale("de"):  # the same compiled template, another reader
        assert template.render() == "2.000 Höchstens 2.000 Zeichen."


def test_date_filter_takes_a_width_in_place_of_the_zone() -> None:
    with using_locale("de"):
        assert timefmt.format_date(date(2027, 3, 10), "full") == "Mittwoch, 10. März 2027"
        assert timefmt.format_date(date(2027, 3, 10), "EEE, d. MMM") == "Mi., 10. März"


def test_durations_in_the_readers_language() -> None:
    """A German page said "1d 16h", "bisher 1m" (the SLA panel, the device's outages, the home
    page's devices down): the units are the reader's words."""
    with using_locale("en"):
        assert [timefmt.duration(m) for m in (0, 45, 125, 2398, -61, None)] == [
            "0m",
            "45m",
            "2h 5m",
            "1d 15h 58m",
            "-1h 1m",
            "–",
        ]
    with using_locale("de"):
        assert [timefmt.duration(m) for m in (0, 45, 125, 2398)] == [
            "0 Min.",
            "45 Min.",
            "2 Std. 5 Min.",
            "1 Tg. 15 Std. 58 Min.",
        ]

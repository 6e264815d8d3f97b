"""The SLA clock: pure functions of an order's history, its site's calendar and a policy.

No database and no "now" of its own: everything comes in as arguments, so the rules are
unit-tested case by case (``tests/services/sla/test_clock.py``).

Rules (also in ``docs/kpis.md``):

* Every target's clock starts when the order is **created** and stops when its event first
  happens: ``response`` → the first ``accept`` or ``start`` (starting implies accepting),
  ``attendance`` → the first ``start``, ``resolution`` → ``complete``.
* **Counted time** is business time (the site's opening hours in its own time zone, minus
  public holidays and closure days) or every minute (24/7), per policy.
* **Pauses**: while the order is on hold for a reason the policy names (``parts``, ``access``,
  ``other``), no target's clock runs. The reason is the head of the hold event's note
  (``"parts: waiting for the pump"``); the order's current ``hold_reason`` fills in for an
  ongoing hold whose note says nothing; otherwise ``other``.
* **Reopen**: the resolution clock stops at ``complete`` and resumes at ``reopen``, counting
  the time used before (the gap between the two does not count); the order's last
  ``complete`` is the one that meets or misses the target. Response and attendance are
  met once and stay met.
* **Cancel** stops every clock that has not been met (state ``stopped``, no outcome).
* The **deadline** (``due_at``) is the moment the counted time reaches the target, assuming
  the clock runs from now on (an ongoing pause resumes now). **Elapsed** is the counted time
  up to now (or to the achievement); **remaining** = target − elapsed (negative = overrun).
* **State**: met / breached once achieved (achieved within the target or not); otherwise
  stopped (cancelled), breached (elapsed ≥ target), paused (on a pausing hold), at_risk
  (elapsed ≥ ``at_risk_ratio`` × target, 0.8 by default) or running.
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from facilities.maintenance.lifecycle import HoldReason
from facilities.services.sla.enums import ClockState, Target
from facilities.sites.enums import WEEKDAYS

MAX_DAYS = 1500  # business time is looked for at most this far ahead (no hours → no due)

Interval = tuple[datetime, datetime]
_REASONS = frozenset(r.value for r in HoldReason)
_ENDS_HOLD = frozenset({"resume", "complete", "cancel", "reopen"})
_DAY = timedelta(days=1)


class Timeline:
    """Counted time as a monotone function: ``cum(t)`` = counted seconds up to the POSIX time
    ``t`` (from an arbitrary origin), ``at(c)`` = the first moment the count reaches ``c``.
    This one counts every second (24/7)."""

    def prepare(self, first: datetime, last: datetime) -> None:
        """Make ``cum`` exact for every moment in [first, last]."""

    def cum(self, t: float) -> float:
        return t

    def at(self, c: float) -> float | None:
        return c


ALWAYS = Timeline()


@dataclass(slots=True)
class BusinessCalendar(Timeline):
    """A site's business time: weekly opening hours (site-local wall clock, ``"24:00"``
    allowed as an end) and closed days (public holidays and closure days), in its time zone.
    Build it with ``facilities.services.sla.queries.calendars`` (public holidays from
    ``facilities.sites.calendar``). Each day's intervals are computed once; the open
    intervals of the days in use are kept as sorted POSIX times with prefix sums, so counted
    time between two moments and the moment a count is reached are binary searches."""

    time_zone: str
    opening_hours: Mapping[str, Sequence[Sequence[str]]]
    closed_days: frozenset[date] = frozenset()
    _days: dict[date, tuple[Interval, ...]] = field(default_factory=dict, repr=False)
    _first: date | None = field(default=None, repr=False)
    _last: date | None = field(default=None, repr=False)
    _starts: list[float] = field(default_factory=list, repr=False)
    _ends: list[float] = field(default_factory=list, repr=False)
    _before: list[float] = field(default_factory=list, repr=False)  # counted before interval i
    _through: list[float] = field(default_factory=list, repr=False)  # … through its end

    def intervals_on(self, day: date) -> tuple[Interval, ...]:
        """The open intervals of a site-local day, as aware UTC datetimes."""
        cached = self._days.get(day)
        if cached is not None:
            return cached
        result: list[Interval] = []
        if day not in self.closed_days:
            zone = ZoneInfo(self.time_zone)
            for start, end in self.opening_hours.get(WEEKDAYS[day.weekday()], []):
                opens = datetime.combine(day, time.fromisoformat(start), zone)
                if end == "24:00":
                    closes = datetime.combine(day + _DAY, time(0), zone)
                else:
                    closes = datetime.combine(day, time.fromisoformat(end), zone)
                opens_utc, closes_utc = opens.astimezone(UTC), closes.astimezone(UTC)
                if closes_utc > opens_utc:
                    result.append((opens_utc, closes_utc))
        cached = tuple(result)
        self._days[day] = cached
        return cached

    def _build(self, first: date, last: date) -> None:
        self._first, self._last = first, last
        self._starts, self._ends, self._before, self._through = [], [], [], []
        counted = 0.0
        day = first
        while day <= last:
            for opens, closes in self.intervals_on(day):
                a, b = opens.timestamp(), closes.timestamp()
                self._starts.append(a)
                self._ends.append(b)
                self._before.append(counted)
                counted += b - a
                self._through.append(counted)
            day += _DAY

    def prepare(self, first: datetime, last: datetime) -> None:
        zone = ZoneInfo(self.time_zone)
        lo = first.astimezone(zone).date() - _DAY
        hi = last.astimezone(zone).date() + _DAY
        if self._first is not None and self._last is not None:
            if self._first <= lo and hi <= self._last:
                return
            lo, hi = min(lo, self._first), max(hi, self._last)
        self._build(lo, hi + timedelta(days=31))  # a month ahead for the deadlines

    def cum(self, t: float) -> float:
        index = bisect_right(self._starts, t) - 1
        if index < 0:
            return 0.0
        return self._before[index] + min(t, self._ends[index]) - self._starts[index]

    def at(self, c: float) -> float | None:
        while True:
            index = bisect_left(self._through, c)
            if index < len(self._through):
                return self._starts[index] + max(0.0, c - self._before[index])
            if self._first is None or self._last is None:
                return None
            if (self._last - self._first).days > MAX_DAYS:
                return None
            self._build(self._first, self._last + timedelta(days=366))


@dataclass(frozen=True, slots=True)
class OrderEvent:
    """One ``work_order_event``: its action, time and note."""

    action: str
    at: datetime
    note: str = ""


@dataclass(frozen=True, slots=True)
class Terms:
    """The parts of an SLA policy the clock needs (minutes; ``None`` = no such target)."""

    targets: Mapping[Target, int | None]
    business_hours: bool = True
    pause_reasons: frozenset[str] = frozenset()
    overrun_percent: int = 50  # level 3 when elapsed ≥ target × (1 + overrun / 100)
    policy_id: int | None = None


@dataclass(frozen=True, slots=True)
class TargetClock:
    target: Target
    minutes: int
    due_at: datetime | None
    achieved_at: datetime | None
    elapsed: timedelta
    remaining: timedelta
    used: float  # elapsed / target
    paused: tuple[Interval, ...]
    state: ClockState

    @property
    def elapsed_minutes(self) -> int:
        return int(self.elapsed.total_seconds() // 60)

    @property
    def remaining_minutes(self) -> int:
        seconds = self.remaining.total_seconds()
        return int(seconds // 60) if seconds >= 0 else -int(-seconds // 60)


def hold_reason_of(note: str, fallback: str = "") -> str:
    """``"parts: waiting for the pump"`` → ``parts``; else ``fallback`` or ``other``."""
    head = note.split(":", 1)[0].strip().lower()
    if head in _REASONS:
        return head
    return fallback if fallback in _REASONS else HoldReason.other.value


def merge(intervals: Iterable[Interval]) -> list[Interval]:
    result: list[Interval] = []
    for start, end in sorted(i for i in intervals if i[1] > i[0]):
        if result and start <= result[-1][1]:
            if end > result[-1][1]:
                result[-1] = (result[-1][0], end)
        else:
            result.append((start, end))
    return result


def pauses(
    events: Sequence[OrderEvent], reasons: frozenset[str], hold_reason: str, now: datetime
) -> tuple[list[Interval], bool]:
    """Intervals on hold for one of ``reasons`` (an ongoing one ends at ``now``), and whether
    the order is paused now."""
    result: list[Interval] = []
    since: datetime | None = None
    last_hold = max((i for i, e in enumerate(events) if e.action == "hold"), default=-1)
    for index, event in enumerate(events):
        if event.action == "hold":
            fallback = hold_reason if index == last_hold else ""
            if since is None and hold_reason_of(event.note, fallback) in reasons:
                since = event.at
        elif since is not None and event.action in _ENDS_HOLD:
            result.append((since, event.at))
            since = None
    ongoing = since is not None
    if since is not None and now > since:
        result.append((since, now))
    return result, ongoing


def compute(
    *,
    created_at: datetime,
    events: Sequence[OrderEvent],
    terms: Terms,
    calendar: BusinessCalendar | None,
    now: datetime,
    hold_reason: str = "",
    at_risk_ratio: float = 0.8,
) -> list[TargetClock]:
    """The clock of every target the policy sets, in the order response, attendance,
    resolution. ``calendar`` is ignored for a 24/7 policy."""
    ordered = sorted(events, key=lambda e: e.at)
    cal = calendar if terms.business_hours else None
    paused, paused_now = pauses(ordered, terms.pause_reasons, hold_reason, now)
    accepted = next((e.at for e in ordered if e.action in ("accept", "start")), None)
    started = next((e.at for e in ordered if e.action == "start"), None)
    cancelled = next((e.at for e in ordered if e.action == "cancel"), None)
    completed: datetime | None = None
    gaps: list[Interval] = []
    for event in ordered:
        if event.action == "complete":
            completed = event.at
        elif event.action == "reopen" and completed is not None:
            gaps.append((completed, event.at))
            completed = None
    achieved_by = {
        Target.response: accepted,
        Target.attendance: started,
        Target.resolution: completed,
    }
    timeline: Timeline = cal if cal is not None else ALWAYS
    timeline.prepare(created_at, max(now, created_at))
    origin = created_at.timestamp()
    base = timeline.cum(origin)

    def clipped(intervals: list[Interval]) -> list[tuple[float, float]]:
        spans = ((x.timestamp(), y.timestamp()) for x, y in merge(intervals))
        return [(max(a, origin), b) for a, b in spans if b > origin]

    on_hold = clipped(paused)
    with_gaps = clipped(paused + gaps) if gaps else on_hold
    clocks: list[TargetClock] = []
    for target in Target:
        minutes = terms.targets.get(target)
        if not minutes:
            continue
        achieved = achieved_by[target]
        exclusions = with_gaps if target is Target.resolution else on_hold
        stop = max(achieved or cancelled or now, created_at).timestamp()
        allowed = float(minutes * 60)
        counted = timeline.cum(stop) - base
        for a, b in exclusions:
            if a >= stop:
                break
            counted -= timeline.cum(min(b, stop)) - timeline.cum(a)
        due: float | None = None
        used_before, cursor = 0.0, origin
        for a, b in exclusions:
            piece = timeline.cum(a) - timeline.cum(cursor)
            if used_before + piece >= allowed:
                break
            used_before += piece
            cursor = max(cursor, b)
        due = timeline.at(timeline.cum(cursor) + allowed - used_before)
        elapsed = timedelta(seconds=round(counted, 6))
        limit = timedelta(minutes=minutes)
        used = counted / allowed
        if achieved is not None:
            state = ClockState.met if elapsed <= limit else ClockState.breached
        elif cancelled is not None:
            state = ClockState.stopped
        elif elapsed >= limit:
            state = ClockState.breached
        elif paused_now:
            state = ClockState.paused
        elif used >= at_risk_ratio:
            state = ClockState.at_risk
        else:
            state = ClockState.running
        stop_at = datetime.fromtimestamp(stop, UTC)
        clocks.append(
            TargetClock(
                target=target,
                minutes=minutes,
                due_at=datetime.fromtimestamp(due, UTC) if due is not None else None,
                achieved_at=achieved,
                elapsed=elapsed,
                remaining=limit - elapsed,
                used=used,
                paused=tuple(
                    (datetime.fromtimestamp(a, UTC), min(datetime.fromtimestamp(b, UTC), stop_at))
                    for a, b in exclusions
                    if a < stop
                ),
                state=state,
            )
        )
    return clocks


def due_level(clock: TargetClock, overrun_percent: int) -> int:
    """The escalation level a clock calls for now: 0 none, 1 at risk (assignee),
    2 breached (community manager), 3 breached by ``overrun_percent`` % more of the target
    (ops manager). Met, stopped and paused-but-not-breached clocks call for none."""
    if clock.achieved_at is not None or clock.state is ClockState.stopped:
        return 0
    if clock.used >= 1 + overrun_percent / 100:
        return 3
    if clock.state is ClockState.breached:
        return 2
    if clock.state is ClockState.at_risk:
        return 1
    return 0

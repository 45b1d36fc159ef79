"""The city's calendar configuration (issue 3, point 1) and the answer for a full window (point 2).

Worked examples run on the real adapters (a SQLite file and a throw-away PostgreSQL database), so the
tables, their checks and the cache are what is tested; the properties run on in-memory ports, so
hypothesis can try thousands of weeks, day-offs and absences, across both daylight-saving changes.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import holidays
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sqlalchemy import Engine
from sqlalchemy.exc import IntegrityError

from domain.availability import (
    AFTER_WINDOW_HORIZON,
    DEFAULT_DAILY_CAP,
    OfferedSlot,
    first_slots_after_window,
    offered_slots,
    slot_refusal,
)
from domain.calendar import (
    DEFAULT_HOURS,
    BusyIndex,
    CityCalendar,
    Hours,
    Interval,
    booking_window,
    days_at_cap,
    free_slots,
    slot_problem,
    weekly_hours,
)
from domain.models import Booking, DepartmentInfo, FileInfo, Level, Policy, Role, StaffMember
from store.bookings import SqlBookingLedger
from store.calendar import SqlCalendarSource
from store.staff import SqlStaffDirectory
from store.tables import Absence, CityDayOff, DepartmentHours, StaffHours
from tests.db_fixtures import add_rows, add_urbanism
from tests.samples import file_info, staff_member

TZ = ZoneInfo("Europe/Bucharest")
CAL = CityCalendar()
POLICY = Policy()
SLOT = timedelta(minutes=15)
RO_HOLIDAYS = holidays.country_holidays("RO", years=range(2024, 2031))
MONDAY, TUESDAY, WEDNESDAY, THURSDAY = (date(2026, 3, d) for d in (9, 10, 11, 12))


def local(day: date, hour: int, minute: int = 0) -> datetime:
    return datetime.combine(day, time(hour, minute), tzinfo=TZ)


def as_local(instant: datetime) -> datetime:
    return instant.astimezone(TZ)


# Monday 9 March 2026, 09:00: two working hours of notice (11:00), 48 h to Wednesday 09:00.
REQUESTED = local(MONDAY, 9)


def file_of(handler: str) -> FileInfo:
    return file_info(last_handler_id=handler)


# --- pure rules ------------------------------------------------------------------------------------


def test_weekly_hours_layers_replace_only_the_weekdays_they_name() -> None:
    department = {1: (time(10, 0), time(18, 0)), 4: None}
    own = {1: (time(12, 0), time(14, 0)), 5: (time(9, 0), time(12, 0))}
    week = weekly_hours(DEFAULT_HOURS, department, own)
    assert week[0] == DEFAULT_HOURS[0] and week[2] == DEFAULT_HOURS[2]
    assert week[1] == (time(12, 0), time(14, 0))  # the person's row wins over the department's
    assert 4 not in week  # the department closes Fridays
    assert week[5] == (time(9, 0), time(12, 0))  # a Saturday surgery
    assert weekly_hours(DEFAULT_HOURS) == dict(DEFAULT_HOURS)
    with pytest.raises(ValueError, match="not before"):
        weekly_hours(DEFAULT_HOURS, {0: (time(12, 0), time(12, 0))})
    with pytest.raises(ValueError, match="weekday"):
        weekly_hours(DEFAULT_HOURS, {7: (time(8, 0), time(9, 0))})


def test_a_person_calendar_keeps_the_city_days_off_and_holidays() -> None:
    city = CAL.with_days_off([TUESDAY])
    mine = city.with_hours({d: (time(8, 0), time(20, 0)) for d in range(7)})
    assert not mine.is_working_day(TUESDAY)
    assert not mine.is_working_day(date(2026, 4, 13))  # Easter Monday, whatever the hours
    assert mine.is_working_day(date(2026, 3, 14))  # they work Saturdays; the city does not
    assert not city.is_working_day(date(2026, 3, 14))
    assert city.with_days_off([TUESDAY]) is city


def test_busy_index_answers_like_a_scan() -> None:
    busy = [
        (local(MONDAY, 9), local(MONDAY, 9, 15)),
        (local(MONDAY, 9, 5), local(MONDAY, 9, 40)),
        (local(MONDAY, 12), local(MONDAY, 13)),
    ]
    index = BusyIndex(busy)
    start = local(MONDAY, 8)
    while start < local(MONDAY, 14):
        end = start + SLOT
        assert index.overlaps(start, end) == any(a < end and start < b for a, b in busy), start
        start += timedelta(minutes=5)


def test_days_at_cap_counts_local_days_and_can_leave_one_slot_out() -> None:
    late = local(MONDAY, 23, 30)  # 21:30 UTC Monday, still Monday in Bucharest
    held = [(local(MONDAY, h), local(MONDAY, h, 15)) for h in (9, 10, 11, 12)] + [(late, late + SLOT)]
    assert days_at_cap(CAL, held, 5) == {MONDAY}
    assert days_at_cap(CAL, held, 6) == set()
    assert days_at_cap(CAL, held, 5, ignore_start=local(MONDAY, 10)) == set()


def test_slot_problem_reports_the_daily_cap_last() -> None:
    window = booking_window(CAL, REQUESTED, POLICY)
    assert slot_problem(CAL, local(TUESDAY, 10), window, SLOT, full_days={TUESDAY}) == "slot_daily_cap"
    assert slot_problem(CAL, local(TUESDAY, 10), window, SLOT) is None
    tuesday_absent = slot_problem(CAL, local(TUESDAY, 10), window, SLOT, [TUESDAY], {TUESDAY})
    assert tuesday_absent == "slot_person_absent"
    assert slot_problem(CAL, local(TUESDAY, 10, 5), window, SLOT, (), {TUESDAY}) == "slot_outside_hours"


# --- the real adapters -----------------------------------------------------------------------------


@pytest.fixture
def engine(engine: Engine) -> Engine:
    """The conftest's empty schema with the small city of `add_urbanism` and no configuration yet."""
    add_urbanism(engine)
    return engine


SlotSearch = tuple[SqlStaffDirectory, SqlBookingLedger, CityCalendar, FileInfo, Level, datetime, Policy]


@dataclass
class City:
    engine: Engine
    staff: SqlStaffDirectory
    ledger: SqlBookingLedger
    source: SqlCalendarSource

    def search(self, handler: str = "c1", level: Level = Level.CLERK) -> SlotSearch:
        """The arguments every slot search takes, for `handler`'s file at `level`."""
        return (self.staff, self.ledger, CAL, file_of(handler), level, REQUESTED, POLICY)

    def offered(self, handler: str = "c1", level: Level = Level.CLERK) -> list[tuple[str | None, datetime]]:
        slots = offered_slots(*self.search(handler, level), calendar_source=self.source)
        return [(s.staff.id if s.staff else None, as_local(s.start)) for s in slots]

    def after_window(self, count: int = 10) -> list[OfferedSlot]:
        """The first `count` slots after c1's window, as a citizen whose window is full is offered them."""
        return first_slots_after_window(*self.search(), count=count, calendar_source=self.source)

    def refusal(self, staff_id: str, start: datetime, **extra: bool) -> str | None:
        person = self.staff.get(staff_id)
        assert person is not None
        return slot_refusal(
            self.staff,
            CAL,
            person,
            start,
            REQUESTED,
            POLICY,
            bookings=self.ledger,
            calendar_source=self.source,
            **extra,
        )

    def book(self, staff_id: str, start: datetime, ticket: str) -> None:
        self.ledger.reserve(
            ticket_id=ticket, level=0, staff_id=staff_id, start=start, end=start + SLOT, at=REQUESTED
        )


@pytest.fixture
def city(engine: Engine) -> City:
    return City(engine, SqlStaffDirectory(engine), SqlBookingLedger(engine), SqlCalendarSource(engine, ttl=0))


def _times(slots: list[tuple[str | None, datetime]], day: date) -> list[time]:
    return [start.time() for _, start in slots if start.date() == day]


def _grid(opens: time, closes: time) -> list[time]:
    out, cursor = [], datetime.combine(MONDAY, opens)
    while cursor + SLOT <= datetime.combine(MONDAY, closes):
        out.append(cursor.time())
        cursor += SLOT
    return out


def test_without_configuration_the_r4_defaults_apply(city: City) -> None:
    slots = city.offered()
    assert _times(slots, MONDAY) == _grid(time(11, 0), time(16, 30))
    assert _times(slots, TUESDAY) == _grid(time(8, 30), time(16, 30))
    assert _times(slots, WEDNESDAY) == [time(8, 30), time(8, 45)]
    assert {who for who, _ in slots} == {"c1"}
    # …and the same list as a caller that passes no source at all (the API before the wiring).
    plain = offered_slots(*city.search())
    assert [(s.staff.id if s.staff else None, as_local(s.start)) for s in plain] == slots


def test_personal_hours_override_the_department_and_change_the_offer(city: City) -> None:
    add_rows(
        city.engine,
        DepartmentHours(department_id="urbanism", weekday=1, opens=time(10, 0), closes=time(18, 0)),
        StaffHours(staff_id="c1", weekday=0, opens=time(13, 0), closes=time(15, 0)),
    )
    slots = city.offered()
    assert _times(slots, MONDAY) == _grid(time(13, 0), time(15, 0))  # their own Monday
    assert _times(slots, TUESDAY) == _grid(time(10, 0), time(18, 0))  # the department's Tuesday
    assert city.refusal("c1", local(MONDAY, 12)) == "slot_outside_hours"
    assert city.refusal("c1", local(MONDAY, 13)) is None
    assert city.refusal("c1", local(TUESDAY, 17, 45)) is None
    assert city.refusal("c2", local(MONDAY, 12)) is None  # a colleague keeps the R4 hours
    for _, start in slots:
        assert city.refusal("c1", start) is None  # a slot that is shown is one that can be booked


def test_a_closed_weekday_offers_nothing_that_day(city: City) -> None:
    add_rows(city.engine, StaffHours(staff_id="c1", weekday=1, opens=None, closes=None))
    slots = city.offered()
    assert _times(slots, TUESDAY) == []
    assert _times(slots, MONDAY) and _times(slots, WEDNESDAY)
    # The city hall is open; the person is not: the citizen is told so, not "public holiday".
    assert city.refusal("c1", local(TUESDAY, 10)) == "slot_person_absent"
    assert city.refusal("c2", local(TUESDAY, 10)) is None


def test_a_city_day_off_removes_the_day_and_pauses_the_window(city: City) -> None:
    add_rows(city.engine, CityDayOff(day=TUESDAY, reason="Zi liberă declarată de Consiliul Local"))
    slots = city.offered()
    assert _times(slots, TUESDAY) == []
    # Tuesday is not a working day, so the 48 hours run on: Monday 15 h + Wednesday 24 h + Thursday 9 h.
    assert _times(slots, WEDNESDAY) == _grid(time(8, 30), time(16, 30))
    assert _times(slots, THURSDAY) == [time(8, 30), time(8, 45)]
    assert city.refusal("c1", local(TUESDAY, 10)) == "slot_day_off"


def test_the_source_caches_until_refresh_or_ttl(engine: Engine) -> None:
    now = [0.0]
    source = SqlCalendarSource(engine, ttl=60, monotonic=lambda: now[0])
    assert source.extra_days_off() == frozenset()
    assert source.hours_for("c1", "urbanism") == DEFAULT_HOURS
    add_rows(
        engine,
        CityDayOff(day=TUESDAY, reason="punte"),
        StaffHours(staff_id="c1", weekday=4, opens=None, closes=None),
    )
    assert source.extra_days_off() == frozenset()  # still the cached tables
    now[0] = 61.0
    assert source.extra_days_off() == {TUESDAY}
    assert 4 not in source.hours_for("c1", "urbanism") and 4 in source.hours_for("c2", "urbanism")
    add_rows(engine, StaffHours(staff_id="c2", weekday=4, opens=time(8, 30), closes=time(12, 0)))
    source.refresh()
    assert source.hours_for("c2", "urbanism")[4] == (time(8, 30), time(12, 0))
    assert source.hours_for(None, "urbanism") == DEFAULT_HOURS  # the department's week


@pytest.mark.parametrize(
    ("opens", "closes", "weekday"),
    [(time(12, 0), time(9, 0), 0), (time(9, 0), None, 0), (time(9, 0), time(12, 0), 7)],
)
def test_the_tables_refuse_a_broken_week(
    engine: Engine, opens: time, closes: time | None, weekday: int
) -> None:
    with pytest.raises(IntegrityError):
        add_rows(engine, StaffHours(staff_id="c1", weekday=weekday, opens=opens, closes=closes))
    with pytest.raises(IntegrityError):
        add_rows(
            engine, DepartmentHours(department_id="urbanism", weekday=weekday, opens=opens, closes=closes)
        )


def test_a_director_at_the_daily_cap_gets_no_slot_that_day(city: City) -> None:
    tuesday = [local(TUESDAY, 9) + i * SLOT for i in range(DEFAULT_DAILY_CAP)]
    for i, start in enumerate(tuesday[:-1]):
        city.book("dir", start, f"esc-{i}")
    four = city.offered(level=Level.DIRECTOR)
    assert {who for who, _ in four} == {"dir"}
    assert len(_times(four, TUESDAY)) == 32 - 4  # below the cap: only the booked slots are gone
    city.book("dir", tuesday[-1], "esc-last")
    five = city.offered(level=Level.DIRECTOR)
    assert _times(five, TUESDAY) == []
    assert _times(five, MONDAY) == _times(four, MONDAY) and _times(five, MONDAY)
    assert city.refusal("dir", local(TUESDAY, 14)) == "slot_daily_cap"
    assert city.refusal("dir", local(MONDAY, 14)) is None
    # A retry of the fifth audience's own booking is not refused by its own row.
    assert city.refusal("dir", tuesday[-1]) is None
    # Clerks have no cap: five of c1's Tuesday slots taken leave the rest on offer.
    for i, start in enumerate(tuesday):
        city.book("c1", start, f"t-{i}")
    assert len(_times(city.offered(), TUESDAY)) == 32 - 5
    assert city.refusal("c1", local(TUESDAY, 14)) is None


def test_the_cap_counts_the_morning_before_the_window_opens(city: City) -> None:
    # Five audiences on Monday morning, before the window opens at 11:00: the afternoon is closed too.
    for i in range(DEFAULT_DAILY_CAP):
        city.book("dir", local(MONDAY, 8, 30) + i * SLOT, f"esc-{i}")
    slots = city.offered(level=Level.DIRECTOR)
    assert _times(slots, MONDAY) == [] and _times(slots, TUESDAY)
    assert city.refusal("dir", local(MONDAY, 14)) == "slot_daily_cap"


def _fill_window(city: City, staff_id: str) -> int:
    slots = city.offered()
    for i, (_, start) in enumerate(slots):
        city.book(staff_id, start, f"fill-{i}")
    return len(slots)


def test_a_full_window_offers_the_first_slots_after_it(city: City) -> None:
    assert _fill_window(city, "c1") == 22 + 32 + 2
    assert city.offered() == []
    after = city.after_window()
    starts = [as_local(s.start) for s in after]
    assert starts == [local(WEDNESDAY, 9) + i * SLOT for i in range(10)]
    assert all(s.staff is not None and s.staff.id == "c1" for s in after)
    _, window_end = booking_window(CAL, REQUESTED, POLICY)
    assert all(s.end > window_end for s in after)
    # Booking one of them needs the citizen's explicit acceptance, which the workflow records.
    assert city.refusal("c1", after[0].start) == "slot_outside_window"
    assert city.refusal("c1", after[0].start, accepted_after_window=True) is None
    beyond = local(date(2026, 4, 15), 10)  # a Wednesday, past the window and the 30-day horizon
    assert beyond > window_end + AFTER_WINDOW_HORIZON
    assert city.refusal("c1", beyond, accepted_after_window=True) == "slot_outside_window"


def test_slots_after_the_window_follow_the_same_rules(city: City) -> None:
    _fill_window(city, "c1")
    add_rows(
        city.engine,
        CityDayOff(day=THURSDAY, reason="punte"),
        StaffHours(staff_id="c1", weekday=2, opens=None, closes=None),  # c1 never on Wednesdays
        Absence(staff_id="c1", first_day=date(2026, 3, 13), last_day=date(2026, 3, 13)),  # Friday: leave
    )
    # The window itself moved (Thursday is off); fill what it now offers too.
    _fill_window(city, "c1")
    after = city.after_window(count=40)
    by_day: dict[date, set[str]] = {}
    for s in after:
        by_day.setdefault(as_local(s.start).date(), set()).add(s.staff.id if s.staff else "-")
    # Friday c1 is on leave, so c2 (the substitute) holds it (R2); Monday c1 is back.
    assert list(by_day) == [date(2026, 3, 13), date(2026, 3, 16)]
    assert by_day == {date(2026, 3, 13): {"c2"}, date(2026, 3, 16): {"c1"}}
    assert len(after) == 40


def test_an_empty_search_returns_nothing(city: City) -> None:
    # Nobody receives citizens on any day: the search gives up at the horizon instead of looping.
    add_rows(
        city.engine,
        *[DepartmentHours(department_id="urbanism", weekday=d, opens=None, closes=None) for d in range(7)],
    )
    assert offered_slots(*city.search(), calendar_source=city.source) == []
    assert first_slots_after_window(*city.search(), calendar_source=city.source) == []


# --- properties: slot generation with personal hours and days off ----------------------------------

instants = st.datetimes(
    min_value=datetime(2025, 1, 1), max_value=datetime(2028, 12, 31, 23, 59, 59), timezones=st.just(UTC)
)
# Fridays before both daylight-saving changes of 2025-2028, so the windows cross them often.
dst_fridays = st.sampled_from(
    [date(2025, 3, 28), date(2025, 10, 24), date(2026, 3, 27), date(2026, 10, 23), date(2027, 3, 26)]
)
near_dst = st.builds(
    lambda day, minutes: (
        datetime.combine(day, time(0), tzinfo=TZ).astimezone(UTC) + timedelta(minutes=minutes)
    ),
    dst_fridays,
    st.integers(0, 4 * 24 * 60),
)
requests = st.one_of(instants, near_dst)
quarter_hours = st.integers(6 * 4, 20 * 4).map(lambda q: time(q // 4, q % 4 * 15))
five_minutes = st.integers(6 * 12, 20 * 12).map(lambda f: time(f // 12, f % 12 * 5))


@st.composite
def hours_pairs(draw: st.DrawFn) -> Hours | None:
    if draw(st.booleans()) and draw(st.booleans()):
        return None  # a closed weekday, a quarter of the time
    moments = st.one_of(quarter_hours, five_minutes)
    a, b = draw(moments), draw(moments)
    return None if a == b else (min(a, b), max(a, b))


weeks = st.dictionaries(st.integers(0, 6), hours_pairs(), max_size=7)
day_offsets = st.lists(st.integers(0, 20), max_size=4)


def _day_set(requested_at: datetime, offsets: list[int]) -> set[date]:
    first = as_local(requested_at).date()
    return {first + timedelta(days=n) for n in offsets}


@settings(max_examples=300, deadline=None)
@given(
    requested_at=requests,
    mode=st.sampled_from(["within", "at_least"]),
    overrides=weeks,
    off=day_offsets,
    absent=day_offsets,
)
def test_person_slots_never_leave_their_hours_the_window_or_the_days_off(
    requested_at: datetime, mode: str, overrides: dict[int, Hours | None], off: list[int], absent: list[int]
) -> None:
    policy = Policy(window_mode=mode)
    city = CAL.with_days_off(_day_set(requested_at, off))
    hours = weekly_hours(DEFAULT_HOURS, overrides)
    mine = city.with_hours(hours)
    window = booking_window(city, requested_at, policy)
    absent_days = _day_set(requested_at, absent)
    slots = free_slots(mine, window, SLOT, (), absent_days)
    expected = []
    day, last = as_local(window[0]).date(), as_local(window[1]).date()
    while day <= last:  # the same rules, from the wall clock: no shared code with the calendar
        if day.weekday() in hours and day not in RO_HOLIDAYS and day not in city.extra_days_off:
            opens, closes = hours[day.weekday()]
            cursor = datetime.combine(day, opens)
            while cursor + SLOT <= datetime.combine(day, closes):
                instant = cursor.replace(tzinfo=TZ).astimezone(UTC)
                if day not in absent_days and window[0] <= instant and instant + SLOT <= window[1]:
                    expected.append(instant)
                cursor += SLOT
        day += timedelta(days=1)
    assert slots == expected
    for slot in slots:
        start, end = as_local(slot), as_local(slot + SLOT)
        assert start.date() == end.date() and start.weekday() in hours
        opens, closes = hours[start.weekday()]
        assert opens <= start.time() and end.time() <= closes
        assert (end - start) == SLOT and end.utcoffset() == start.utcoffset()  # never across a DST jump
        assert start.date() not in RO_HOLIDAYS
        assert start.date() not in city.extra_days_off | absent_days
        assert slot_problem(mine, slot, window, SLOT, absent_days) is None


# In-memory ports for the whole availability path: a handler with a substitute, both with hours of
# their own and random absences, and a director with random audiences (the cap).


def _member(staff_id: str, role: Role = Role.CLERK) -> StaffMember:
    return staff_member(staff_id, role, name=staff_id, email=f"{staff_id}@x.ro")


@dataclass
class MemoryStaff:
    absences: dict[str, set[date]] = field(default_factory=dict)
    people: dict[str, StaffMember] = field(
        default_factory=lambda: {
            p.id: p for p in (_member("c1"), _member("c2"), _member("dir", Role.DIRECTOR))
        }
    )

    def get(self, staff_id: str) -> StaffMember | None:
        return self.people.get(staff_id)

    def by_token(self, token: str) -> StaffMember | None:
        return None

    def department(self, department_id: str) -> DepartmentInfo | None:
        return DepartmentInfo(id="urbanism", name="Urbanism", director_id="dir", deputy_mayor_id=None)

    def mayor(self) -> StaffMember | None:
        return None

    def substitute_of(self, staff_id: str) -> StaffMember | None:
        return self.people["c2"] if staff_id == "c1" else None

    def absent_days(self, staff_id: str, first_day: date, last_day: date) -> set[date]:
        return {d for d in self.absences.get(staff_id, set()) if first_day <= d <= last_day}

    def clerks_of(self, department_id: str) -> list[StaffMember]:
        return [p for p in self.people.values() if p.role == Role.CLERK]


@dataclass
class MemoryLedger:
    rows: dict[str, list[Interval]] = field(default_factory=dict)

    def reserve(self, **_: object) -> Booking:
        raise NotImplementedError

    def release(self, **_: object) -> bool:
        raise NotImplementedError

    def move(self, **_: object) -> Booking:
        raise NotImplementedError

    def busy(self, staff_id: str, start: datetime, end: datetime) -> list[Interval]:
        return sorted((a, b) for a, b in self.rows.get(staff_id, []) if a < end and start < b)


@dataclass
class MemorySource:
    weeks: dict[str, dict[int, Hours | None]]
    days_off: frozenset[date]

    def hours_for(self, staff_id: str | None, department_id: str | None) -> dict[int, Hours]:
        return weekly_hours(DEFAULT_HOURS, self.weeks.get(staff_id or "", {}))

    def extra_days_off(self) -> frozenset[date]:
        return self.days_off


@settings(max_examples=150, deadline=None)
@given(
    requested_at=requests,
    level=st.sampled_from([Level.CLERK, Level.DIRECTOR]),
    c1_week=weeks,
    c2_week=weeks,
    off=day_offsets,
    c1_absent=day_offsets,
    c2_absent=day_offsets,
    audiences=st.lists(st.tuples(st.integers(0, 6), st.integers(0, 31)), max_size=25),
)
def test_every_offered_slot_is_bookable_and_held_by_whoever_is_present(
    requested_at: datetime,
    level: Level,
    c1_week: dict[int, Hours | None],
    c2_week: dict[int, Hours | None],
    off: list[int],
    c1_absent: list[int],
    c2_absent: list[int],
    audiences: list[tuple[int, int]],
) -> None:
    staff = MemoryStaff({"c1": _day_set(requested_at, c1_absent), "c2": _day_set(requested_at, c2_absent)})
    first_day = as_local(requested_at).date()
    held = [
        (
            local(first_day + timedelta(days=d), 8, 30) + q * SLOT,
            local(first_day + timedelta(days=d), 8, 30) + (q + 1) * SLOT,
        )
        for d, q in set(audiences)
    ]
    ledger = MemoryLedger({"dir": held, "c1": held[:3]})
    source = MemorySource({"c1": c1_week, "c2": c2_week}, frozenset(_day_set(requested_at, off)))
    file = file_of("c1")
    offered = offered_slots(staff, ledger, CAL, file, level, requested_at, POLICY, calendar_source=source)
    full = days_at_cap(CAL, held, DEFAULT_DAILY_CAP)
    for slot in offered:
        day = as_local(slot.start).date()
        if slot.staff is None:  # handler and substitute both away: the director picks (R2)
            assert level == Level.CLERK and day in staff.absences["c1"] and day in staff.absences["c2"]
            continue
        if level == Level.CLERK:
            expected = "c1" if day not in staff.absences["c1"] else "c2"
            assert slot.staff.id == expected
        else:
            assert slot.staff.id == "dir" and day not in full
        assert not any(
            a < slot.end and slot.start < b for a, b in ledger.busy(slot.staff.id, slot.start, slot.end)
        )
        refusal = slot_refusal(
            staff, CAL, slot.staff, slot.start, requested_at, POLICY, bookings=ledger, calendar_source=source
        )
        assert refusal is None, (slot, refusal)
    after = first_slots_after_window(
        staff, ledger, CAL, file, level, requested_at, POLICY, calendar_source=source
    )
    window_end = booking_window(CAL.with_days_off(source.days_off), requested_at, POLICY)[1]
    assert len(after) <= 10 and all(s.end > window_end for s in after)
    assert [s.start for s in after] == sorted({s.start for s in after})
    for slot in after:
        if slot.staff is None:  # as above: only a clerk's file whose handler and substitute are away
            day = as_local(slot.start).date()
            assert level == Level.CLERK and day in staff.absences["c1"] and day in staff.absences["c2"]
            continue
        assert (
            slot_refusal(
                staff,
                CAL,
                slot.staff,
                slot.start,
                requested_at,
                POLICY,
                bookings=ledger,
                calendar_source=source,
                accepted_after_window=True,
            )
            is None
        )

"""The daily cap enforced by the database (issue 10, point 4): a director whose Tuesday holds four
audiences has one place left; fifty tickets asking for it at once leave exactly one winner, on
SQLite and PostgreSQL, through the ledger and through the booking activity (new bookings and
reschedules alike). The count is taken under a per-(person, day) lock inside the INSERT's own
transaction, so a read made before it cannot let two last bookings through.
"""

from __future__ import annotations

from collections import Counter
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import Engine
from sqlmodel import col, select
from temporalio.exceptions import ApplicationError

from activities.booking import BookingActivities
from domain import activity_io as io
from domain.availability import DEFAULT_DAILY_CAP, daily_cap_for
from domain.calendar import CityCalendar
from domain.models import Booking, Level, Policy, Role
from domain.ports import DayFull
from store.bookings import SqlBookingLedger
from store.calendar import SqlCalendarSource
from store.db import session_scope
from store.staff import SqlStaffDirectory
from store.tables import BookingRow, Department
from tests.concurrency import race
from tests.db_fixtures import add_rows, staff_row

RACERS = 50
LENGTH = timedelta(minutes=15)
# Tuesday 10 March 2026 in Bucharest (UTC+2): 08:30 local is 06:30 UTC, 32 slots until 16:30.
TUESDAY_OPENS = datetime(2026, 3, 10, 6, 30, tzinfo=UTC)
TUESDAY = [TUESDAY_OPENS + i * LENGTH for i in range(32)]
WEDNESDAY = [start + timedelta(days=1) for start in TUESDAY]
REQUESTED = datetime(2026, 3, 9, 7, 0, tzinfo=UTC)  # Monday 09:00: both days lie in the window
HELD = TUESDAY[:4]  # four audiences already: one place left
FREE = TUESDAY[4:]
RACE_TIMEOUT = 180
LOCAL_TUESDAY = (datetime(2026, 3, 9, 22, 0, tzinfo=UTC), datetime(2026, 3, 10, 22, 0, tzinfo=UTC))


@pytest.fixture
def engine(engine: Engine) -> Engine:
    """The conftest's empty schema with a department, its director (capped) and four of the
    director's Tuesday audiences."""
    add_rows(
        engine, Department(id="urbanism", name="Direcția Urbanism", director_id="dir", deputy_mayor_id=None)
    )
    add_rows(engine, staff_row("dir", Role.DIRECTOR, "urbanism", name="Dan Director"))
    ledger = SqlBookingLedger(engine)
    for i, start in enumerate(HELD):
        ledger.reserve(
            ticket_id=f"held-{i}", level=1, staff_id="dir", start=start, end=start + LENGTH, at=REQUESTED
        )
    return engine


def tuesday_rows(engine: Engine) -> list[BookingRow]:
    with session_scope(engine) as session:
        rows = session.exec(
            select(BookingRow).where(
                BookingRow.staff_id == "dir",
                col(BookingRow.cancelled_at).is_(None),
                col(BookingRow.slot_start) >= LOCAL_TUESDAY[0],
                col(BookingRow.slot_start) < LOCAL_TUESDAY[1],
            )
        )
        return list(rows)


def activities_for(engine: Engine) -> BookingActivities:
    return BookingActivities(
        SqlStaffDirectory(engine),
        SqlBookingLedger(engine),
        CityCalendar(),
        calendar_source=SqlCalendarSource(engine),
    )


def test_50_last_bookings_through_the_ledger_leave_exactly_one_winner(engine: Engine) -> None:
    ledger = SqlBookingLedger(engine)
    director = SqlStaffDirectory(engine).get("dir")
    assert director is not None
    # Fifty different slots of the same local day (from midnight in Bucharest, past the four held):
    # no two racers share a slot, so only the cap can stop them.
    whole_day = [LOCAL_TUESDAY[0] + i * LENGTH for i in range(96)]
    starts = [s for s in whole_day if s not in HELD][:RACERS]
    assert not set(starts) & set(HELD)
    cap = daily_cap_for(CityCalendar(), director, starts[0])
    assert cap is not None and all(cap.day_start <= s < cap.day_end for s in starts)

    def attempt(i: int) -> Booking:
        return ledger.reserve(
            ticket_id=f"race-{i:02d}",
            level=1,
            staff_id="dir",
            start=starts[i],
            end=starts[i] + LENGTH,
            at=REQUESTED,
            cap=cap,
        )

    results = race(RACERS, attempt, timeout=RACE_TIMEOUT)
    winners = [r for r in results if isinstance(r, Booking)]
    losers = [r for r in results if not isinstance(r, Booking)]
    assert len(winners) == 1
    assert len(losers) == RACERS - 1
    assert all(isinstance(r, DayFull) for r in losers), Counter(type(r).__name__ for r in losers)
    assert len(tuesday_rows(engine)) == DEFAULT_DAILY_CAP
    # The winner's retry (a lost reply) is not refused by its own booking.
    winner = next(i for i, r in enumerate(results) if isinstance(r, Booking))
    assert attempt(winner) == winners[0]


def test_50_last_bookings_through_the_activity_leave_one_winner_and_49_slot_daily_cap(engine: Engine) -> None:
    activities = activities_for(engine)
    director = SqlStaffDirectory(engine).get("dir")
    assert director is not None

    def attempt(i: int) -> Booking:
        request = io.ReserveRequest(
            ticket_id=f"wf-{i:02d}",
            level=Level.DIRECTOR,
            staff=director,
            start=FREE[i % len(FREE)],
            requested_at=REQUESTED,
            policy=Policy(),
        )
        return activities.reserve_slot(request)

    results = race(RACERS, attempt, timeout=RACE_TIMEOUT)
    winners = [r for r in results if isinstance(r, Booking)]
    losers = [r for r in results if not isinstance(r, Booking)]
    assert len(winners) == 1
    assert all(isinstance(r, ApplicationError) for r in losers), losers[:3]
    assert Counter(
        (r.message, r.type, r.non_retryable) for r in losers if isinstance(r, ApplicationError)
    ) == {("slot_daily_cap", io.SLOT_UNAVAILABLE, True): RACERS - 1}
    rows = tuesday_rows(engine)
    assert len(rows) == DEFAULT_DAILY_CAP
    assert Counter(row.slot_start for row in rows).most_common(1)[0][1] == 1


def test_50_reschedules_into_the_last_place_leave_one_winner_and_every_old_booking_of_the_losers(
    engine: Engine,
) -> None:
    """`move()` goes through the same rule: fifty tickets holding a Wednesday audience each ask to
    move to Tuesday's last place; one moves, the other 49 keep their Wednesday booking."""
    activities = activities_for(engine)
    ledger = SqlBookingLedger(engine)
    director = SqlStaffDirectory(engine).get("dir")
    assert director is not None
    # Wednesday has 32 slots, so the movers hold bookings across Wednesday and Thursday.
    olds = [*WEDNESDAY, *(s + timedelta(days=1) for s in WEDNESDAY)][:RACERS]
    for i, old in enumerate(olds):
        ledger.reserve(
            ticket_id=f"mv-{i:02d}", level=1, staff_id="dir", start=old, end=old + LENGTH, at=REQUESTED
        )

    def attempt(i: int) -> Booking:
        request = io.ReserveRequest(
            ticket_id=f"mv-{i:02d}",
            level=Level.DIRECTOR,
            staff=director,
            start=FREE[i % len(FREE)],
            requested_at=REQUESTED,
            policy=Policy(),
            replacing=olds[i],
            moved_at=REQUESTED + timedelta(hours=1),
        )
        return activities.reserve_slot(request)

    results = race(RACERS, attempt, timeout=RACE_TIMEOUT)
    winners = [i for i, r in enumerate(results) if isinstance(r, Booking)]
    assert len(winners) == 1
    losers = [r for r in results if not isinstance(r, Booking)]
    assert {r.message for r in losers if isinstance(r, ApplicationError)} == {"slot_daily_cap"}
    assert len([r for r in losers if isinstance(r, ApplicationError)]) == RACERS - 1
    assert len(tuesday_rows(engine)) == DEFAULT_DAILY_CAP
    with session_scope(engine) as session:
        active = {
            row.ticket_id: row.slot_start
            for row in session.exec(select(BookingRow).where(col(BookingRow.cancelled_at).is_(None)))
        }
    for i, old in enumerate(olds):  # the losers keep their old booking, the winner holds Tuesday
        assert active[f"mv-{i:02d}"] == (FREE[i % len(FREE)] if i in winners else old)


def test_a_move_within_a_full_day_is_not_refused_by_the_booking_it_gives_up(engine: Engine) -> None:
    activities = activities_for(engine)
    director = SqlStaffDirectory(engine).get("dir")
    assert director is not None
    SqlBookingLedger(engine).reserve(
        ticket_id="fifth", level=1, staff_id="dir", start=FREE[0], end=FREE[0] + LENGTH, at=REQUESTED
    )
    request = io.ReserveRequest(
        ticket_id="fifth",
        level=Level.DIRECTOR,
        staff=director,
        start=FREE[5],
        requested_at=REQUESTED,
        policy=Policy(),
        replacing=FREE[0],
        moved_at=REQUESTED,
    )
    moved = activities.reserve_slot(request)
    assert moved.start == FREE[5]
    assert sorted(row.slot_start for row in tuesday_rows(engine)) == [*HELD, FREE[5]]

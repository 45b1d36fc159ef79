"""Race-free booking (issue 3, point 3): 200 tickets at once for 10 slots of one clerk, on SQLite and
PostgreSQL. Exactly one ticket wins each slot, every other one is told `SlotTaken` (or, through the
activity, `slot_taken`), and the table holds no slot twice. The database decides, not a prior read.
The last test runs the race end to end, tickets on Temporal through the worker, on each database.
"""

from __future__ import annotations

import asyncio
import uuid
from collections import Counter
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import Engine, func
from sqlmodel import col, select
from temporalio.client import Client
from temporalio.exceptions import ApplicationError

from activities.booking import BookingActivities
from domain import activity_io as io
from domain.calendar import CityCalendar
from domain.models import Booking, Channel, Level, Policy, Role, TicketStatus
from domain.ports import SlotTaken
from store.bookings import SqlBookingLedger
from store.calendar import SqlCalendarSource
from store.db import engine_for, session_scope
from store.staff import SqlStaffDirectory
from store.tables import BookingRow, Department
from tests.concurrency import race
from tests.conftest import Stack, bucharest_today, wait_for_status
from tests.db_fixtures import add_rows, staff_row
from tests.factories import add_file, free_slots
from tests.helpers import rival_ticket

ATTEMPTS = 200
SLOTS = 10
# Tuesday 10 March 2026 from 08:30 in Bucharest (06:30 UTC): ten consecutive slots.
FIRST = datetime(2026, 3, 10, 6, 30, tzinfo=UTC)
LENGTH = timedelta(minutes=15)
STARTS = [FIRST + i * LENGTH for i in range(SLOTS)]
REQUESTED = datetime(2026, 3, 9, 7, 0, tzinfo=UTC)  # Monday 09:00: all ten lie in the window
RACE_TIMEOUT = 180  # seconds for each racer: two hundred of them on a busy machine
RIVALS = 5  # tickets on Temporal for one slot, end to end
RACING_CLERK = "c0151"  # a clerk no other test books, so the slot is free until the rivals start


@pytest.fixture
def engine(engine: Engine) -> Engine:
    """The conftest's empty schema with one department and its one clerk, c1."""
    add_rows(
        engine, Department(id="urbanism", name="Direcția Urbanism", director_id=None, deputy_mayor_id=None)
    )
    add_rows(engine, staff_row("c1", Role.CLERK, "urbanism", name="Ana Pop"))
    return engine


def double_bookings(engine: Engine) -> list[tuple[str, datetime, int]]:
    """Active rows sharing one person's slot: what the unique index must make impossible."""
    with session_scope(engine) as session:
        rows = session.exec(
            select(BookingRow.staff_id, BookingRow.slot_start, func.count())
            .where(col(BookingRow.cancelled_at).is_(None))
            .group_by(col(BookingRow.staff_id), col(BookingRow.slot_start))
            .having(func.count() > 1)
        ).all()
    return [(staff_id, start, count) for staff_id, start, count in rows]


def active_rows(engine: Engine) -> list[BookingRow]:
    with session_scope(engine) as session:
        return list(session.exec(select(BookingRow).where(col(BookingRow.cancelled_at).is_(None))))


def test_200_tickets_for_10_slots_leave_exactly_10_winners(engine: Engine) -> None:
    ledger = SqlBookingLedger(engine)

    def attempt(i: int) -> Booking:
        start = STARTS[i % SLOTS]  # twenty tickets for each slot
        return ledger.reserve(
            ticket_id=f"race-{i:03d}", level=0, staff_id="c1", start=start, end=start + LENGTH, at=REQUESTED
        )

    results = race(ATTEMPTS, attempt, timeout=RACE_TIMEOUT)
    winners = [r for r in results if isinstance(r, Booking)]
    losers = [r for r in results if not isinstance(r, Booking)]
    assert len(winners) == SLOTS
    assert sorted(w.start for w in winners) == STARTS  # one winner per slot
    assert len(losers) == ATTEMPTS - SLOTS
    assert all(isinstance(r, SlotTaken) for r in losers), Counter(type(r).__name__ for r in losers)
    assert all("c1 is already booked at" in str(r) for r in losers)  # told why
    assert double_bookings(engine) == []
    rows = active_rows(engine)
    assert len(rows) == SLOTS
    assert Counter(row.slot_start for row in rows) == Counter(STARTS)
    assert len({row.ticket_id for row in rows}) == SLOTS  # ten different tickets hold them


def test_the_race_through_the_booking_activity_tells_each_loser_slot_taken(engine: Engine) -> None:
    """The same race one level up: the activity re-checks the rules (calendar configuration
    included), then lets the database decide; a loser gets the non-retryable `slot_taken`."""
    activities = BookingActivities(
        SqlStaffDirectory(engine),
        SqlBookingLedger(engine),
        CityCalendar(),
        calendar_source=SqlCalendarSource(engine),
    )
    staff = SqlStaffDirectory(engine).get("c1")
    assert staff is not None

    def attempt(i: int) -> Booking:
        request = io.ReserveRequest(
            ticket_id=f"wf-{i:03d}",
            level=Level.CLERK,
            staff=staff,
            start=STARTS[i % SLOTS],
            requested_at=REQUESTED,
            policy=Policy(),
        )
        return activities.reserve_slot(request)

    results = race(ATTEMPTS, attempt, timeout=RACE_TIMEOUT)
    winners = [r for r in results if isinstance(r, Booking)]
    losers = [r for r in results if not isinstance(r, Booking)]
    assert len(winners) == SLOTS and len({w.start for w in winners}) == SLOTS
    assert all(isinstance(r, ApplicationError) for r in losers), losers[:3]
    assert {(r.message, r.type, r.non_retryable) for r in losers if isinstance(r, ApplicationError)} == {
        ("slot_taken", io.SLOT_UNAVAILABLE, True)
    }
    assert double_bookings(engine) == []
    # A retry of a winner (a lost reply) finds its own booking instead of adding one.
    first = winners[0]
    retry = next(i for i in range(ATTEMPTS) if f"wf-{i:03d}" == _ticket_of(engine, first.booking_id))
    again = attempt(retry)
    assert again == first
    assert len(active_rows(engine)) == SLOTS


def _ticket_of(engine: Engine, booking_id: int) -> str:
    with session_scope(engine) as session:
        row = session.get(BookingRow, booking_id)
        assert row is not None
        return row.ticket_id


def test_a_freed_slot_goes_to_exactly_one_of_the_next_racers(engine: Engine) -> None:
    ledger = SqlBookingLedger(engine)
    ledger.reserve(ticket_id="first", level=0, staff_id="c1", start=FIRST, end=FIRST + LENGTH, at=REQUESTED)
    assert ledger.release(ticket_id="first", level=0, at=REQUESTED)

    def attempt(i: int) -> Booking:
        return ledger.reserve(
            ticket_id=f"next-{i}", level=0, staff_id="c1", start=FIRST, end=FIRST + LENGTH, at=REQUESTED
        )

    results = race(50, attempt, timeout=RACE_TIMEOUT)
    assert sum(isinstance(r, Booking) for r in results) == 1
    assert all(isinstance(r, (Booking, SlotTaken)) for r in results)
    assert double_bookings(engine) == []


async def test_tickets_on_temporal_racing_for_one_slot_leave_one_booked(stack: Stack, client: Client) -> None:
    """`RIVALS` tickets of one clerk's files started at once for the same offered slot, straight on
    Temporal (no API check in the way): the workers' booking activities race on the database, one
    ticket is scheduled, every other one waits for its citizen to choose again, told `slot_taken`."""
    offered = await free_slots(
        stack.api, add_file(stack.database_url, bucharest_today(), handler_id=RACING_CLERK)
    )
    start = datetime.fromisoformat(offered[0]["start"])
    run = uuid.uuid4().hex[:6]
    rivals = await asyncio.gather(
        *(
            rival_ticket(
                client,
                stack.settings,
                stack.database_url,
                RACING_CLERK,
                start,
                f"t-race{run}{i}",
                f"rival-{run}-{i}@example.ro",
                Channel.PHONE,
            )
            for i in range(RIVALS)
        )
    )
    views = await asyncio.gather(
        *(wait_for_status(handle, TicketStatus.SCHEDULED, TicketStatus.AWAITING_SLOT) for _, handle in rivals)
    )
    winners = [v for v in views if v.status == TicketStatus.SCHEDULED]
    losers = [v for v in views if v.status == TicketStatus.AWAITING_SLOT]
    assert len(winners) == 1 and len(losers) == RIVALS - 1, Counter(v.status for v in views)
    assert winners[0].slot_start == start
    assert all(any("slot_taken" in e.detail for e in v.timeline) for v in losers)
    with session_scope(engine_for(stack.database_url)) as session:
        held = session.exec(
            select(BookingRow).where(
                BookingRow.staff_id == RACING_CLERK,
                BookingRow.slot_start == start,
                col(BookingRow.cancelled_at).is_(None),
            )
        ).all()
    assert [row.ticket_id for row in held] == [winners[0].ticket_id], "one active booking of the slot"

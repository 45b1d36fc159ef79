"""The booking ledger: who holds which 15-minute slot of which person.

Double booking is made impossible by the partial unique indexes on `bookings` (one active row per
staff/slot, one per ticket/level), not by reading first: two workers racing for the same slot both
INSERT and the database lets exactly one through. The loser then looks at what is there, in a fresh
session, because on PostgreSQL the failed INSERT has aborted its transaction.

The daily cap of directors and above (a count, which no index can express) is made race-free by
serialising the bookings of one person's day: on PostgreSQL a transaction-scoped advisory lock
keyed by (staff id, day), on SQLite `BEGIN IMMEDIATE` (one writer at a time); inside that lock the
day is counted and the row inserted in the same transaction. No schema change is needed.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import and_, func, not_, text, update
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

from domain.models import Booking
from domain.ports import DailyCap, DayFull, SlotTaken
from store.db import Scoped, session_scope
from store.tables import BookingRow

# A conflicting row can be released between our failed INSERT and the look-up that explains it;
# then the slot is free again and we simply try once more. Three rounds cover any honest race.
_ATTEMPTS = 3


def _refuse_if_held(session: Session, staff_id: str, start: datetime) -> None:
    """`SlotTaken` when someone holds `staff_id`'s slot at `start`: the unique index refused us."""
    holder = session.exec(
        select(BookingRow.id).where(
            BookingRow.staff_id == staff_id,
            BookingRow.slot_start == start,
            col(BookingRow.cancelled_at).is_(None),
        )
    ).first()
    if holder is not None:
        raise SlotTaken(f"{staff_id} is already booked at {start.isoformat()}")


def _lock_day(session: Session, staff_id: str, day_start: datetime) -> None:
    """Make this transaction the only one booking `staff_id` on that day until it ends. Must be the
    transaction's first statement (on SQLite a write lock taken after a read could fail at once)."""
    dialect = session.get_bind().dialect.name
    if dialect == "sqlite":
        session.connection().exec_driver_sql("BEGIN IMMEDIATE")
    elif dialect == "postgresql":
        key = f"daily_cap:{staff_id}:{day_start.isoformat()}"
        session.execute(text("SELECT pg_advisory_xact_lock(hashtextextended(:key, 0))"), {"key": key})
    else:  # pragma: no cover - only SQLite and PostgreSQL are supported
        raise NotImplementedError(f"no day lock for the {dialect} dialect")


def _refuse_if_full(session: Session, cap: DailyCap, *, staff_id: str, ticket_id: str, level: int) -> None:
    """`DayFull` when the day already holds `cap.limit` active bookings besides this ticket's own at
    this level (a retry or the booking a move gives up). Run under `_lock_day`."""
    count = session.exec(
        select(func.count())
        .select_from(BookingRow)
        .where(
            BookingRow.staff_id == staff_id,
            col(BookingRow.cancelled_at).is_(None),
            col(BookingRow.slot_start) >= cap.day_start,
            col(BookingRow.slot_start) < cap.day_end,
            not_(and_(col(BookingRow.ticket_id) == ticket_id, col(BookingRow.level) == int(level))),
        )
    ).one()
    if count >= cap.limit:
        raise DayFull(f"{staff_id} already has {count} bookings on the day of {cap.day_start.isoformat()}")


def _refuse_bad_times(start: datetime, end: datetime, *instants: datetime) -> None:
    if any(moment.tzinfo is None for moment in (start, end, *instants)):
        raise ValueError("naive datetime refused: pass aware datetimes")
    if end <= start:
        raise ValueError("a slot must end after it starts")


def _active_booking(session: Session, ticket_id: str, level: int) -> BookingRow | None:
    """The ticket's booking at this level (the ticket/level index allows one active; ticket ids are
    random, unique across municipalities)."""
    return session.exec(
        select(BookingRow).where(
            BookingRow.ticket_id == ticket_id,
            BookingRow.level == int(level),
            col(BookingRow.cancelled_at).is_(None),
        )
    ).first()


def _new_row(
    municipality: str, ticket_id: str, level: int, staff_id: str, start: datetime, end: datetime, at: datetime
) -> BookingRow:
    return BookingRow(
        municipality_id=municipality,
        ticket_id=ticket_id,
        level=int(level),
        staff_id=staff_id,
        slot_start=start,
        slot_end=end,
        created_at=at,
    )


def _booking(row: BookingRow) -> Booking:
    assert row.id is not None
    return Booking(booking_id=row.id, staff_id=row.staff_id, start=row.slot_start, end=row.slot_end)


class SqlBookingLedger(Scoped):
    """`domain.ports.BookingLedger` on the `bookings` table (SQLite or PostgreSQL). A booking belongs
    to its municipality; a person's slots are theirs alone (staff ids are unique across them)."""

    def reserve(
        self,
        *,
        ticket_id: str,
        level: int,
        staff_id: str,
        start: datetime,
        end: datetime,
        at: datetime,
        cap: DailyCap | None = None,
    ) -> Booking:
        """Insert the booking; on a unique violation, explain it.

        Returns the existing booking when this ticket already holds this very slot (an activity
        retry), raises ValueError when it holds another slot at this level (the caller must release
        that one first), `SlotTaken` when another ticket holds the slot and `DayFull` when `cap` is
        given and the person's day is full (nothing is written then).
        """
        _refuse_bad_times(start, end, at)
        failure: IntegrityError | None = None
        for _ in range(_ATTEMPTS):
            row = _new_row(self.municipality, ticket_id, level, staff_id, start, end, at)
            try:
                with session_scope(self._engine) as session:
                    if cap is not None:
                        _lock_day(session, staff_id, cap.day_start)
                        _refuse_if_full(session, cap, staff_id=staff_id, ticket_id=ticket_id, level=level)
                    session.add(row)
                    session.commit()
                    return _booking(row)
            except IntegrityError as error:
                failure = error
            existing = self._explain_conflict(
                ticket_id=ticket_id, level=int(level), staff_id=staff_id, start=start
            )
            if existing is not None:
                return existing
        assert failure is not None
        raise failure

    def _explain_conflict(
        self, *, ticket_id: str, level: int, staff_id: str, start: datetime
    ) -> Booking | None:
        """After a failed INSERT: our own booking (returned), another holder (raised), or nothing
        (the conflicting row was released meanwhile, or the staff id is unknown: None)."""
        with session_scope(self._engine) as session:
            own = _active_booking(session, ticket_id, level)
            if own is not None:
                if own.staff_id == staff_id and own.slot_start == start:
                    return _booking(own)
                raise ValueError(
                    f"ticket {ticket_id} already holds {own.staff_id} at {own.slot_start.isoformat()} "
                    f"on level {level}; release it before booking another slot"
                )
            _refuse_if_held(session, staff_id, start)
        return None

    def move(
        self,
        *,
        ticket_id: str,
        level: int,
        staff_id: str,
        replacing: datetime,
        start: datetime,
        end: datetime,
        at: datetime,
        cap: DailyCap | None = None,
    ) -> Booking:
        """Give up the ticket's booking at `replacing` and take `start` in one transaction (a
        reschedule): if the new slot is taken the transaction rolls back and the old booking is
        untouched, so the ticket never holds both (the ticket/level index allows one) nor neither.

        Idempotent: a retry after a lost reply finds the ticket already at `start` and returns that
        booking. Raises `SlotTaken` when another ticket holds `start`, and ValueError when the ticket
        holds neither `replacing` nor `start` at this level (someone else moved it meanwhile).
        With `cap`, the new slot's day is counted under the day lock, leaving out the booking
        given up, and a full day raises `DayFull` with the old booking untouched.
        """
        _refuse_bad_times(start, end, at, replacing)
        failure: IntegrityError | None = None
        for _ in range(_ATTEMPTS):
            try:
                with session_scope(self._engine) as session:
                    if cap is not None:
                        _lock_day(session, staff_id, cap.day_start)
                    own = _active_booking(session, ticket_id, level)
                    if own is not None and own.staff_id == staff_id and own.slot_start == start:
                        return _booking(own)  # a retry: the move is done
                    if own is None or own.slot_start != replacing:
                        held = own.slot_start.isoformat() if own else "nothing"
                        raise ValueError(
                            f"ticket {ticket_id} holds {held} on level {level}, not {replacing.isoformat()}"
                        )
                    if cap is not None:
                        _refuse_if_full(session, cap, staff_id=staff_id, ticket_id=ticket_id, level=level)
                    # The UPDATE goes first, so the ticket/level index is free for the INSERT.
                    own.cancelled_at = at
                    session.add(own)
                    session.flush()
                    row = _new_row(self.municipality, ticket_id, level, staff_id, start, end, at)
                    session.add(row)
                    session.commit()
                    return _booking(row)
            except IntegrityError as error:  # rolled back: the old booking stands
                failure = error
            with session_scope(self._engine) as session:
                _refuse_if_held(session, staff_id, start)
        assert failure is not None
        raise failure

    def release(self, *, ticket_id: str, level: int, at: datetime) -> bool:
        """Cancel the active booking; the row stays (for the quality figures), the slot frees up."""
        with session_scope(self._engine) as session:
            result = session.exec(
                update(BookingRow)
                .where(
                    col(BookingRow.municipality_id) == self.municipality,
                    col(BookingRow.ticket_id) == ticket_id,
                    col(BookingRow.level) == int(level),
                    col(BookingRow.cancelled_at).is_(None),
                )
                .values(cancelled_at=at)
            )
            session.commit()
            return result.rowcount > 0

    def busy(self, staff_id: str, start: datetime, end: datetime) -> list[tuple[datetime, datetime]]:
        """Active bookings overlapping [start, end), earliest first."""
        with session_scope(self._engine) as session:
            rows = session.exec(
                select(BookingRow.slot_start, BookingRow.slot_end)
                .where(
                    BookingRow.staff_id == staff_id,
                    col(BookingRow.cancelled_at).is_(None),
                    col(BookingRow.slot_start) < end,
                    col(BookingRow.slot_end) > start,
                )
                .order_by(col(BookingRow.slot_start))
            ).all()
        return [(slot_start, slot_end) for slot_start, slot_end in rows]

"""The SQL adapters against both real backends: a SQLite file and a throw-away PostgreSQL database."""

from __future__ import annotations

import hashlib
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import Engine

from domain.models import ArchiveRecord, Channel, FileStatus, Level, Outcome, Role
from domain.ports import SlotTaken
from store.archive import SqlArchive
from store.bookings import SqlBookingLedger
from store.db import make_engine
from store.migrate import migrate
from store.registry import SqlDocumentRegistry
from store.staff import SqlStaffDirectory, hash_token
from store.stores import Stores, open_stores, stores_for
from store.tables import Absence, ArchiveEntry, BookingRow, RegisteredFile
from store.testing import sqlite_url
from tests.concurrency import race
from tests.db_fixtures import add_rows, add_urbanism, count_rows

SLOT = datetime(2026, 12, 1, 8, 30, tzinfo=UTC)
SLOT_END = SLOT + timedelta(minutes=15)
NOW = datetime(2026, 11, 30, 9, 0, tzinfo=UTC)


@pytest.fixture
def engine(engine: Engine) -> Engine:
    """The conftest's empty schema with just enough rows for the adapters: one department, a few
    people (each with an API token, reporting up), absences and a file."""
    add_urbanism(engine, token=True, reporting=True)
    add_rows(
        engine,
        Absence(staff_id="c1", first_day=date(2026, 11, 28), last_day=date(2026, 12, 2)),
        Absence(staff_id="c1", first_day=date(2026, 12, 10), last_day=date(2026, 12, 10)),
        RegisteredFile(
            registration_number="104233/2026",
            filing_date=date(2026, 11, 20),
            requester_name="Ioana Pop",
            subject="Certificat de urbanism",
            department_id="urbanism",
            status=FileStatus.IN_PROGRESS.value,
            last_handler_id="c1",
        ),
    )
    return engine


def _reserve(
    ledger: SqlBookingLedger, ticket: str, staff: str = "c1", start: datetime = SLOT, level: int = 0
):
    return ledger.reserve(
        ticket_id=ticket, level=level, staff_id=staff, start=start, end=start + timedelta(minutes=15), at=NOW
    )


# --- bookings -------------------------------------------------------------------------------------


def test_reserve_returns_the_booking_and_busy_lists_it(engine: Engine) -> None:
    ledger = SqlBookingLedger(engine)
    booking = _reserve(ledger, "t-1")
    assert (booking.staff_id, booking.start, booking.end) == ("c1", SLOT, SLOT_END)
    assert booking.start.tzinfo is not None
    assert ledger.busy("c1", SLOT - timedelta(hours=1), SLOT + timedelta(hours=1)) == [(SLOT, SLOT_END)]


def test_reserving_the_same_slot_again_returns_the_same_booking(engine: Engine) -> None:
    ledger = SqlBookingLedger(engine)
    first = _reserve(ledger, "t-1")
    again = _reserve(ledger, "t-1", start=SLOT.astimezone(ZoneInfo("Europe/Bucharest")))
    assert again == first
    assert count_rows(engine, BookingRow) == 1


def test_a_ticket_holding_another_slot_must_release_it_first(engine: Engine) -> None:
    ledger = SqlBookingLedger(engine)
    _reserve(ledger, "t-1")
    with pytest.raises(ValueError, match="release it"):
        _reserve(ledger, "t-1", start=SLOT + timedelta(minutes=15))
    # The same ticket may hold a slot at another level (an escalation) without releasing.
    assert _reserve(ledger, "t-1", staff="dir", level=1).staff_id == "dir"


def test_another_ticket_cannot_take_a_held_slot(engine: Engine) -> None:
    ledger = SqlBookingLedger(engine)
    _reserve(ledger, "t-1")
    with pytest.raises(SlotTaken):
        _reserve(ledger, "t-2")
    # The same minute with another person is a different slot.
    assert _reserve(ledger, "t-2", staff="c2").staff_id == "c2"


def test_release_frees_the_slot_for_another_ticket(engine: Engine) -> None:
    ledger = SqlBookingLedger(engine)
    first = _reserve(ledger, "t-1")
    assert ledger.release(ticket_id="t-1", level=0, at=NOW) is True
    assert ledger.release(ticket_id="t-1", level=0, at=NOW) is False
    assert ledger.busy("c1", SLOT, SLOT_END) == []
    second = _reserve(ledger, "t-2")
    assert second.booking_id != first.booking_id
    # …and the first ticket can book again once it released.
    assert _reserve(ledger, "t-1", start=SLOT + timedelta(minutes=30)).staff_id == "c1"


def test_busy_returns_only_active_overlapping_bookings(engine: Engine) -> None:
    ledger = SqlBookingLedger(engine)
    slots = [SLOT + timedelta(minutes=15 * i) for i in range(4)]
    for i, start in enumerate(slots):
        _reserve(ledger, f"t-{i}", start=start)
    _reserve(ledger, "t-other", staff="c2")
    ledger.release(ticket_id="t-2", level=0, at=NOW)
    busy = ledger.busy("c1", slots[1], slots[3])  # [08:45, 09:15): 08:45 only, 09:00 was released
    assert busy == [(slots[1], slots[2])]
    assert [start for start, _ in ledger.busy("c1", SLOT, SLOT + timedelta(hours=1))] == [
        slots[0],
        slots[1],
        slots[3],
    ]


def test_reserve_refuses_naive_and_empty_slots(engine: Engine) -> None:
    ledger = SqlBookingLedger(engine)
    with pytest.raises(ValueError):
        _reserve(ledger, "t-1", start=SLOT.replace(tzinfo=None))
    with pytest.raises(ValueError):
        ledger.reserve(ticket_id="t-1", level=0, staff_id="c1", start=SLOT, end=SLOT, at=NOW)


def test_twenty_tickets_racing_for_one_slot_leave_exactly_one_winner(engine: Engine) -> None:
    ledger = SqlBookingLedger(engine)
    results = race(20, lambda i: _reserve(ledger, f"race-{i}"))
    winners = [r for r in results if not isinstance(r, BaseException)]
    losers = [r for r in results if isinstance(r, BaseException)]
    assert len(winners) == 1, results
    assert all(isinstance(r, SlotTaken) for r in losers), losers
    assert ledger.busy("c1", SLOT, SLOT_END) == [(SLOT, SLOT_END)]


def test_one_ticket_retried_in_parallel_gets_one_booking(engine: Engine) -> None:
    ledger = SqlBookingLedger(engine)
    results = race(10, lambda _: _reserve(ledger, "t-retry"))
    assert all(not isinstance(r, BaseException) for r in results), results
    assert len({r.booking_id for r in results if not isinstance(r, BaseException)}) == 1


# --- staff ----------------------------------------------------------------------------------------


def test_by_token_matches_the_stored_hash_only(engine: Engine) -> None:
    staff = SqlStaffDirectory(engine)
    assert hash_token("abc") == hashlib.sha256(b"abc").hexdigest()
    member = staff.by_token("token-c1")
    assert member is not None and member.id == "c1" and member.role is Role.CLERK
    assert staff.by_token("token-nobody") is None
    assert staff.by_token("") is None
    assert staff.by_token(hash_token("token-c1")) is None  # the digest itself is not a token


def test_absent_days_are_clipped_to_the_query(engine: Engine) -> None:
    staff = SqlStaffDirectory(engine)
    assert staff.absent_days("c1", date(2026, 12, 1), date(2026, 12, 31)) == {
        date(2026, 12, 1),
        date(2026, 12, 2),
        date(2026, 12, 10),
    }
    assert staff.absent_days("c1", date(2026, 11, 27), date(2026, 11, 28)) == {date(2026, 11, 28)}
    assert staff.absent_days("c1", date(2026, 12, 3), date(2026, 12, 9)) == set()
    assert staff.absent_days("c2", date(2026, 11, 1), date(2026, 12, 31)) == set()


def test_directory_lookups(engine: Engine) -> None:
    staff = SqlStaffDirectory(engine)
    assert staff.get("nobody") is None
    mayor = staff.mayor()
    assert mayor is not None and mayor.id == "primar" and mayor.department_id is None
    department = staff.department("urbanism")
    assert department is not None
    assert (department.name, department.director_id, department.deputy_mayor_id) == (
        "Direcția Urbanism",
        "dir",
        "vp",
    )
    assert staff.department("mediu") is None
    substitute = staff.substitute_of("c1")
    assert substitute is not None and substitute.id == "c2"
    assert staff.substitute_of("c2") is None
    assert staff.substitute_of("nobody") is None
    assert [m.id for m in staff.clerks_of("urbanism")] == ["c1", "c2"]
    assert staff.clerks_of("mediu") == []


# --- registry -------------------------------------------------------------------------------------


def _register(registry: SqlDocumentRegistry, ticket: str, level: int = 0, at: datetime = NOW):
    return registry.register_document(
        file_registration_number="104233/2026",
        ticket_id=ticket,
        level=level,
        title="Rezoluție",
        filename=f"rezolutie-{ticket}.pdf",
        content_type="application/pdf",
        content=f"%PDF {ticket}".encode(),
        at=at,
    )


def test_find_file_joins_the_department_name(engine: Engine) -> None:
    registry = SqlDocumentRegistry(engine)
    found = registry.find_file("104233/2026")
    assert found is not None
    assert found.department_name == "Direcția Urbanism"
    assert (found.requester_name, found.filing_date, found.status) == (
        "Ioana Pop",
        date(2026, 11, 20),
        FileStatus.IN_PROGRESS,
    )
    assert found.last_handler_id == "c1" and found.answered_on is None
    assert registry.find_file("999999/2026") is None


def test_register_document_numbers_per_year_and_is_idempotent(engine: Engine) -> None:
    registry = SqlDocumentRegistry(engine)
    first = _register(registry, "t-1")
    second = _register(registry, "t-2")
    assert (first.registration_number, second.registration_number) == ("TA-2026-000001", "TA-2026-000002")
    assert _register(registry, "t-1", at=NOW + timedelta(days=3)) == first
    assert _register(registry, "t-1", level=1).registration_number == "TA-2026-000003"
    # 23:30 UTC on 31 December is already New Year in Bucharest: a new year, a new sequence.
    new_year = _register(registry, "t-3", at=datetime(2026, 12, 31, 23, 30, tzinfo=UTC))
    assert new_year.registration_number == "TA-2027-000001"
    stored = registry.document_content(first.registration_number)
    assert stored == (first, b"%PDF t-1")
    assert first.filename == "rezolutie-t-1.pdf" and first.content_type == "application/pdf"
    assert registry.document_content("TA-2026-999999") is None


def test_attach_content_replaces_the_bytes_of_a_registered_document(engine: Engine) -> None:
    registry = SqlDocumentRegistry(engine)
    registered = _register(registry, "t-1")
    registry.attach_content(registered.registration_number, b"%PDF with TA-2026-000001")
    registry.attach_content(registered.registration_number, b"%PDF with TA-2026-000001")  # a retry
    assert registry.document_content(registered.registration_number) == (
        registered,
        b"%PDF with TA-2026-000001",
    )
    with pytest.raises(LookupError):
        registry.attach_content("TA-2026-999999", b"x")


def test_register_document_refuses_an_unknown_file(engine: Engine) -> None:
    registry = SqlDocumentRegistry(engine)
    with pytest.raises(ValueError, match="no file"):
        registry.register_document(
            file_registration_number="1/1999",
            ticket_id="t-1",
            level=0,
            title="x",
            filename="x.pdf",
            content_type="application/pdf",
            content=b"x",
            at=NOW,
        )


def test_parallel_registrations_get_distinct_consecutive_numbers(engine: Engine) -> None:
    registry = SqlDocumentRegistry(engine)
    results = race(8, lambda i: _register(registry, f"par-{i}"))
    numbers = sorted(r.registration_number for r in results if not isinstance(r, BaseException))
    assert numbers == [f"TA-2026-{n:06d}" for n in range(1, 9)], results


# --- archive --------------------------------------------------------------------------------------


def test_archive_record_is_an_upsert(engine: Engine) -> None:
    archive = SqlArchive(engine)
    entry = ArchiveRecord(
        ticket_id="t-1",
        level=Level.CLERK,
        registration_number="104233/2026",
        staff_id="c1",
        department_id="urbanism",
        channel=Channel.WEBEX,
        meeting_start=SLOT,
        outcome=Outcome.HELD,
        closed_at=NOW,
    )
    archive.record(entry)
    updated = entry.model_copy(
        update={"conclusions": "Dosarul se completează cu releveul.", "recording_ref": "rec-1"}
    )
    archive.record(updated)
    archive.record(entry.model_copy(update={"level": Level.DIRECTOR, "staff_id": "dir"}))
    assert archive.get("t-1", 0) == updated
    assert archive.get("t-1", 1) is not None
    assert archive.get("t-2", 0) is None
    assert count_rows(engine, ArchiveEntry) == 2


# --- wiring ---------------------------------------------------------------------------------------


def test_stores_bundle_the_adapters(engine: Engine, tmp_path) -> None:
    stores = stores_for(engine)
    assert isinstance(stores, Stores)
    assert stores.registry.find_file("104233/2026") is not None
    url = sqlite_url(tmp_path / "opened")
    migrate(make_engine(url))  # the stores never create tables (issue 10): the migrations do
    assert open_stores(url) is open_stores(url)
    assert open_stores(url).staff.mayor() is None  # a fresh, empty schema

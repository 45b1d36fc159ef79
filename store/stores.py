"""The four adapters, wired to one database, as the activities and the API receive them.

Fields are typed by the ports, not the SQL classes, so a city that plugs in its own registry (say)
builds a `Stores` with that object and nothing downstream notices; mypy checks the SQL classes
against the ports right here.

A `Stores` serves one municipality (issue 11): the one it was opened for (the API, per request), or,
opened without one, whichever the running activity acts for (`core.tenancy.current_municipality`,
set by the worker for each activity from its workflow id).
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

from sqlalchemy import Engine

from domain.ports import Archive, BookingLedger, DocumentRegistry, EmailDeliveries, StaffDirectory
from store.archive import SqlArchive
from store.bookings import SqlBookingLedger
from store.db import engine_for
from store.email_deliveries import SqlEmailDeliveries
from store.registry import SqlDocumentRegistry
from store.staff import SqlStaffDirectory
from store.staff_sessions import SqlStaffSessions


@dataclass(frozen=True)
class Stores:
    registry: DocumentRegistry
    staff: StaffDirectory
    bookings: BookingLedger
    archive: Archive
    deliveries: EmailDeliveries
    sessions: SqlStaffSessions  # the clerks' page sign-ins: the app's own table, not a city port


def stores_for(
    engine: Engine, *, time_zone: str = "Europe/Bucharest", municipality: str | None = None
) -> Stores:
    """The SQL adapters on an engine you already hold (tests, tools)."""
    return Stores(
        registry=SqlDocumentRegistry(engine, time_zone=time_zone, municipality=municipality),
        staff=SqlStaffDirectory(engine, municipality),
        bookings=SqlBookingLedger(engine, municipality),
        archive=SqlArchive(engine, municipality),
        deliveries=SqlEmailDeliveries(engine),
        sessions=SqlStaffSessions(engine),
    )


@lru_cache
def open_stores(
    database_url: str, municipality: str | None = None, time_zone: str = "Europe/Bucharest"
) -> Stores:
    """The SQL adapters on the process-wide engine for this URL (schema created on first use)."""
    return stores_for(engine_for(database_url), time_zone=time_zone, municipality=municipality)

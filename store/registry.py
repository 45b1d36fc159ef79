"""The document registry: files (dosare) and the outgoing documents registered on them.

It stands in for the city's document-management system (Infocet in Cluj). Outgoing numbers follow
`TA-<year>-<000001>`: the year is the city's calendar year of registration, the sequence restarts each
year. Two registrations racing for the same number are settled by the unique constraint: the loser
recounts and tries the next number.
"""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from sqlalchemy import Engine, func, update
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

from domain.models import FileInfo, FileStatus, RegisteredDocument
from store.db import Scoped, session_scope
from store.tables import Department, OutgoingDocument, RegisteredFile

NUMBER_PREFIX = "TA"
# Each failed attempt means another registration took the number in between; a handful of rounds
# is plenty for the few documents a minute one city registers.
_ATTEMPTS = 20


def outgoing_number(year: int, sequence: int) -> str:
    return f"{NUMBER_PREFIX}-{year}-{sequence:06d}"


def _document(row: OutgoingDocument) -> RegisteredDocument:
    return RegisteredDocument(
        registration_number=row.registration_number, filename=row.filename, content_type=row.content_type
    )


def _next_sequence(session: Session, municipality: str, year: int) -> int:
    prefix = f"{NUMBER_PREFIX}-{year}-"
    # Longest, then greatest: still right once a year passes 999 999 documents.
    last = session.exec(
        select(OutgoingDocument.registration_number)
        .where(OutgoingDocument.municipality_id == municipality)
        .where(col(OutgoingDocument.registration_number).startswith(prefix))
        .order_by(
            func.length(col(OutgoingDocument.registration_number)).desc(),
            col(OutgoingDocument.registration_number).desc(),
        )
        .limit(1)
    ).first()
    return 1 if last is None else int(last.removeprefix(prefix)) + 1


class SqlDocumentRegistry(Scoped):
    """`domain.ports.DocumentRegistry` on the `registered_files` and `outgoing_documents` tables, for
    one municipality (its files, its outgoing numbers)."""

    def __init__(
        self, engine: Engine, *, time_zone: str = "Europe/Bucharest", municipality: str | None = None
    ) -> None:
        super().__init__(engine, municipality)
        self._zone = ZoneInfo(time_zone)

    def find_file(self, registration_number: str) -> FileInfo | None:
        with session_scope(self._engine) as session:
            found = session.exec(
                select(RegisteredFile, Department.name)
                .join(Department, col(RegisteredFile.department_id) == col(Department.id))
                .where(RegisteredFile.registration_number == registration_number)
                .where(RegisteredFile.municipality_id == self.municipality)
            ).first()
        if found is None:
            return None
        row, department_name = found
        return FileInfo(
            registration_number=row.registration_number,
            requester_name=row.requester_name,
            filing_date=row.filing_date,
            subject=row.subject,
            department_id=row.department_id,
            department_name=department_name,
            status=FileStatus(row.status),
            answered_on=row.answered_on,
            last_handler_id=row.last_handler_id,
        )

    def register_document(
        self,
        *,
        file_registration_number: str,
        ticket_id: str,
        level: int,
        title: str,
        filename: str,
        content_type: str,
        content: bytes,
        at: datetime,
    ) -> RegisteredDocument:
        """Register once per (ticket_id, level); a retry gets the first registration back."""
        if at.tzinfo is None:
            raise ValueError("naive datetime refused: pass an aware datetime")
        year = at.astimezone(self._zone).year
        city = self.municipality
        failure: IntegrityError | None = None
        for _ in range(_ATTEMPTS):
            with session_scope(self._engine) as session:
                existing = self._by_ticket(session, ticket_id, int(level))
                if existing is not None:
                    return _document(existing)
                if session.get(RegisteredFile, (city, file_registration_number)) is None:
                    raise ValueError(f"no file {file_registration_number!r} to attach the document to")
                row = OutgoingDocument(
                    municipality_id=city,
                    registration_number=outgoing_number(year, _next_sequence(session, city, year)),
                    file_registration_number=file_registration_number,
                    ticket_id=ticket_id,
                    level=int(level),
                    title=title,
                    filename=filename,
                    content_type=content_type,
                    content=content,
                    created_at=at,
                )
                session.add(row)
                try:
                    session.commit()
                except IntegrityError as error:
                    # Either the number or the (ticket, level) was taken meanwhile; the next round's
                    # look-up tells which. A fresh session, because PostgreSQL aborted this one.
                    failure = error
                    continue
                return _document(row)
        assert failure is not None
        raise failure

    def _by_ticket(self, session: Session, ticket_id: str, level: int) -> OutgoingDocument | None:
        return session.exec(
            select(OutgoingDocument).where(
                OutgoingDocument.municipality_id == self.municipality,
                OutgoingDocument.ticket_id == ticket_id,
                OutgoingDocument.level == level,
            )
        ).first()

    def attach_content(self, registration_number: str, content: bytes) -> None:
        """Store the bytes of a registered document (they carry its number, so they come second).

        Overwrites, so a retried activity that re-renders the document is harmless; a single UPDATE,
        so the previous bytes are never loaded. LookupError when no such document exists.
        """
        with session_scope(self._engine) as session:
            result = session.exec(
                update(OutgoingDocument)
                .where(col(OutgoingDocument.registration_number) == registration_number)
                .where(col(OutgoingDocument.municipality_id) == self.municipality)
                .values(content=content)
            )
            session.commit()
            if result.rowcount == 0:
                raise LookupError(f"no registered document {registration_number!r}")

    def document_content(self, registration_number: str) -> tuple[RegisteredDocument, bytes] | None:
        with session_scope(self._engine) as session:
            row = session.exec(
                select(OutgoingDocument).where(
                    OutgoingDocument.registration_number == registration_number,
                    OutgoingDocument.municipality_id == self.municipality,
                )
            ).first()
            if row is None:
                return None
            return _document(row), row.content

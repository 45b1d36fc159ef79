"""The municipality's archive of finished audiences (R10): one row per (ticket, level, attempt).

`record` is an upsert because the activity that writes it may run more than once (a retry, or a later
step adding the recording reference); the unique constraint on (ticket_id, level) keeps one row even
when two writers race, and the loser turns its INSERT into an UPDATE.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import update
from sqlalchemy.exc import IntegrityError
from sqlmodel import col, select

from domain.models import ArchiveRecord, Channel, Level, Outcome
from store.db import Scoped, session_scope
from store.tables import ArchiveEntry


def _columns(entry: ArchiveRecord) -> dict[str, Any]:
    return {
        "registration_number": entry.registration_number,
        "staff_id": entry.staff_id,
        "department_id": entry.department_id,
        "channel": entry.channel.value,
        "meeting_start": entry.meeting_start,
        "outcome": entry.outcome.value,
        "conclusions": entry.conclusions,
        "resolution_document_number": entry.resolution_document_number,
        "recording_ref": entry.recording_ref,
        "started_late": entry.started_late,
        "closed_at": entry.closed_at,
    }


class SqlArchive(Scoped):
    """`domain.ports.Archive` on the `archive` table, one municipality's rows."""

    def record(self, entry: ArchiveRecord) -> None:
        """Update the row of (ticket_id, level), or insert it when there is none yet."""
        values = _columns(entry)
        if not self._update(entry, values):
            try:
                with session_scope(self._engine) as session:
                    session.add(
                        ArchiveEntry(
                            municipality_id=self.municipality,
                            ticket_id=entry.ticket_id,
                            level=int(entry.level),
                            attempt=entry.attempt,
                            **values,
                        )
                    )
                    session.commit()
            except IntegrityError:
                if not self._update(entry, values):
                    raise

    def _update(self, entry: ArchiveRecord, values: dict[str, Any]) -> bool:
        with session_scope(self._engine) as session:
            result = session.exec(
                update(ArchiveEntry)
                .where(
                    col(ArchiveEntry.municipality_id) == self.municipality,
                    col(ArchiveEntry.ticket_id) == entry.ticket_id,
                    col(ArchiveEntry.level) == int(entry.level),
                    col(ArchiveEntry.attempt) == entry.attempt,
                )
                .values(**values)
            )
            session.commit()
            return result.rowcount > 0

    def get(self, ticket_id: str, level: int, attempt: int = 0) -> ArchiveRecord | None:
        """The archived audience, for reports and tests (not part of the port)."""
        with session_scope(self._engine) as session:
            row = session.exec(
                select(ArchiveEntry).where(
                    ArchiveEntry.municipality_id == self.municipality,
                    ArchiveEntry.ticket_id == ticket_id,
                    ArchiveEntry.level == int(level),
                    ArchiveEntry.attempt == attempt,
                )
            ).first()
            if row is None:
                return None
            return ArchiveRecord(
                ticket_id=row.ticket_id,
                level=Level(row.level),
                attempt=row.attempt,
                registration_number=row.registration_number,
                staff_id=row.staff_id,
                department_id=row.department_id,
                channel=Channel(row.channel),
                meeting_start=row.meeting_start,
                outcome=Outcome(row.outcome),
                conclusions=row.conclusions,
                resolution_document_number=row.resolution_document_number,
                recording_ref=row.recording_ref,
                closed_at=row.closed_at,
            )

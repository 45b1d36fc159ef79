"""What the application database holds about one ticket's citizen, and its erasure (issue 9).

The database holds no email or phone: those live only in the ticket's Temporal history (encrypted)
until the namespace retention removes it. What it holds about the citizen, by ticket: the archive
rows (R10, kept), the registered resolution documents (kept, the law's record), the ratings with the
citizen's free-text comment (the comment is erased, the stars stay for R11), and the erasure record.
The file registry (the city's document-management system) is the city's, not the ticket's: it is
read for the citizen's copy and never changed here.
"""

from __future__ import annotations

import secrets
from datetime import datetime
from functools import lru_cache
from typing import Any

from sqlalchemy import Engine, func, update
from sqlalchemy.exc import IntegrityError
from sqlmodel import col, select

from core.links import workflow_id_for
from domain.retention import ErasureReason, ErasureTarget
from store.db import engine_for, session_scope
from store.tables import ArchiveEntry, ContactErasureRow, OutgoingDocument, Rating


def pseudonym() -> str:
    """A random name for an erased citizen ("Cetățean-3f9a1c7e"): random, so it reveals nothing."""
    return f"Cetățean-{secrets.token_hex(4)}"


class SqlPersonalData:
    """Erasure and the citizen's copy, on the app's tables."""

    def __init__(self, engine: Engine) -> None:
        self._engine = engine

    def due(self, cutoff: datetime, after_ticket_id: str = "", limit: int = 200) -> list[ErasureTarget]:
        """Tickets whose last audience ended before `cutoff` and that were not erased yet, in ticket
        id order from `after_ticket_id` (the purge pages through them)."""
        last_closed = func.max(ArchiveEntry.closed_at)
        erased = select(ContactErasureRow.ticket_id)
        query = (
            select(
                ArchiveEntry.ticket_id,
                func.max(ArchiveEntry.registration_number),
                last_closed,
                func.max(ArchiveEntry.municipality_id),
            )
            .where(col(ArchiveEntry.ticket_id) > after_ticket_id)
            .where(col(ArchiveEntry.ticket_id).not_in(erased))
            .group_by(col(ArchiveEntry.ticket_id))
            .having(last_closed < cutoff)
            .order_by(col(ArchiveEntry.ticket_id))
            .limit(limit)
        )
        with session_scope(self._engine) as session:
            rows = session.exec(query).all()
        return [
            ErasureTarget(
                ticket_id=ticket_id,
                # The purge is national: every municipality's tickets, each by its own workflow id.
                workflow_id=workflow_id_for(registration_number, municipality),
                registration_number=registration_number,
                closed_at=closed_at,
            )
            for ticket_id, registration_number, closed_at, municipality in rows
        ]

    def erase(
        self, target: ErasureTarget, reason: ErasureReason, at: datetime
    ) -> tuple[ContactErasureRow, bool]:
        """Erase what the database holds of the citizen's own words and record it, in one transaction;
        (the record, whether this call did it). A second call finds the record and changes nothing."""
        existing = self.erasure(target.ticket_id)
        if existing is not None:
            return existing, False
        row = ContactErasureRow(
            ticket_id=target.ticket_id,
            workflow_id=target.workflow_id,
            registration_number=target.registration_number,
            pseudonym=pseudonym(),
            reason=reason.value,
            closed_at=target.closed_at,
            erased_at=at,
        )
        try:
            with session_scope(self._engine) as session:
                session.exec(
                    update(Rating).where(col(Rating.ticket_id) == target.ticket_id).values(comment="")
                )
                session.add(row)
                session.commit()
                session.refresh(row)
        except IntegrityError:  # a purge and the citizen at the same instant: the first one stands
            found = self.erasure(target.ticket_id)
            if found is None:
                raise
            return found, False
        return row, True

    def erasure(self, ticket_id: str) -> ContactErasureRow | None:
        with session_scope(self._engine) as session:
            row = session.get(ContactErasureRow, ticket_id)
            if row is not None:
                session.expunge(row)
            return row

    def erasures_of_workflow(self, workflow_id: str) -> list[ContactErasureRow]:
        """Every erased ticket of one file (one workflow id): a citizen link names the workflow only."""
        with session_scope(self._engine) as session:
            rows = list(
                session.exec(
                    select(ContactErasureRow).where(ContactErasureRow.workflow_id == workflow_id)
                ).all()
            )
            for row in rows:
                session.expunge(row)
            return rows

    def last_closed(self, ticket_id: str) -> datetime | None:
        with session_scope(self._engine) as session:
            found: datetime | None = session.exec(
                select(func.max(ArchiveEntry.closed_at)).where(ArchiveEntry.ticket_id == ticket_id)
            ).one()
            return found

    def records_of(self, ticket_id: str) -> dict[str, list[dict[str, Any]]]:
        """The ticket's rows in the archive, ratings and registered documents (metadata, not bytes),
        as plain JSON-ready dicts for the citizen's copy."""
        with session_scope(self._engine) as session:
            archive = session.exec(
                select(ArchiveEntry)
                .where(ArchiveEntry.ticket_id == ticket_id)
                .order_by(col(ArchiveEntry.level), col(ArchiveEntry.attempt))
            ).all()
            ratings = session.exec(
                select(Rating).where(Rating.ticket_id == ticket_id).order_by(col(Rating.level))
            ).all()
            documents = session.exec(
                select(OutgoingDocument)
                .where(OutgoingDocument.ticket_id == ticket_id)
                .order_by(col(OutgoingDocument.level))
            ).all()
            return {
                "archive": [
                    row.model_dump(mode="json", exclude={"id", "ticket_id", "started_late"})
                    for row in archive
                ],
                "ratings": [
                    row.model_dump(
                        mode="json", include={"level", "stars", "comment", "meeting_start", "created_at"}
                    )
                    for row in ratings
                ],
                "documents": [
                    row.model_dump(
                        mode="json",
                        include={"registration_number", "level", "title", "filename", "created_at"},
                    )
                    for row in documents
                ],
            }


@lru_cache
def personal_data_for(database_url: str) -> SqlPersonalData:
    """The adapter on the process-wide engine for this URL (the one `open_stores` uses too)."""
    return SqlPersonalData(engine_for(database_url))

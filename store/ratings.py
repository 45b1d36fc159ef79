"""Citizens' ratings of their audiences (R11): one row per (ticket, level), written once.

"Once" is the database's job, not a read-then-write in the API: two requests that race both try the
INSERT and the unique constraint lets exactly one through. The loser is told `AlreadyRated`, the
same answer a second request gets long after the first.
"""

from __future__ import annotations

from datetime import datetime
from functools import lru_cache

from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy.exc import IntegrityError
from sqlmodel import select

from domain.models import Level
from store.db import Scoped, engine_for, session_scope
from store.tables import Rating

MAX_COMMENT = 1000


class AlreadyRated(Exception):
    """This audience already has its rating."""


class RatingRecord(BaseModel):
    """One rating, as the API hands it to the store and the store hands it back."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    ticket_id: str = Field(min_length=1, max_length=80)
    level: Level
    registration_number: str = Field(max_length=40)
    staff_id: str = Field(min_length=1, max_length=40, description="who held the audience")
    department_id: str | None = Field(default=None, max_length=40)
    meeting_start: datetime | None
    stars: int = Field(ge=1, le=5)
    comment: str = Field(default="", max_length=MAX_COMMENT)
    created_at: datetime


def _record(row: Rating) -> RatingRecord:
    return RatingRecord(
        ticket_id=row.ticket_id,
        level=Level(row.level),
        registration_number=row.registration_number,
        staff_id=row.staff_id,
        department_id=row.department_id,
        meeting_start=row.meeting_start,
        stars=row.stars,
        comment=row.comment,
        created_at=row.created_at,
    )


class SqlRatings(Scoped):
    """The `ratings` table, one municipality's rows."""

    def add(self, rating: RatingRecord) -> RatingRecord:
        """Store the rating; `AlreadyRated` when (ticket_id, level) has one, whoever wrote it first."""
        try:
            with session_scope(self._engine) as session:
                session.add(Rating(municipality_id=self.municipality, **rating.model_dump(mode="python")))
                session.commit()
        except IntegrityError:
            if self.get(rating.ticket_id, rating.level) is not None:
                raise AlreadyRated(f"{rating.ticket_id} level {int(rating.level)}") from None
            raise  # some other constraint: not something to explain away as a duplicate
        return rating

    def get(self, ticket_id: str, level: int) -> RatingRecord | None:
        with session_scope(self._engine) as session:
            row = session.exec(
                select(Rating).where(
                    Rating.municipality_id == self.municipality,
                    Rating.ticket_id == ticket_id,
                    Rating.level == int(level),
                )
            ).first()
            return _record(row) if row is not None else None


@lru_cache
def ratings_for(database_url: str, municipality: str | None = None) -> SqlRatings:
    """The adapter on the process-wide engine for this URL (the one `open_stores` uses too)."""
    return SqlRatings(engine_for(database_url), municipality)

"""The accessibility statement's feedback (issue 12) on the `accessibility_feedback` table: stored by
the page, read by the activity that emails it to the city, erased by the daily purge."""

from __future__ import annotations

from datetime import datetime
from functools import lru_cache

from sqlalchemy import Engine, update
from sqlmodel import col, select

from domain.accessibility import FeedbackForm
from store.db import engine_for, session_scope
from store.tables import AccessibilityFeedbackRow


class SqlAccessibilityFeedback:
    def __init__(self, engine: Engine) -> None:
        self._engine = engine

    def add(self, form: FeedbackForm, at: datetime) -> int:
        """Store one message; its id (what the workflow that emails it carries)."""
        row = AccessibilityFeedbackRow(
            name=form.name,
            email=str(form.email),
            page=form.page,
            message=form.message,
            language=form.language.value,
            received_at=at,
        )
        with session_scope(self._engine) as session:
            session.add(row)
            session.commit()
            session.refresh(row)
        assert row.id is not None
        return row.id

    def get(self, feedback_id: int) -> AccessibilityFeedbackRow | None:
        with session_scope(self._engine) as session:
            row = session.get(AccessibilityFeedbackRow, feedback_id)
            if row is not None:
                session.expunge(row)
            return row

    def mark_emailed(self, feedback_id: int, at: datetime) -> None:
        with session_scope(self._engine) as session:
            session.exec(
                update(AccessibilityFeedbackRow)
                .where(col(AccessibilityFeedbackRow.id) == feedback_id)
                .values(emailed_at=at)
            )
            session.commit()

    def erase_before(self, cutoff: datetime, at: datetime) -> int:
        """Empty the name, email and message of feedback received before `cutoff` (the page it was
        about stays, for the city's review); how many rows this call erased. A second call erases
        nothing."""
        with session_scope(self._engine) as session:
            result = session.exec(
                update(AccessibilityFeedbackRow)
                .where(col(AccessibilityFeedbackRow.received_at) < cutoff)
                .where(col(AccessibilityFeedbackRow.erased_at).is_(None))
                .values(name="", email="", message="", erased_at=at)
            )
            session.commit()
            return int(result.rowcount)

    def all(self) -> list[AccessibilityFeedbackRow]:
        """Every message, newest first (for the city's review and the tests)."""
        with session_scope(self._engine) as session:
            rows = list(
                session.exec(
                    select(AccessibilityFeedbackRow).order_by(col(AccessibilityFeedbackRow.id).desc())
                ).all()
            )
            for row in rows:
                session.expunge(row)
            return rows


@lru_cache
def feedback_for(database_url: str) -> SqlAccessibilityFeedback:
    """The adapter on the process-wide engine for this URL (the one `open_stores` uses too)."""
    return SqlAccessibilityFeedback(engine_for(database_url))

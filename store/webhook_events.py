"""The record of Webex webhook events already delivered to their tickets (`webhook_events`).

Webex may deliver one event more than once (a re-delivery, or two registrations of the same
webhook), and two deliveries can arrive at the same moment on two API processes. Reading first
("seen it?") would let both through; instead each delivery INSERTs the event id and the primary
key lets exactly one of them in, on SQLite and PostgreSQL alike. The loser learns it is a
duplicate from the `IntegrityError` and does not signal the workflow again.
"""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import Engine, delete
from sqlalchemy.exc import IntegrityError
from sqlmodel import col

from domain.models import WebexEvent
from store.db import session_scope
from store.tables import WebhookEventRow


class SqlWebhookEvents:
    """De-duplication of Webex events by `WebexEvent.event_id`, on the `webhook_events` table."""

    def __init__(self, engine: Engine) -> None:
        self._engine = engine

    def record_once(self, event: WebexEvent, *, received_at: datetime | None = None) -> bool:
        """True when this event id is new (now recorded), False when it was recorded before.

        Race-safe: the database's unique key decides, not a prior read. A failed INSERT on
        PostgreSQL aborts its transaction, which the session scope rolls back on the way out.
        """
        at = received_at or datetime.now(UTC)
        if at.tzinfo is None:
            raise ValueError("naive datetime refused: pass an aware datetime")
        row = WebhookEventRow(
            event_id=event.event_id, kind=event.kind, meeting_id=event.meeting_id, received_at=at
        )
        try:
            with session_scope(self._engine) as session:
                session.add(row)
                session.commit()
        except IntegrityError:
            return False
        return True

    def forget(self, event_id: str) -> bool:
        """Undo `record_once` when the event could not be handed over (Temporal unreachable), so a
        later delivery of it is treated as new instead of being dropped as a duplicate."""
        with session_scope(self._engine) as session:
            result = session.exec(delete(WebhookEventRow).where(col(WebhookEventRow.event_id) == event_id))
            session.commit()
            return result.rowcount > 0

    def seen(self, event_id: str) -> bool:
        """Whether the event is recorded (for tools and tests; the receiver relies on `record_once`)."""
        with session_scope(self._engine) as session:
            return session.get(WebhookEventRow, event_id) is not None

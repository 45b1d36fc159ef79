"""The log of emails by Message-ID (`email_deliveries`): what makes a retried send skip an email
the SMTP server already accepted.

A worker that dies mid-send leaves its Temporal activity to be retried, and the retry cannot tell
from SMTP whether the first attempt got through. This log can: the activity records `sending`
before it talks to the server and `sent` right after the server's 250 reply; a retry that finds
`sent` stops there. The window that remains is between the 250 and the `sent` write (a crash
there resends, with the same Message-ID, which mail clients fold into one).
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Engine
from sqlalchemy.exc import IntegrityError

from domain.ports import DeliveryStatus, RecipientKind
from store.db import session_scope
from store.tables import EmailDeliveryRow


def _aware(at: datetime) -> datetime:
    if at.tzinfo is None:
        raise ValueError("naive datetime refused: pass an aware datetime")
    return at


class SqlEmailDeliveries:
    """`domain.ports.EmailDeliveries` on the `email_deliveries` table."""

    def __init__(self, engine: Engine) -> None:
        self._engine = engine

    def begin(
        self, message_id: str, *, workflow_id: str, kind: str, recipient_kind: RecipientKind, at: datetime
    ) -> bool:
        """Race-safe like `store.webhook_events`: the primary key decides which attempt inserts;
        the others count themselves on the existing row (a `sending` row may be a dead attempt's,
        so it does not stop a new one)."""
        at = _aware(at)
        row = EmailDeliveryRow(
            message_id=message_id,
            workflow_id=workflow_id,
            kind=kind,
            recipient_kind=recipient_kind.value,
            status=DeliveryStatus.SENDING.value,
            first_attempt_at=at,
            last_attempt_at=at,
            status_at=at,
        )
        try:
            with session_scope(self._engine) as session:
                session.add(row)
                session.commit()
            return True
        except IntegrityError:
            pass
        with session_scope(self._engine) as session:
            found = session.get(EmailDeliveryRow, message_id, with_for_update=True)
            if found is None:  # forgotten in between: nothing says it was sent
                return self.begin(
                    message_id, workflow_id=workflow_id, kind=kind, recipient_kind=recipient_kind, at=at
                )
            if found.status != DeliveryStatus.SENDING.value:
                return False
            found.attempts += 1
            found.last_attempt_at = at
            session.add(found)
            session.commit()
            return True

    def mark_sent(self, message_id: str, *, at: datetime, detail: str | None = None) -> None:
        at = _aware(at)
        with session_scope(self._engine) as session:
            found = session.get(EmailDeliveryRow, message_id, with_for_update=True)
            if found is None:
                raise LookupError(f"no delivery recorded for {message_id}")
            found.status, found.sent_at, found.status_at = DeliveryStatus.SENT.value, at, at
            found.detail = detail[:500] if detail else None
            session.add(found)
            session.commit()

    def status(self, message_id: str) -> DeliveryStatus | None:
        with session_scope(self._engine) as session:
            found = session.get(EmailDeliveryRow, message_id)
            return DeliveryStatus(found.status) if found is not None else None

"""The log of emails by Message-ID (`email_deliveries`): what makes a retried send skip an email
the SMTP server already accepted, and where each email's delivery status is kept (issue 12).

A worker that dies mid-send leaves its Temporal activity to be retried, and the retry cannot tell
from SMTP whether the first attempt got through. This log can: the activity records `sending`
before it talks to the server and `delivered` right after the server's 250 reply; a retry that
finds `delivered` stops there. The window that remains is between the 250 and the `delivered`
write (a crash there resends, with the same Message-ID, which mail clients fold into one).

Later news moves the status on: a 4xx answer is `temporary-failure` (the activity retries, and
its next attempt goes ahead), a 5xx answer or a bounce (`integrations.bounces`) is
`permanent-failure`, which no later report undoes and no retry sends again. The delivery reports
themselves (bounces, matched or not, and malformed ones) are kept in `email_reports`.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Engine
from sqlalchemy.exc import IntegrityError

from domain.ports import RETRYABLE_STATUSES, DeliveryRecord, DeliveryStatus, RecipientKind
from store.db import session_scope
from store.tables import EmailDeliveryRow, EmailReportRow


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
            if DeliveryStatus(found.status) not in RETRYABLE_STATUSES:
                return False
            found.attempts += 1
            found.last_attempt_at = at
            session.add(found)
            session.commit()
            return True

    def mark_delivered(self, message_id: str, *, at: datetime, detail: str | None = None) -> None:
        at = _aware(at)
        with session_scope(self._engine) as session:
            found = session.get(EmailDeliveryRow, message_id, with_for_update=True)
            if found is None:
                raise LookupError(f"no delivery recorded for {message_id}")
            # A bounce that came back before this write (the relay is quick) stays the news.
            if found.status != DeliveryStatus.PERMANENT_FAILURE.value:
                found.status, found.status_at = DeliveryStatus.DELIVERED.value, at
                found.detail = detail[:500] if detail else None
            found.sent_at = at
            session.add(found)
            session.commit()

    def mark_failed(
        self, message_id: str, status: DeliveryStatus, *, at: datetime, detail: str | None = None
    ) -> DeliveryRecord | None:
        if status not in (DeliveryStatus.TEMPORARY_FAILURE, DeliveryStatus.PERMANENT_FAILURE):
            raise ValueError(f"not a failure: {status}")
        at = _aware(at)
        with session_scope(self._engine) as session:
            found = session.get(EmailDeliveryRow, message_id, with_for_update=True)
            if found is None:
                return None
            if found.status != DeliveryStatus.PERMANENT_FAILURE.value:
                found.status, found.status_at = status.value, at
                found.detail = detail[:500] if detail else None
                session.add(found)
                session.commit()
            return _record(found)

    def find(self, message_id: str) -> DeliveryRecord | None:
        with session_scope(self._engine) as session:
            found = session.get(EmailDeliveryRow, message_id)
            return _record(found) if found is not None else None

    def status(self, message_id: str) -> DeliveryStatus | None:
        found = self.find(message_id)
        return found.status if found is not None else None

    def keep_report(
        self,
        *,
        received_at: datetime,
        outcome: str,
        size: int,
        message_id: str | None = None,
        action: str | None = None,
        status_code: str | None = None,
        reason: str | None = None,
    ) -> int:
        """Store one delivery report (`outcome`: `matched`, `unmatched`, `malformed`, `ignored`),
        returning its id. No addresses: the report's raw text quotes the recipient and the
        original headers, so only what it says about the delivery is kept."""
        row = EmailReportRow(
            received_at=_aware(received_at),
            outcome=outcome,
            size=size,
            message_id=message_id[:250] if message_id else None,
            action=action[:20] if action else None,
            status_code=status_code[:20] if status_code else None,
            reason=reason[:300] if reason else None,
        )
        with session_scope(self._engine) as session:
            session.add(row)
            session.commit()
            session.refresh(row)
            assert row.id is not None
            return row.id


def _record(row: EmailDeliveryRow) -> DeliveryRecord:
    return DeliveryRecord(
        message_id=row.message_id,
        workflow_id=row.workflow_id,
        kind=row.kind,
        recipient_kind=RecipientKind(row.recipient_kind),
        status=DeliveryStatus(row.status),
    )

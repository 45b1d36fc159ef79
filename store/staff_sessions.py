"""The clerks' page sessions (`staff_sessions`): opened at sign-in, checked on every request, revoked
at sign-out. The cookie stays signed (`core.sessions`), so a forged one is refused without a query;
this table is what makes a genuine one revocable.

No port in `domain.ports`: sessions are this application's own state, not a city system to plug in.
"""

from __future__ import annotations

import hashlib
from datetime import datetime

from sqlalchemy import Engine, delete, update
from sqlmodel import col

from store.db import session_scope
from store.tables import StaffSessionRow


def _key(session_id: str) -> str:
    return hashlib.sha256(session_id.encode()).hexdigest()


def _aware(at: datetime) -> datetime:
    if at.tzinfo is None:
        raise ValueError("naive datetime refused: pass an aware datetime")
    return at


class SqlStaffSessions:
    def __init__(self, engine: Engine) -> None:
        self._engine = engine

    def open(self, session_id: str, staff_id: str, *, now: datetime, expires_at: datetime) -> None:
        row = StaffSessionRow(
            id_hash=_key(session_id), staff_id=staff_id, created_at=_aware(now), expires_at=_aware(expires_at)
        )
        with session_scope(self._engine) as session:
            # Sessions past their expiry are dead anyway; sign-ins sweep them so the table stays small.
            session.exec(delete(StaffSessionRow).where(col(StaffSessionRow.expires_at) <= row.created_at))
            session.add(row)
            session.commit()

    def active_staff_id(self, session_id: str, now: datetime) -> str | None:
        """Whose session this is, or None when it is unknown, revoked or past its expiry."""
        with session_scope(self._engine) as session:
            row = session.get(StaffSessionRow, _key(session_id))
        if row is None or row.revoked_at is not None or row.expires_at <= _aware(now):
            return None
        return row.staff_id

    def revoke(self, session_id: str, now: datetime) -> bool:
        """End the session for good; False when it was unknown or already revoked."""
        with session_scope(self._engine) as session:
            result = session.exec(
                update(StaffSessionRow)
                .where(col(StaffSessionRow.id_hash) == _key(session_id))
                .where(col(StaffSessionRow.revoked_at).is_(None))
                .values(revoked_at=_aware(now))
            )
            session.commit()
            return result.rowcount > 0

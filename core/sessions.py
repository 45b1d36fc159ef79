"""Signed, revocable session cookies for the clerks' web pages, in the style of `core.links`.

A browser cannot send `Authorization: Bearer`, so after the clerk types their personal token once the
pages keep a cookie instead: `<session id>.<staff id>.<expiry>.<signature>`, where the signature is
HMAC-SHA256 (with the link secret) of the three. The signature refuses a forged or edited cookie
without touching the database; the session id names a row of `staff_sessions`
(`store.staff_sessions`), checked on every request, so signing out ends the session for good, also
for a copy of the cookie (issue 8). The staff id is looked up again on every request, so a removed
person loses access.

Each HMAC input starts with its purpose ("staff-session", "csrf", "login-csrf"), so a value signed for
one use can never pass as another, nor as a citizen link key (which is signed with the same secret).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

SESSION_LIFETIME = timedelta(hours=8)  # one working day; then the token is asked again


@dataclass(frozen=True)
class SessionClaim:
    """What a well-signed, unexpired cookie says; the `staff_sessions` row decides if it still holds."""

    session_id: str
    staff_id: str
    expires_at: datetime


def _mac(secret: str, *parts: str) -> str:
    digest = hmac.new(secret.encode(), "\n".join(parts).encode(), hashlib.sha256).digest()
    return base64.urlsafe_b64encode(digest).decode().rstrip("=")


def same_token(a: str, b: str) -> bool:
    """Constant-time comparison that also accepts non-ASCII text (`compare_digest` on str does not)."""
    return hmac.compare_digest(a.encode(), b.encode())


def new_session_id() -> str:
    """A fresh random session id (URL-safe, no dots)."""
    return secrets.token_urlsafe(24)


def session_value(secret: str, session_id: str, staff_id: str, now: datetime) -> str:
    """The cookie value for session `session_id` of `staff_id`, valid for `SESSION_LIFETIME` from
    `now` (aware)."""
    expiry = str(int((now + SESSION_LIFETIME).timestamp()))
    return f"{session_id}.{staff_id}.{expiry}.{_mac(secret, 'staff-session', session_id, staff_id, expiry)}"


def read_session(secret: str, value: str, now: datetime) -> SessionClaim | None:
    """What a cookie value claims, or None when it is forged, malformed or expired."""
    session_id, _, rest = value.partition(".")
    parts = rest.rsplit(".", 2)
    if not session_id or len(parts) != 3:
        return None
    staff_id, expiry, signature = parts
    if not staff_id or not (expiry.isascii() and expiry.isdigit()):
        return None
    if not same_token(_mac(secret, "staff-session", session_id, staff_id, expiry), signature):
        return None
    if int(expiry) <= now.timestamp():
        return None
    return SessionClaim(session_id, staff_id, datetime.fromtimestamp(int(expiry), tz=now.tzinfo))


def csrf_token(secret: str, value: str) -> str:
    """The hidden field every staff form carries: bound to this session's cookie, so a page on
    another site cannot know it even if a browser sent the cookie along."""
    return _mac(secret, "csrf", value)


def new_login_nonce() -> str:
    """The sign-in form's pre-session cookie: random per browser (login CSRF, issue 8)."""
    return secrets.token_urlsafe(24)


def login_csrf_token(secret: str, nonce: str) -> str:
    """The sign-in form's hidden field, bound to that browser's nonce cookie: another site can
    neither read the field nor make a matching pair, so it cannot sign a browser into its account."""
    return _mac(secret, "login-csrf", nonce)

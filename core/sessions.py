"""Signed session cookies for the clerks' web pages, in the style of `core.links`.

A browser cannot send `Authorization: Bearer`, so after the clerk types their personal token once the
pages keep a cookie instead: `<staff id>.<expiry>.<signature>`, where the signature is HMAC-SHA256
(with the link secret) of the id and the expiry. Nothing is stored server-side: the cookie carries its
own expiry, and the staff id is looked up again on every request, so a removed person loses access.

Each HMAC input starts with its purpose ("staff-session", "csrf"), so a value signed for one use can
never pass as another, nor as a citizen link key (which is signed with the same secret).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
from datetime import datetime, timedelta

SESSION_LIFETIME = timedelta(hours=8)  # one working day; then the token is asked again


def _mac(secret: str, *parts: str) -> str:
    digest = hmac.new(secret.encode(), "\n".join(parts).encode(), hashlib.sha256).digest()
    return base64.urlsafe_b64encode(digest).decode().rstrip("=")


def same_token(a: str, b: str) -> bool:
    """Constant-time comparison that also accepts non-ASCII text (`compare_digest` on str does not)."""
    return hmac.compare_digest(a.encode(), b.encode())


def session_value(secret: str, staff_id: str, now: datetime) -> str:
    """The cookie value for `staff_id`, valid for `SESSION_LIFETIME` from `now` (aware)."""
    expiry = str(int((now + SESSION_LIFETIME).timestamp()))
    return f"{staff_id}.{expiry}.{_mac(secret, 'staff-session', staff_id, expiry)}"


def session_staff_id(secret: str, value: str, now: datetime) -> str | None:
    """The staff id a cookie value vouches for, or None when it is forged, malformed or expired."""
    parts = value.rsplit(".", 2)
    if len(parts) != 3:
        return None
    staff_id, expiry, signature = parts
    if not staff_id or not (expiry.isascii() and expiry.isdigit()):
        return None
    if not same_token(_mac(secret, "staff-session", staff_id, expiry), signature):
        return None
    if int(expiry) <= now.timestamp():
        return None
    return staff_id


def csrf_token(secret: str, value: str) -> str:
    """The hidden field every staff form carries: bound to this session's cookie, so a page on
    another site cannot know it even if a browser sent the cookie along."""
    return _mac(secret, "csrf", value)

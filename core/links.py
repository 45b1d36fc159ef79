"""The citizen's secret link: a keyed hash of the ticket, so no account is needed (R7).

The key binds both the workflow id (one per file) and the ticket id (one per request), so when a file
gets a new ticket the old link stops opening it.
"""

from __future__ import annotations

import base64
import hashlib
import hmac

from core.tenancy import workflow_id_for

__all__ = ["citizen_key", "citizen_url", "key_matches", "workflow_id_for"]


def citizen_key(secret: str, workflow_id: str, ticket_id: str) -> str:
    digest = hmac.new(secret.encode(), f"{workflow_id}\n{ticket_id}".encode(), hashlib.sha256).digest()
    return base64.urlsafe_b64encode(digest[:18]).decode()


def key_matches(secret: str, workflow_id: str, ticket_id: str, key: str) -> bool:
    return hmac.compare_digest(citizen_key(secret, workflow_id, ticket_id), key)


def citizen_url(base_url: str, secret: str, workflow_id: str, ticket_id: str) -> str:
    return f"{base_url.rstrip('/')}/bilet/{workflow_id}?cheie={citizen_key(secret, workflow_id, ticket_id)}"

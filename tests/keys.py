"""The payload keys a test session writes with: the development key (the `settings` fixture's and
the `env` client's) and the two that `tests/test_encryption.py` rotates between. Fixed and public,
like the development key, so that the session's replay test can open every ticket of the session."""

from __future__ import annotations

import base64

from core.settings import DEV_PAYLOAD_KEYS, Settings

KEY_A = base64.b64encode(b"rotation-test-key-a".ljust(32, b"-")).decode()
KEY_B = base64.b64encode(b"rotation-test-key-b".ljust(32, b"-")).decode()


def session_keyring() -> Settings:
    """Settings whose ring opens every payload of a test session; new payloads use the dev key (and
    Huedin's, its own development key, as in the default settings)."""
    return Settings(
        environment="test", payload_keys=f"{DEV_PAYLOAD_KEYS},a:{KEY_A},b:{KEY_B}", payload_key_id="dev"
    )

"""Webhook delivery, signed the way Webex signs.

Webex POSTs a JSON envelope to each matching webhook's `targetUrl` and, when the webhook has a
secret, adds `X-Spark-Signature`: the hex HMAC-SHA1 of the raw request body keyed with that secret.
Receivers must verify over the raw bytes, so the envelope is serialised once here and the same
bytes are signed and sent.

Delivery is awaited inside the control request that caused it (one attempt, no retries), so when
`POST /_control/meetings/{id}/end` returns, the receiver has already seen the events — tests need no
sleeping or polling. Webhooks registered without a secret are signed with the emulator's
`--webhook-secret` so the whole dev stack runs signed; real Webex would send them unsigned.
"""

from __future__ import annotations

import hashlib
import hmac
import json
from typing import Any
from urllib.parse import parse_qsl

import httpx

from webex_emulator.state import ACTOR_ID, EmulatorState, Webhook, now_utc, webex_timestamp

DELIVERY_TIMEOUT_SECONDS = 5.0


def sign(body: bytes, secret: str) -> str:
    return hmac.new(secret.encode(), body, hashlib.sha1).hexdigest()


def _passes_filter(hook: Webhook, data: dict[str, Any]) -> bool:
    """Webex webhook filters are `key=value` pairs joined by `&`, all of which must match."""
    if not hook.filter:
        return True
    return all(str(data.get(key)) == value for key, value in parse_qsl(hook.filter))


def envelope(hook: Webhook, resource: str, event: str, data: dict[str, Any]) -> dict[str, Any]:
    """Webex's envelope repeats the webhook's own fields (`created` is the webhook's creation time)."""
    body = hook.to_json()
    body.pop("secret", None)
    body.update({"resource": resource, "event": event, "actorId": ACTOR_ID, "data": data})
    return body


async def deliver(
    state: EmulatorState, default_secret: str, resource: str, event: str, data: dict[str, Any]
) -> list[dict[str, Any]]:
    """Send one event to every matching webhook; record and return one result per delivery."""
    results: list[dict[str, Any]] = []
    hooks = [h for h in state.webhooks.values() if h.matches(resource, event) and _passes_filter(h, data)]
    async with httpx.AsyncClient(timeout=DELIVERY_TIMEOUT_SECONDS) as client:
        for hook in hooks:
            raw = json.dumps(envelope(hook, resource, event, data), separators=(",", ":")).encode()
            headers = {
                "Content-Type": "application/json",
                "User-Agent": "Webex-Emulator-Webhooks",
                "X-Spark-Signature": sign(raw, hook.secret or default_secret),
            }
            status: int | None = None
            error: str | None = None
            try:
                response = await client.post(hook.target_url, content=raw, headers=headers)
                status = response.status_code
            except httpx.HTTPError as exc:
                error = f"{type(exc).__name__}: {exc}"
            result = {
                "webhookId": hook.id,
                "targetUrl": hook.target_url,
                "resource": resource,
                "event": event,
                "dataId": data.get("id"),
                "status": status,
                "error": error,
                "at": webex_timestamp(now_utc()),
            }
            state.deliveries.append(result)
            results.append(result)
    return results

"""Webex webhooks, our side: check a delivery's signature, read the event, register the webhooks.

Webex calls `POST /webhooks/webex` (see `http_api.webhooks`) when a ticket's meeting starts or ends
and when its recording appears. Those calls come from outside, so nothing in them is trusted before
`verify_signature` has checked the HMAC Webex computed with the secret we gave it at registration.

**Which event is which (`event_id`).** Webex's envelope has no per-event id: its `id`, `name`,
`created` and `targetUrl` are the *webhook's* fields, repeated on every delivery (the emulator does
the same, see `webex_emulator.delivery.envelope`). So the id is built from what the event is about:
`"<resource>:<event>:<data.id>"`, e.g. `meetings:ended:<meeting instance id>` or
`recordings:created:<recording id>`. A re-delivery of one event, or the same event arriving through
two registrations of the same webhook (two API processes registering at once), gives the same id;
any two different events differ in resource, event or the object's id (a meeting instance starts
and ends once; each recording has its own id). The webhook id is deliberately left out — that is
what makes the second-registration case a duplicate.

**Which meeting.** The workflow tags its ticket with the id `POST /meetings` returned (the series
id of a one-off meeting). The emulator sends that id as `data.id`, `data.meetingId` and
`data.meetingSeriesId` alike; real Webex sends the *instance* id as `data.id` (meeting events) or
`data.meetingId` (recordings) and the series id as `data.meetingSeriesId`. `meeting_id_candidates`
therefore lists every id the event names, series first, and the receiver looks the ticket up by
any of them.

Registration (`ensure_webhooks`) is idempotent and touches only webhooks pointing at our URL, so it
can run at every API start-up and from the dev stack without piling up duplicates or disturbing
anyone else's webhooks on the same Webex account.
"""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import logging
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, Protocol

from webexpythonsdk import WebexAPI

from core.settings import Settings, get_settings
from domain.models import WebexEvent
from integrations.webex import WebexMeetings

log = logging.getLogger(__name__)

SIGNATURE_HEADER = "X-Spark-Signature"
WEBHOOK_PATH = "/webhooks/webex"
# Registration runs while the API starts: fail fast rather than hold start-up for the SDK's 30 s.
REGISTRATION_TIMEOUT_SECONDS = 10

MEETING_STARTED = "meeting_started"
MEETING_ENDED = "meeting_ended"
RECORDING_CREATED = "recording_created"

# (resource, event) -> WebexEvent.kind; everything else is acknowledged and ignored.
EVENT_KINDS: Mapping[tuple[str, str], str] = {
    ("meetings", "started"): MEETING_STARTED,
    ("meetings", "ended"): MEETING_ENDED,
    ("recordings", "created"): RECORDING_CREATED,
}

# Webex ids are hex or URL-safe base64; anything else is refused before it reaches a visibility
# query string (where a quote would change the query's meaning).
_ID_PATTERN = re.compile(r"^[A-Za-z0-9_\-=.:]{1,200}$")
_EVENT_ID_MAX = 200  # WebexEvent.event_id and the webhook_events primary key


# --- signatures -------------------------------------------------------------------------------------


def sign(raw_body: bytes, secret: str) -> str:
    """Webex's `X-Spark-Signature`: hex HMAC-SHA1 of the raw body. Public for tests and tools."""
    return hmac.new(secret.encode(), raw_body, hashlib.sha1).hexdigest()


def verify_signature(raw_body: bytes, signature_header: str | None, secret: str) -> bool:
    """True only when `signature_header` is the HMAC-SHA1 of exactly these bytes under `secret`.

    Works on the raw bytes (re-serialised JSON would differ), compares in constant time (so the
    answer time leaks nothing about how much of a guess was right), and refuses a missing or empty
    signature *and* an empty secret — a blank secret must never make every delivery "valid".
    """
    if not signature_header or not secret:
        return False
    given = signature_header.strip().lower().encode("utf-8", "replace")
    return hmac.compare_digest(sign(raw_body, secret).encode(), given)


# --- events -----------------------------------------------------------------------------------------


def _clean_id(value: Any) -> str | None:
    return value if isinstance(value, str) and _ID_PATTERN.fullmatch(value) else None


def _data(body: Mapping[str, Any]) -> Mapping[str, Any]:
    data = body.get("data")
    return data if isinstance(data, Mapping) else {}


def event_kind(body: Mapping[str, Any]) -> str | None:
    """The `WebexEvent.kind` of an envelope, or None for an event the tickets do not use."""
    resource, event = body.get("resource"), body.get("event")
    if not isinstance(resource, str) or not isinstance(event, str):
        return None
    return EVENT_KINDS.get((resource, event))


def event_id_for(resource: str, event: str, object_id: str) -> str:
    """`resource:event:object id` (see the module docstring); hashed only if it would not fit."""
    readable = f"{resource}:{event}:{object_id}"
    if len(readable) <= _EVENT_ID_MAX:
        return readable
    return f"{resource}:{event}:sha256:{hashlib.sha256(object_id.encode()).hexdigest()}"


def meeting_id_candidates(body: Mapping[str, Any]) -> list[str]:
    """Every id under which the event's meeting may have been tagged, series id first.

    For meeting events `data.id` is the meeting (instance) itself; for recordings it is the
    recording, so it is not a candidate there. Ids that do not look like Webex ids are dropped.
    """
    data = _data(body)
    keys = ["meetingSeriesId", "scheduledMeetingId", "meetingId"]
    if body.get("resource") == "meetings":
        keys.append("id")
    found: list[str] = []
    for key in keys:
        value = _clean_id(data.get(key))
        if value is not None and value not in found:
            found.append(value)
    return found


def _webex_time(value: Any) -> datetime | None:
    """Webex timestamps (`2026-11-30T09:00:00.000Z`); None when absent or unreadable."""
    if not isinstance(value, str):
        return None
    try:
        parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None
    return parsed if parsed.tzinfo is not None else None


def parse_event(body: Mapping[str, Any], *, received_at: datetime | None = None) -> WebexEvent | None:
    """The verified envelope as the workflow's `WebexEvent`, or None when the tickets don't use it.

    None covers other resources/events (messages, meetings created/updated, …) and envelopes
    without the ids we need. `at` is the recording's `createTime` for recordings; meeting events
    carry no time of their own (only the scheduled start and end), so it is the moment we received
    the delivery (`received_at`, default now) — seconds after the fact, as Webex delivers at once.
    """
    kind = event_kind(body)
    if kind is None:
        return None
    data = _data(body)
    object_id = _clean_id(data.get("id"))
    candidates = meeting_id_candidates(body)
    if object_id is None or not candidates:
        return None
    at = received_at or datetime.now(UTC)
    if kind == RECORDING_CREATED:
        at = _webex_time(data.get("createTime")) or at
    return WebexEvent(
        event_id=event_id_for(str(body["resource"]), str(body["event"]), object_id),
        kind=kind,
        meeting_id=candidates[0],
        recording_id=object_id if kind == RECORDING_CREATED else None,
        at=at,
    )


# --- registration -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class WantedWebhook:
    resource: str
    event: str

    @property
    def name(self) -> str:
        return f"tichet-albastru {self.resource}/{self.event}"


WANTED: tuple[WantedWebhook, ...] = tuple(WantedWebhook(r, e) for r, e in EVENT_KINDS)


class WebhooksEndpoint(Protocol):
    """The slice of `webexpythonsdk`'s `WebexAPI.webhooks` used here."""

    def list(self) -> Iterable[Any]: ...

    def create(
        self,
        name: str,
        targetUrl: str,
        resource: str,
        event: str,
        filter: str | None = None,
        secret: str | None = None,
        **request_parameters: Any,
    ) -> Any: ...

    def delete(self, webhookId: str) -> None: ...


class HasWebhooks(Protocol):
    """`webexpythonsdk.WebexAPI`, or anything else that exposes `.webhooks` the same way."""

    @property
    def webhooks(self) -> WebhooksEndpoint: ...


def _field(item: Any, key: str) -> Any:
    """SDK items are dicts (`dict_data_factory`, as `WebexMeetings` builds them) or SDK objects."""
    return item.get(key) if isinstance(item, Mapping) else getattr(item, key, None)


def _endpoint(client: WebexMeetings | HasWebhooks | WebexAPI) -> WebhooksEndpoint:
    if isinstance(client, WebexMeetings):
        # `WebexMeetings` keeps its SDK private; reuse it rather than duplicating its set-up here.
        endpoint: WebhooksEndpoint = client._api.webhooks
        return endpoint
    endpoint = client.webhooks
    return endpoint


@dataclass(frozen=True)
class Registration:
    """What `ensure_webhooks` did, for logs and tests: webhook ids kept, created and deleted."""

    kept: tuple[str, ...]
    created: tuple[str, ...]
    deleted: tuple[str, ...]


def ensure_webhooks(
    client: WebexMeetings | HasWebhooks | WebexAPI,
    target_url: str,
    secret: str,
    *,
    owned_by: str | None = None,
) -> Registration:
    """Make Webex call `target_url`, signed with `secret`, for each event in `WANTED`. Idempotent.

    Lists the webhooks first and creates only what is missing. A webhook of ours (same target URL,
    resource and event) is replaced when it is not `active` (Webex deactivates webhooks whose
    deliveries keep failing) or when Webex shows a secret other than `secret` (after a rotation,
    its signatures would all be refused); surplus copies left by two processes registering at the
    same moment are deleted. Webhooks pointing elsewhere are never touched.

    `owned_by="org"` registers org-wide webhooks (needed on real Webex when an admin integration
    schedules meetings for the clerks); the default is the token owner's own meetings.

    Raises the SDK's errors (`ApiError`, `requests` exceptions): callers decide whether a failure
    is fatal (`main`) or only logged (`register_at_startup`).
    """
    if not secret:
        raise ValueError("a webhook secret is required: unsigned deliveries are refused")
    endpoint = _endpoint(client)
    ours: dict[tuple[str, str], list[Any]] = {}
    for hook in endpoint.list():
        key = (str(_field(hook, "resource")), str(_field(hook, "event")))
        if _field(hook, "targetUrl") == target_url and WantedWebhook(*key) in WANTED:
            ours.setdefault(key, []).append(hook)

    kept: list[str] = []
    created: list[str] = []
    deleted: list[str] = []
    for wanted in WANTED:
        usable: str | None = None
        for hook in ours.get((wanted.resource, wanted.event), []):
            hook_id = str(_field(hook, "id"))
            shown_secret = _field(hook, "secret")
            healthy = _field(hook, "status") in (None, "active") and shown_secret in (None, secret)
            if healthy and usable is None:
                usable = hook_id
                continue
            endpoint.delete(hook_id)
            deleted.append(hook_id)
        if usable is not None:
            kept.append(usable)
            continue
        extra = {"ownedBy": owned_by} if owned_by else {}
        hook = endpoint.create(
            name=wanted.name,
            targetUrl=target_url,
            resource=wanted.resource,
            event=wanted.event,
            secret=secret,
            **extra,
        )
        created.append(str(_field(hook, "id")))
    return Registration(kept=tuple(kept), created=tuple(created), deleted=tuple(deleted))


def webhook_target_url(settings: Settings) -> str:
    """Where Webex must deliver: the API's public address plus the receiver's path."""
    return settings.public_base_url.rstrip("/") + WEBHOOK_PATH


def webex_api(settings: Settings, *, timeout_seconds: int = REGISTRATION_TIMEOUT_SECONDS) -> WebexAPI:
    """A plain SDK client for registration, set up like `WebexMeetings` (no in-process rate-limit
    sleeping, explicit token so the SDK never falls back to the environment)."""
    base_url = settings.webex_base_url
    base_url = base_url if base_url.endswith("/") else base_url + "/"
    return WebexAPI(
        access_token=settings.webex_token,
        base_url=base_url,
        single_request_timeout=timeout_seconds,
        wait_on_rate_limit=False,
    )


def register(settings: Settings, target_url: str | None = None) -> Registration:
    """`ensure_webhooks` with the configured token, secret and public URL (blocking)."""
    return ensure_webhooks(
        webex_api(settings), target_url or webhook_target_url(settings), settings.webex_webhook_secret
    )


async def register_at_startup(settings: Settings) -> bool:
    """For the API's lifespan: register, log the outcome, never raise.

    The API must come up even when Webex is unreachable: tickets still work without webhooks (the
    workflow's own timers and the recording look-up carry on), and the next start-up, or
    `python -m integrations.webex_webhooks`, registers them.
    """
    try:
        result = await asyncio.to_thread(register, settings)
    except Exception:
        log.exception("could not register the Webex webhooks at %s", webhook_target_url(settings))
        return False
    log.info(
        "Webex webhooks at %s: %d kept, %d created, %d replaced",
        webhook_target_url(settings),
        len(result.kept),
        len(result.created),
        len(result.deleted),
    )
    return True


def main() -> None:
    """`python -m integrations.webex_webhooks`: register once (dev stack, deployment step)."""
    logging.basicConfig(level=logging.INFO, format="%(message)s")
    settings = get_settings()
    result = register(settings)
    print(
        f"Webex webhooks at {webhook_target_url(settings)}: kept {list(result.kept)}, "
        f"created {list(result.created)}, deleted {list(result.deleted)}"
    )


if __name__ == "__main__":
    main()

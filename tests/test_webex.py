"""The Webex client (`integrations.webex`) against the Webex emulator, over real HTTP.

Both the emulator and a tiny webhook receiver run under uvicorn in background threads on
127.0.0.1, so requests, signatures and webhook deliveries cross real sockets as they would in
production. State is reset before every test through the emulator's own control API.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import socket
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import httpx
import pytest
import uvicorn
from fastapi import FastAPI, Request
from webexpythonsdk import WebexAPI

from integrations.webex import (
    CreatedMeeting,
    WebexMeetings,
    WebexPermanentError,
    WebexRetryableError,
)
from webex_emulator import create_app

TOKEN = "test-webex-token"
DEFAULT_SECRET = "test-default-webhook-secret"
BUCHAREST = ZoneInfo("Europe/Bucharest")


class _ServerThread:
    """uvicorn on a socket bound before start (no free-port race), in a daemon thread."""

    def __init__(self, app: FastAPI) -> None:
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.sock.bind(("127.0.0.1", 0))
        self.port = self.sock.getsockname()[1]
        config = uvicorn.Config(app, log_level="warning", lifespan="off", access_log=False)
        self.server = uvicorn.Server(config)
        self.thread = threading.Thread(target=self.server.run, kwargs={"sockets": [self.sock]}, daemon=True)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def __enter__(self) -> _ServerThread:
        self.thread.start()
        deadline = time.monotonic() + 10
        while not self.server.started:
            if time.monotonic() > deadline or not self.thread.is_alive():
                raise RuntimeError("uvicorn did not start")
            time.sleep(0.02)
        return self

    def __exit__(self, *_: object) -> None:
        self.server.should_exit = True
        self.thread.join(timeout=10)
        self.sock.close()


@dataclass
class Receiver:
    url: str
    received: list[tuple[dict[str, str], bytes]] = field(default_factory=list)

    def events(self) -> list[dict[str, Any]]:
        return [json.loads(body) for _, body in self.received]


@pytest.fixture(scope="module")
def emulator() -> Iterator[str]:
    with _ServerThread(create_app(token=TOKEN, webhook_secret=DEFAULT_SECRET)) as server:
        yield server.url


@pytest.fixture(scope="module")
def receiver() -> Iterator[Receiver]:
    app = FastAPI()
    box: list[tuple[dict[str, str], bytes]] = []

    @app.post("/hooks/webex")
    async def hook(request: Request) -> dict[str, bool]:
        box.append((dict(request.headers), await request.body()))
        return {"ok": True}

    with _ServerThread(app) as server:
        yield Receiver(url=f"{server.url}/hooks/webex", received=box)


@pytest.fixture(autouse=True)
def clean(request: pytest.FixtureRequest) -> None:
    if "emulator" in request.fixturenames:
        base = request.getfixturevalue("emulator")
        httpx.post(f"{base}/_control/reset").raise_for_status()
    if "receiver" in request.fixturenames:
        request.getfixturevalue("receiver").received.clear()


@pytest.fixture
def webex(emulator: str) -> WebexMeetings:
    return WebexMeetings(base_url=f"{emulator}/v1", token=TOKEN)  # no trailing slash on purpose


@pytest.fixture
def sdk(emulator: str) -> WebexAPI:
    return WebexAPI(access_token=TOKEN, base_url=f"{emulator}/v1/", wait_on_rate_limit=False)


def control(emulator: str, path: str, body: dict[str, Any] | None = None) -> dict[str, Any]:
    response = httpx.post(f"{emulator}/_control/{path}", json=body)
    response.raise_for_status()
    result: dict[str, Any] = response.json()
    return result


def state(emulator: str) -> dict[str, Any]:
    result: dict[str, Any] = httpx.get(f"{emulator}/_control/state").json()
    return result


def slot(days: int = 1) -> tuple[datetime, datetime]:
    start = (datetime.now(UTC) + timedelta(days=days)).replace(second=0, microsecond=0)
    return start, start + timedelta(minutes=15)


def schedule(webex: WebexMeetings, **kwargs: Any) -> CreatedMeeting:
    start, end = slot()
    return webex.create_meeting("Tichet albastru T-0001", start, end, "clerk@primaria.example", **kwargs)


def test_create_meeting_sends_the_fixed_settings(webex: WebexMeetings, emulator: str) -> None:
    start, end = slot()
    created = webex.create_meeting("Tichet albastru T-0001", start, end, "clerk@primaria.example")

    assert created.start == start and created.end == end
    assert created.start.utcoffset() == start.astimezone(BUCHAREST).utcoffset()
    assert created.join_url.startswith("https://")
    [meeting] = state(emulator)["meetings"]
    assert meeting["id"] == created.id
    assert meeting["enabledAutoRecordMeeting"] is True
    assert meeting["enabledJoinBeforeHost"] is False
    assert meeting["sendEmail"] is False
    assert meeting["timezone"] == "Europe/Bucharest"
    assert meeting["hostEmail"] == "clerk@primaria.example"
    assert meeting["title"] == "Tichet albastru T-0001"
    assert meeting["state"] == "scheduled"
    assert datetime.fromisoformat(meeting["start"]) == start
    assert meeting["start"] == start.astimezone(BUCHAREST).isoformat(timespec="seconds")
    assert datetime.fromisoformat(meeting["end"]) == end


def test_naive_or_inverted_times_are_refused(webex: WebexMeetings) -> None:
    start, end = slot()
    with pytest.raises(ValueError, match="timezone-aware"):
        webex.create_meeting("T", start.replace(tzinfo=None), end, "clerk@primaria.example")
    with pytest.raises(ValueError, match="end after"):
        webex.create_meeting("T", end, start, "clerk@primaria.example")


def test_bad_token_is_permanent(emulator: str) -> None:
    client = WebexMeetings(base_url=f"{emulator}/v1/", token="wrong-token")
    with pytest.raises(WebexPermanentError) as caught:
        client.post_message("clerk@primaria.example", "hello")
    assert caught.value.status_code == 401
    assert caught.value.tracking_id and caught.value.tracking_id.startswith("ROUTER_")


def test_error_bodies_are_webex_shaped(emulator: str) -> None:
    headers = {"Authorization": f"Bearer {TOKEN}"}
    body = httpx.get(f"{emulator}/v1/meetings/does-not-exist", headers=headers).json()
    assert body["message"] == "Meeting not found."
    assert body["errors"] == [{"description": "Meeting not found."}]
    assert body["trackingId"]
    assert httpx.get(f"{emulator}/v1/meetings").status_code == 401


def test_injected_429_is_retryable_with_retry_after(webex: WebexMeetings, emulator: str) -> None:
    control(
        emulator, "faults", {"path_prefix": "/v1/meetings", "method": "POST", "status": 429, "retry_after": 7}
    )
    with pytest.raises(WebexRetryableError) as caught:
        schedule(webex)
    assert caught.value.status_code == 429
    assert caught.value.retry_after == 7
    schedule(webex)  # the fault was for one request only
    assert len(state(emulator)["meetings"]) == 1


@pytest.mark.parametrize(("status", "retry_after"), [(503, 3), (500, None)])
def test_injected_5xx_is_retryable(
    webex: WebexMeetings, emulator: str, status: int, retry_after: int | None
) -> None:
    fault = {"path_prefix": "/v1/messages", "status": status, "count": 2, "retry_after": retry_after}
    control(emulator, "faults", fault)
    for _ in range(2):
        with pytest.raises(WebexRetryableError) as caught:
            webex.post_message("clerk@primaria.example", "hello")
        assert caught.value.status_code == status
        assert caught.value.retry_after == retry_after
    assert webex.post_message("clerk@primaria.example", "hello")


def test_injected_401_fault_is_permanent_and_faults_clear(webex: WebexMeetings, emulator: str) -> None:
    control(emulator, "faults", {"path_prefix": "/v1/meetings", "method": "POST", "status": 401, "count": 5})
    assert webex.find_recording("anything") is None  # other paths are untouched
    with pytest.raises(WebexPermanentError):
        schedule(webex)
    assert httpx.delete(f"{emulator}/_control/faults").json() == {"faults": []}
    schedule(webex)


def test_unreachable_webex_is_retryable() -> None:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]  # bound but not listening: connection refused
        client = WebexMeetings(base_url=f"http://127.0.0.1:{port}/v1/", token=TOKEN, timeout_seconds=2)
        with pytest.raises(WebexRetryableError) as caught:
            client.post_message("clerk@primaria.example", "hello")
    assert caught.value.status_code is None


def test_delete_unknown_is_not_an_error(webex: WebexMeetings) -> None:
    webex.delete_meeting("0123456789abcdef0123456789abcdef")


def test_delete_cancels_without_webex_email(webex: WebexMeetings, emulator: str) -> None:
    created = schedule(webex)
    webex.delete_meeting(created.id)
    webex.delete_meeting(created.id)  # a retried cancellation is harmless
    dump = state(emulator)
    assert dump["meetings"] == []
    [tombstone] = dump["deletedMeetings"]
    assert tombstone["id"] == created.id
    assert tombstone["cancellationEmailSent"] is False


def test_update_moves_the_meeting_and_keeps_settings(webex: WebexMeetings, emulator: str) -> None:
    created = schedule(webex, idempotency_key="wf-update")
    new_start, new_end = slot(days=2)
    moved = webex.update_meeting(created.id, new_start, new_end)

    assert moved.id == created.id and moved.start == new_start and moved.end == new_end
    [meeting] = state(emulator)["meetings"]
    assert datetime.fromisoformat(meeting["start"]) == new_start
    assert meeting["title"] == "Tichet albastru T-0001"
    assert meeting["hostEmail"] == "clerk@primaria.example"
    assert meeting["enabledAutoRecordMeeting"] is True
    assert meeting["enabledJoinBeforeHost"] is False
    assert meeting["sendEmail"] is False
    assert meeting["integrationTags"] == ["wf-update"]


def test_update_unknown_is_permanent(webex: WebexMeetings) -> None:
    start, end = slot()
    with pytest.raises(WebexPermanentError) as caught:
        webex.update_meeting("0123456789abcdef0123456789abcdef", start, end)
    assert caught.value.status_code == 404


def test_idempotency_key_reuses_the_meeting(webex: WebexMeetings, emulator: str) -> None:
    first = schedule(webex, idempotency_key="wf-42")
    again = schedule(webex, idempotency_key="wf-42")
    other = schedule(webex, idempotency_key="wf-43")
    assert again == first
    assert other.id != first.id
    assert len(state(emulator)["meetings"]) == 2


def test_posted_message_is_visible(webex: WebexMeetings, sdk: WebexAPI, emulator: str) -> None:
    message_id = webex.post_message("clerk@primaria.example", "**Tichet albastru**: o audiență nouă")

    headers = {"Authorization": f"Bearer {TOKEN}"}
    [listed] = httpx.get(f"{emulator}/v1/messages", headers=headers).json()["items"]
    assert listed["id"] == message_id
    assert listed["toPersonEmail"] == "clerk@primaria.example"
    assert listed["markdown"] == "**Tichet albastru**: o audiență nouă"
    [direct] = list(sdk.messages.list_direct(personEmail="clerk@primaria.example"))
    assert direct.id == message_id and direct.roomType == "direct"


def _verify(receiver: Receiver, index: int, secret: str) -> dict[str, Any]:
    headers, raw = receiver.received[index]
    expected = hmac.new(secret.encode(), raw, hashlib.sha1).hexdigest()
    assert hmac.compare_digest(headers["x-spark-signature"], expected)
    event: dict[str, Any] = json.loads(raw)
    return event


def test_meeting_lifecycle_delivers_signed_webhooks_and_a_recording(
    webex: WebexMeetings, sdk: WebexAPI, emulator: str, receiver: Receiver
) -> None:
    own_secret = "webhook-own-secret"
    sdk.webhooks.create("meetings", receiver.url, "meetings", "all", secret=own_secret)
    sdk.webhooks.create("recordings", receiver.url, "recordings", "created")  # signed with the default
    sdk.webhooks.create("messages", receiver.url, "messages", "created")  # must not fire
    created = schedule(webex)
    assert webex.find_recording(created.id) is None

    started = control(emulator, f"meetings/{created.id}/start")
    assert started["statuses"] == [200] and started["meeting"]["state"] == "inProgress"
    ended = control(emulator, f"meetings/{created.id}/end")
    assert ended["statuses"] == [200, 200]

    start_event = _verify(receiver, 0, own_secret)
    end_event = _verify(receiver, 1, own_secret)
    recording_event = _verify(receiver, 2, DEFAULT_SECRET)
    assert len(receiver.received) == 3
    assert (start_event["resource"], start_event["event"]) == ("meetings", "started")
    assert (end_event["resource"], end_event["event"]) == ("meetings", "ended")
    assert end_event["data"]["id"] == end_event["data"]["meetingId"] == created.id
    assert end_event["targetUrl"] == receiver.url and end_event["actorId"] and end_event["created"]
    assert "secret" not in end_event
    assert (recording_event["resource"], recording_event["event"]) == ("recordings", "created")
    assert recording_event["data"]["meetingId"] == created.id

    recording_id = webex.find_recording(created.id)
    assert recording_id is not None
    assert recording_id == recording_event["data"]["id"] == ended["recording"]["id"]
    info = webex.get_recording(recording_id)
    assert info.meeting_id == created.id and info.duration_seconds and info.duration_seconds > 0
    download = httpx.get(info.download_url)
    assert download.status_code == 200 and download.headers["content-type"] == "video/mp4"
    assert state(emulator)["meetings"][0]["state"] == "ended"
    assert httpx.post(f"{emulator}/_control/meetings/{created.id}/start").status_code == 409


def test_failed_meeting_ends_without_recording(
    webex: WebexMeetings, sdk: WebexAPI, emulator: str, receiver: Receiver
) -> None:
    sdk.webhooks.create("all", receiver.url, "all", "all")
    created = schedule(webex)
    control(emulator, f"meetings/{created.id}/start")
    failed = control(emulator, f"meetings/{created.id}/fail")

    assert failed["recording"] is None and failed["statuses"] == [200]
    assert [(e["resource"], e["event"]) for e in receiver.events()] == [
        ("meetings", "started"),
        ("meetings", "ended"),
    ]
    _verify(receiver, 1, DEFAULT_SECRET)
    assert webex.find_recording(created.id) is None
    assert state(emulator)["meetings"][0]["emulator"]["outcome"] == "failed"


def test_unreachable_receiver_is_reported_not_raised(
    webex: WebexMeetings, sdk: WebexAPI, emulator: str
) -> None:
    sdk.webhooks.create("dead", "http://127.0.0.1:9/nothing", "meetings", "ended")
    created = schedule(webex)
    ended = control(emulator, f"meetings/{created.id}/end")
    assert ended["statuses"] == [None]
    assert ended["deliveries"][0]["error"]


def test_reset_forgets_everything(
    webex: WebexMeetings, sdk: WebexAPI, emulator: str, receiver: Receiver
) -> None:
    sdk.webhooks.create("meetings", receiver.url, "meetings", "ended")
    created = schedule(webex)
    webex.post_message("clerk@primaria.example", "hello")
    control(emulator, f"meetings/{created.id}/end")
    control(emulator, "faults", {"status": 503, "count": 9})
    assert all(state(emulator)[key] for key in ("meetings", "messages", "recordings", "webhooks", "faults"))

    assert control(emulator, "reset") == {"ok": True}
    assert all(not value for value in state(emulator).values())
    assert list(sdk.webhooks.list()) == []

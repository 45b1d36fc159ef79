"""Abuse limits (issue 10): per client address and per file / ticket, on the real Redis server (two
API instances over real HTTP sharing one limit) and on the in-process memory store; the 429's body,
`Retry-After` and page; the trusted-proxy rule."""

from __future__ import annotations

import logging
import uuid
from collections.abc import AsyncIterator, Callable, Iterator
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from typing import Any

import httpx
import pytest
import redis
from pydantic import ValidationError
from starlette.requests import Request
from temporalio.testing import WorkflowEnvironment

from api import create_app
from core.catalogs import text
from core.settings import Settings
from domain.models import Language
from http_api.rate_limits import client_address
from tests.servers import serve_in_loop

REDIS_URL = "redis://127.0.0.1:6379/0"
SLOTS_QUERY = {"registration_number": "104233/2026", "requester_name": "Ana Pop", "filing_date": "2026-01-05"}

Serve = Callable[..., AbstractAsyncContextManager[httpx.AsyncClient]]


@pytest.fixture
def prefix() -> Iterator[str]:
    """A key prefix of this test's own; afterwards only its keys are removed from Redis."""
    name = f"tichet-test-{uuid.uuid4().hex[:12]}"
    yield name
    server = redis.Redis.from_url(REDIS_URL)
    keys = list(server.scan_iter(match=f"*{name}*"))
    if keys:
        server.delete(*keys)
    server.close()


@pytest.fixture
def serve(env: WorkflowEnvironment, settings: Settings, prefix: str) -> Serve:
    """An API instance of its own over real HTTP, with the session's city and these settings."""

    @asynccontextmanager
    async def run(**overrides: Any) -> AsyncIterator[httpx.AsyncClient]:
        own = settings.model_copy(update={"rate_limit_key_prefix": prefix, **overrides})
        app = create_app(own, client=env.client)
        # As in production (README): uvicorn's own X-Forwarded-For handling (on by default for
        # 127.0.0.1) is off, so TICHET_TRUSTED_PROXIES is the one rule.
        served = serve_in_loop(app, proxy_headers=False)
        async with served as url, httpx.AsyncClient(base_url=url, timeout=30) as http:
            yield http

    return run


def redis_keys(prefix: str) -> list[bytes]:
    server = redis.Redis.from_url(REDIS_URL)
    try:
        return list(server.scan_iter(match=f"*{prefix}*"))
    finally:
        server.close()


async def test_two_api_instances_share_one_limit_in_redis(serve: Serve, prefix: str) -> None:
    limits = {"rate_limit_storage": REDIS_URL, "rate_limit_slots_per_address": "3/minute"}
    async with serve(**limits) as first, serve(**limits) as second:
        answers = [
            (await first.get("/slots", params=SLOTS_QUERY)).status_code,
            (await second.get("/slots", params=SLOTS_QUERY)).status_code,
            (await first.get("/slots", params=SLOTS_QUERY)).status_code,
        ]
        assert 429 not in answers
        refused = await second.get("/slots", params=SLOTS_QUERY)
        assert refused.status_code == 429
        assert refused.json()["code"] == "too_many_requests"
        assert redis_keys(prefix), "the counters are in Redis, under this test's prefix"


async def test_the_429_says_when_to_come_back_in_romanian_or_english(serve: Serve) -> None:
    async with serve(rate_limit_storage=REDIS_URL, rate_limit_slots_per_address="1/minute") as http:
        await http.get("/slots", params=SLOTS_QUERY)
        ro = await http.get("/slots", params=SLOTS_QUERY)
        en = await http.get("/slots", params=SLOTS_QUERY, headers={"Accept-Language": "en"})
    for answer in (ro, en):
        assert answer.status_code == 429
        seconds = int(answer.headers["Retry-After"])
        assert 1 <= seconds <= 60
    wait = ro.headers["Retry-After"]
    assert ro.json()["message"] == text("too_many_requests", Language.RO, detail=wait)
    assert en.json()["code"] == "too_many_requests"
    assert en.json()["message"] == text("too_many_requests", Language.EN, detail=en.headers["Retry-After"])
    assert "Prea multe cereri" in ro.json()["message"]


async def test_one_file_is_limited_whatever_address_asks(serve: Serve) -> None:
    """Per registration number: many addresses (through the trusted proxy) share the file's limit,
    and its spellings (`104233-2026`, `104233/2026`) are one file."""
    limits = {
        "rate_limit_storage": REDIS_URL,
        "trusted_proxy_header": "X-Forwarded-For",
        "trusted_proxies": "127.0.0.1",
        "rate_limit_slots_per_file": "2/minute",
    }
    async with serve(**limits) as http:
        for n, spelling in enumerate(("104233/2026", "104233-2026")):
            query = {**SLOTS_QUERY, "registration_number": spelling}
            answer = await http.get("/slots", params=query, headers={"X-Forwarded-For": f"198.51.100.{n}"})
            assert answer.status_code != 429
        third = await http.get("/slots", params=SLOTS_QUERY, headers={"X-Forwarded-For": "198.51.100.9"})
        other = {**SLOTS_QUERY, "registration_number": "999999/2026"}
        other_file = await http.get("/slots", params=other, headers={"X-Forwarded-For": "198.51.100.9"})
    assert third.status_code == 429
    assert other_file.status_code != 429


async def test_ticket_requests_are_limited_per_file_from_the_json_body(serve: Serve) -> None:
    limits = {"rate_limit_storage": REDIS_URL, "rate_limit_tickets_per_file": "2/minute"}
    body = {"registration_number": "104233/2026", "requester_name": "Ana Pop", "filing_date": "2026-01-05"}
    async with serve(**limits) as http:
        first = await http.post("/tickets", json=body)  # refused (incomplete), but counted
        second = await http.post("/tickets", json={**body, "registration_number": "104233.2026"})
        third = await http.post("/tickets", json=body)
        other = await http.post("/tickets", json={**body, "registration_number": "111111/2026"})
    assert first.status_code == 422
    assert second.status_code == 422
    assert third.status_code == 429
    assert third.json()["code"] == "too_many_requests"
    assert other.status_code == 422


async def test_ticket_links_are_limited_per_ticket(serve: Serve) -> None:
    limits = {"rate_limit_storage": REDIS_URL, "rate_limit_link_per_ticket": "2/minute"}
    async with serve(**limits) as http:
        answers = [
            (await http.get("/bilet/tichet-1/date", params={"cheie": "a" * 16})).status_code,
            (await http.get("/bilet/tichet-1", params={"cheie": "b" * 16})).status_code,
        ]
        refused = await http.post("/bilet/tichet-1/cancel", params={"cheie": "c" * 16}, json={})
        other = await http.get("/bilet/tichet-2", params={"cheie": "a" * 16})
    assert 429 not in answers
    assert refused.status_code == 429
    assert other.status_code != 429


async def test_clerk_sign_in_is_limited_per_address_with_a_page(serve: Serve) -> None:
    async with serve(rate_limit_storage=REDIS_URL, rate_limit_sign_in_per_address="2/minute") as http:
        for _ in range(2):
            tried = await http.post("/personal/intrare", data={"token": "guess"})
            assert tried.status_code != 429
        refused = await http.post("/personal/intrare", data={"token": "guess"})
    assert refused.status_code == 429
    assert refused.headers["content-type"].startswith("text/html")
    assert int(refused.headers["Retry-After"]) >= 1
    sentence = text("too_many_requests", Language.RO, detail=refused.headers["Retry-After"])
    assert sentence in refused.text


async def test_the_slot_page_shares_the_slot_limit_and_answers_with_a_page(serve: Serve) -> None:
    async with serve(rate_limit_slots_per_address="1/minute") as http:  # the memory store
        await http.get("/slots", params=SLOTS_QUERY)
        page = await http.get("/alege", params=SLOTS_QUERY, headers={"Accept-Language": "en"})
    assert page.status_code == 429
    assert page.headers["content-type"].startswith("text/html")
    assert text("too_many_requests", Language.EN, detail=page.headers["Retry-After"]) in page.text


async def test_the_memory_store_counts_in_its_own_process_only(serve: Serve, prefix: str) -> None:
    limits = {"rate_limit_storage": "memory://", "rate_limit_slots_per_address": "1/minute"}
    async with serve(**limits) as first, serve(**limits) as second:
        assert (await first.get("/slots", params=SLOTS_QUERY)).status_code != 429
        assert (await first.get("/slots", params=SLOTS_QUERY)).status_code == 429
        assert (await second.get("/slots", params=SLOTS_QUERY)).status_code != 429
    assert redis_keys(prefix) == []


async def test_a_forwarded_header_from_an_untrusted_peer_is_ignored(serve: Serve) -> None:
    """Loopback is not a trusted proxy here: a client cannot escape its limit by writing addresses
    into X-Forwarded-For itself."""
    limits = {
        "rate_limit_storage": REDIS_URL,
        "trusted_proxy_header": "X-Forwarded-For",
        "trusted_proxies": "10.0.0.1",
        "rate_limit_slots_per_address": "2/minute",
    }
    async with serve(**limits) as http:
        answers = [
            (await http.get("/slots", params=SLOTS_QUERY, headers={"X-Forwarded-For": f"203.0.113.{n}"}))
            for n in range(3)
        ]
    assert [a.status_code == 429 for a in answers] == [False, False, True]


async def test_a_forwarded_header_from_a_trusted_proxy_names_the_client(serve: Serve) -> None:
    limits = {
        "rate_limit_storage": REDIS_URL,
        "trusted_proxy_header": "X-Forwarded-For",
        "trusted_proxies": "127.0.0.1",
        "rate_limit_slots_per_address": "1/minute",
    }
    async with serve(**limits) as http:
        one = await http.get("/slots", params=SLOTS_QUERY, headers={"X-Forwarded-For": "203.0.113.1"})
        two = await http.get("/slots", params=SLOTS_QUERY, headers={"X-Forwarded-For": "203.0.113.2"})
        again = await http.get("/slots", params=SLOTS_QUERY, headers={"X-Forwarded-For": "203.0.113.1"})
    assert (one.status_code, two.status_code) != (429, 429)
    assert one.status_code != 429
    assert two.status_code != 429
    assert again.status_code == 429


def _request(peer: str, forwarded: str | None) -> Request:
    headers = [(b"x-forwarded-for", forwarded.encode())] if forwarded is not None else []
    return Request({"type": "http", "headers": headers, "client": (peer, 5000), "method": "GET", "path": "/"})


@pytest.mark.parametrize(
    ("peer", "forwarded", "client"),
    [
        ("10.0.0.1", "203.0.113.7", "203.0.113.7"),
        # a client's own forged entries stay left of what the proxy appended
        ("10.0.0.1", "6.6.6.6, 203.0.113.7", "203.0.113.7"),
        # two trusted hops (10.0.0.0/24): the first untrusted address from the right
        ("10.0.0.1", "203.0.113.7, 10.0.0.2", "203.0.113.7"),
        ("198.51.100.5", "203.0.113.7", "198.51.100.5"),  # not a proxy: the header is not read
        ("10.0.0.1", None, "10.0.0.1"),
        ("10.0.0.1", "not-an-address", "10.0.0.1"),
    ],
)
def test_client_address_reads_the_header_only_from_trusted_proxies(
    peer: str, forwarded: str | None, client: str
) -> None:
    settings = Settings(trusted_proxy_header="X-Forwarded-For", trusted_proxies="10.0.0.0/24")
    assert client_address(_request(peer, forwarded), settings) == client


async def test_an_unreachable_store_lets_requests_through(
    serve: Serve, caplog: pytest.LogCaptureFixture
) -> None:
    """Abuse protection must not take the service down: no Redis, no limit (and a warning)."""
    limits = {"rate_limit_storage": "redis://127.0.0.1:1/0", "rate_limit_slots_per_address": "1/minute"}
    with caplog.at_level(logging.WARNING, logger="http_api.rate_limits"):
        async with serve(**limits) as http:
            answers = [(await http.get("/slots", params=SLOTS_QUERY)).status_code for _ in range(3)]
    assert 429 not in answers
    assert 503 not in answers
    warnings = [r for r in caplog.records if r.name == "http_api.rate_limits"]
    assert len(warnings) == 3
    assert all("rate limit store unavailable" in r.getMessage() for r in warnings)


def test_a_mistyped_limit_stops_start_up_by_name() -> None:
    with pytest.raises(ValidationError, match="TICHET_RATE_LIMIT_SLOTS_PER_FILE"):
        Settings(rate_limit_slots_per_file="3 per fortnight")
    with pytest.raises(ValidationError, match="TICHET_TRUSTED_PROXIES"):
        Settings(trusted_proxies="10.0.0.300")


async def test_the_codec_server_is_limited_per_address(serve: Serve) -> None:
    async with serve(rate_limit_storage=REDIS_URL, rate_limit_codec_per_address="1/minute") as http:
        first = await http.post("/codec/decode", json={"payloads": []})  # 401 (no token), counted
        second = await http.post("/personal/codec/decode", json={"payloads": []})
    assert first.status_code != 429
    assert second.status_code == 429
    assert second.json()["code"] == "too_many_requests"

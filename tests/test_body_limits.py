"""Request size limits (issue 10): a body over its limit gets a 413 in the error shape before it is
read whole, over real HTTP: a declared length, a chunked body, the Webex webhook, the codec server's
own limit."""

from __future__ import annotations

import asyncio
from urllib.parse import urlsplit

import httpx
from temporalio.testing import WorkflowEnvironment

from api import create_app
from core.catalogs import text
from core.settings import Settings
from domain.models import Language
from tests.servers import serve_in_loop

LIMIT = 64 * 1024


async def _raw_exchange(base_url: str, head: bytes, body_part: bytes) -> bytes:
    """Send a request head and only part of the body it declares; return what the server answers."""
    parts = urlsplit(base_url)
    reader, writer = await asyncio.open_connection(parts.hostname, parts.port)
    try:
        writer.write(head + body_part)
        await writer.drain()
        return await asyncio.wait_for(reader.read(65536), timeout=10)
    finally:
        writer.close()


async def test_a_declared_length_over_the_limit_is_refused_before_the_body_is_sent(
    api: httpx.AsyncClient,
) -> None:
    """The head declares 10 MB and only 10 bytes follow: the 413 comes without waiting for the rest."""
    head = (
        b"POST /tickets HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
        b"Accept-Language: en\r\nContent-Length: 10000000\r\n\r\n"
    )
    answer = await _raw_exchange(str(api.base_url), head, b'{"a": "b",')
    status_line, _, rest = answer.partition(b"\r\n")
    assert status_line == b"HTTP/1.1 413 Request Entity Too Large"
    body = rest.partition(b"\r\n\r\n")[2]
    assert b'"code": "request_too_large"' in body
    assert text("request_too_large", Language.EN, detail=str(LIMIT)).encode() in body
    at_the_limit = await api.post("/tickets", content=b"{" + b" " * (LIMIT - 2) + b"}")
    assert at_the_limit.status_code == 422  # read whole and validated as before: just not a ticket


async def test_a_chunked_body_over_the_limit_is_refused(api: httpx.AsyncClient) -> None:
    """No Content-Length: the bytes are counted as they arrive; past the limit the 413 answers."""
    chunk = b" " * 16384
    chunked = b"".join(b"%x\r\n%s\r\n" % (len(chunk), chunk) for _ in range(5)) + b"0\r\n\r\n"
    head = (
        b"POST /tickets HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
        b"Transfer-Encoding: chunked\r\n\r\n"
    )
    answer = await _raw_exchange(str(api.base_url), head, chunked)
    status_line, _, rest = answer.partition(b"\r\n")
    assert status_line == b"HTTP/1.1 413 Request Entity Too Large"
    body = rest.partition(b"\r\n\r\n")[2]
    assert b'"code": "request_too_large"' in body
    assert text("request_too_large", Language.RO, detail=str(LIMIT)).encode() in body


async def test_the_webex_webhook_is_limited_too(api: httpx.AsyncClient) -> None:
    """Declared and chunked; raw HTTP, as a client that keeps sending after an early 413 may see its
    connection reset before it reads the answer."""
    head = b"POST /webhooks/webex HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
    declared = await _raw_exchange(
        str(api.base_url), head + b"Content-Length: %d\r\n\r\n" % (LIMIT + 1), b"{"
    )
    part = b'{"data": "' + b"x" * LIMIT + b'"}'
    chunked = b"%x\r\n%s\r\n0\r\n\r\n" % (len(part), part)
    streamed = await _raw_exchange(str(api.base_url), head + b"Transfer-Encoding: chunked\r\n\r\n", chunked)
    for answer in (declared, streamed):
        assert answer.startswith(b"HTTP/1.1 413 ")
        assert b'"code": "request_too_large"' in answer


async def test_each_limit_is_its_own_setting(env: WorkflowEnvironment, settings: Settings) -> None:
    """The webhook's own limit, the JSON one, and the codec server's larger one (Temporal payloads)."""
    own = settings.model_copy(update={"max_webhook_body_bytes": 2048, "max_codec_body_bytes": 256 * 1024})
    async with (
        serve_in_loop(create_app(own, client=env.client)) as url,
        httpx.AsyncClient(base_url=url, timeout=30) as http,
    ):
        webhook = await http.post("/webhooks/webex", content=b"{" + b" " * 3000 + b"}")
        tickets = await http.post("/tickets", content=b"{" + b" " * 3000 + b"}")
        codec_ok = await http.post("/codec/decode", content=b"{" + b" " * (LIMIT * 2) + b"}")
        codec_head = b"POST /codec/decode HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: %d\r\n\r\n"
        codec_big = await _raw_exchange(url, codec_head % (300 * 1024), b"{")
    assert webhook.status_code == 413
    assert tickets.status_code == 422
    assert codec_ok.status_code != 413  # over the JSON limit, under the codec server's
    assert codec_big.startswith(b"HTTP/1.1 413 ")
    assert b'"code": "request_too_large"' in codec_big

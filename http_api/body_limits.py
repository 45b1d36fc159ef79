"""Request size limits (issue 10): a body larger than its path's limit is refused with 413 in the
error shape before it is read whole.

An ASGI middleware, so it holds for every endpoint, whatever reads the body (FastAPI's JSON
parsing, the page forms, the webhook's signature check, the codec server): a declared
`Content-Length` over the limit is answered at once, without reading a byte; a body without one
(chunked) is counted as it streams in, and the first chunk past the limit stops the reading and
turns whatever the app was about to answer into the 413. The codec server carries Temporal
payloads, so it has its own, larger, limit; the Webex webhook has its own setting too.
"""

from __future__ import annotations

import contextlib
import json

from starlette.requests import Request
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from core.catalogs import text
from core.settings import Settings
from http_api.codec import is_codec_path
from http_api.errors import language_of

WEBHOOK_PATH = "/webhooks/webex"


class BodyTooLarge(Exception):
    """Raised into the app's `receive` when a streamed body passes the limit."""


class BodyLimits:
    def __init__(self, app: ASGIApp, settings: Settings) -> None:
        self.app, self.settings = app, settings

    def limit_for(self, path: str) -> int:
        if is_codec_path(path):
            return self.settings.max_codec_body_bytes
        if path.rstrip("/") == WEBHOOK_PATH:
            return self.settings.max_webhook_body_bytes
        return self.settings.max_body_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        limit = self.limit_for(scope["path"])
        declared = Request(scope).headers.get("content-length", "")
        if declared.strip().isdigit() and int(declared) > limit:
            await self.refuse(scope, send, limit)  # the body is never read
            return
        received = 0
        too_large = False
        started = False

        async def counted_receive() -> Message:
            nonlocal received, too_large
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > limit:
                    too_large = True
                    raise BodyTooLarge(limit)
            return message

        async def guarded_send(message: Message) -> None:
            nonlocal started
            if too_large:
                return  # the app's answer to the interrupted read (a 400, a 503) gives way to the 413
            started = started or message["type"] == "http.response.start"
            await send(message)

        with contextlib.suppress(BodyTooLarge):  # the app did not catch it: the 413 below answers
            await self.app(scope, counted_receive, guarded_send)
        if too_large and not started:
            await self.refuse(scope, send, limit)

    @staticmethod
    async def refuse(scope: Scope, send: Send, limit: int) -> None:
        request = Request(scope)
        code = "request_too_large"
        body = {
            "code": code,
            "message": text(code, language_of(request), detail=str(limit)),
            "detail": f"the body is larger than {limit} bytes",
        }
        payload = json.dumps(body, ensure_ascii=False).encode("utf-8")
        # No `Connection: close`: the server discards what the client still sends (never handed to
        # the app, never held), so a client that writes its whole body first still reads this answer.
        headers = [(b"content-type", b"application/json"), (b"content-length", str(len(payload)).encode())]
        await send({"type": "http.response.start", "status": 413, "headers": headers})
        await send({"type": "http.response.body", "body": payload})

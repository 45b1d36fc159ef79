"""The codec server: the Temporal UI and CLI send it encrypted payloads and read them back decrypted.

Every Temporal payload is AES-256-GCM ciphertext (`core/payload_crypto.py`), so the UI at :8233 and
`temporal workflow show` see only `binary/encrypted` blobs unless they are pointed here. This is
Temporal's codec server protocol: `POST <endpoint>/decode` and `POST <endpoint>/encode`, each taking
and returning `{"payloads": [...]}`, the protobuf JSON form of `temporal.api.common.v1.Payloads`
(metadata values and data base64). The UI appends `/decode?preserveStorageRefs=true` to its endpoint
and sends `Content-Type: application/json` and `X-Namespace`; the CLI sends the same headers and its
`--codec-auth` as `Authorization`.

Reading a ticket's history hands out the citizen's name, email, phone and the clerk's conclusions,
so only ops staff and directors and above may (`CODEC_ROLES`), and every call is logged with who,
which namespace, how many payloads and which tickets (ids and file numbers only, never the data).

Each municipality's payloads are encrypted with its own key (issue 11, `core/payload_crypto.py`), and
a caller decodes only their own municipality's: a payload whose key belongs to another municipality
comes back as it was sent, still encrypted (withheld, counted in the audit line, never an error that
would say whose it is), so the UI shows another city's ticket as ciphertext. The ops staff of the
default municipality are the national ops: they decode every municipality's payloads. Payloads
written before encryption pass through as they are. Encoding uses the caller's municipality's key.
Two ways to say who you are:

- `Authorization: Bearer <personal token>` (the CLI's `--codec-auth`; a city's UI with
  `codec.passAccessToken` when its access tokens are the staff tokens);
- the clerks' `/personal` session cookie: it is scoped to `/personal`, so the same endpoints are also
  served under `/personal/codec`, where a browser that signed in at `/personal` sends it when the UI
  fetches with credentials (`codec.includeCredentials`). Such a call must come from a configured
  Temporal UI origin: the cookie alone never decodes for another page.

CORS: answers (and preflights) carry `Access-Control-Allow-*` only for `TICHET_TEMPORAL_UI_ORIGINS`,
and only on the codec paths; the rest of the API stays same-origin.
"""

from __future__ import annotations

import json
import logging
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from functools import lru_cache
from typing import Annotated, Any, Final, Literal

from fastapi import APIRouter, Depends, FastAPI, Header, Request
from fastapi.responses import JSONResponse, Response
from google.protobuf import json_format
from google.protobuf.message import DecodeError
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import Headers, MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send
from temporalio.api.common.v1 import Payload, Payloads

from core.catalogs import text
from core.payload_crypto import ENCODING, KEY_ID_METADATA, EncryptionCodec, KeyRing, PayloadKeyError
from core.settings import Settings
from domain.models import Role, StaffMember
from domain.registration_numbers import NORMAL_PATTERN
from http_api.deps import StateDep, staff_for_token
from http_api.errors import ApiError, language_of
from http_api.pages.staff_session import LoginRequired, signed_in
from store.staff import staff_municipality

log = logging.getLogger(__name__)

PREFIXES: Final = ("/codec", "/personal/codec")
CODEC_ROLES: Final = frozenset({Role.OPS, Role.DIRECTOR, Role.DEPUTY_MAYOR, Role.MAYOR})
# What the UI sends (Authorization-Extras: its id token, next to a passed access token).
ALLOWED_HEADERS: Final = "Authorization, Authorization-Extras, Content-Type, X-Namespace"
PREFLIGHT_MAX_AGE: Final = "600"
SHAPE: Final = 'expected {"payloads": [{"metadata": {"encoding": "<base64>"}, "data": "<base64>"}]}'

_NAMESPACE = re.compile(r"[A-Za-z0-9._-]{1,100}")
_TICKET_ID = re.compile(r"[A-Za-z0-9_-]{1,40}")
_FILE_NUMBER = re.compile(NORMAL_PATTERN)
_LOGGED_IDS = 5  # per kind: enough to say which ticket, short enough for one line


@dataclass(frozen=True)
class Caller:
    staff: StaffMember
    via: Literal["bearer", "session"]
    municipality: str
    national: bool  # the default municipality's ops: every municipality's payloads

    def may_open(self, key_id: str, ring: KeyRing, default_municipality: str) -> bool:
        return self.national or ring.owner(key_id, default_municipality) == self.municipality


async def codec_caller(request: Request, state: StateDep) -> Caller:
    """An `Authorization` header must hold a valid staff token (401 otherwise, cookie or not); without
    one, the `/personal` session cookie, from a configured UI origin. Then the role decides (403)."""
    authorization = request.headers.get("authorization")
    via: Literal["bearer", "session"]
    if authorization is not None:
        scheme, _, token = authorization.partition(" ")
        if scheme.lower() != "bearer":
            raise ApiError(401, "unauthenticated")
        staff, via = await staff_for_token(state, token), "bearer"
    else:
        try:
            session = await signed_in(request, state)
        except LoginRequired:
            raise ApiError(401, "unauthenticated") from None
        if request.headers.get("origin", "").lower() not in state.settings.temporal_ui_origin_set:
            raise ApiError(403, "codec_origin_refused")
        staff, via = session.me, "session"
    if staff.role not in CODEC_ROLES:
        raise ApiError(403, "codec_forbidden")
    municipality = await run_in_threadpool(staff_municipality, state.settings.database_url, staff.id)
    if municipality is None:  # removed since the token or session was checked
        raise ApiError(401, "unauthenticated")
    default = state.settings.default_municipality
    return Caller(staff, via, municipality, national=staff.role is Role.OPS and municipality == default)


CallerDep = Annotated[Caller, Depends(codec_caller)]
NamespaceHeader = Annotated[str | None, Header(alias="X-Namespace")]


@lru_cache(maxsize=4)
def _codec(keys: str, key_id: str, municipality_key_ids: str) -> EncryptionCodec:
    """One codec per keyring setting (the AES objects are built once, not per request)."""
    return EncryptionCodec(KeyRing.parse(keys, key_id, municipality_key_ids))


def codec_for(settings: Settings) -> EncryptionCodec:
    return _codec(settings.payload_keys, settings.payload_key_id, settings.municipality_payload_key_ids)


async def read_payloads(request: Request) -> list[Payload]:
    """The body's size is bounded before it is read, by `http_api/body_limits.py`
    (`TICHET_MAX_CODEC_BODY_BYTES`), like every other body of the API."""
    body = await request.body()
    try:
        message = json_format.Parse(body, Payloads(), ignore_unknown_fields=True)
    except (json_format.ParseError, UnicodeDecodeError, ValueError, TypeError):
        raise ApiError(400, "codec_invalid_payloads", SHAPE) from None  # never echo the body back
    return list(message.payloads)


def payloads_response(payloads: Iterable[Payload]) -> Response:
    body = {"payloads": [json_format.MessageToDict(p) for p in payloads]}
    return JSONResponse(body)


def _values(node: Any, key: str) -> Iterator[Any]:
    if isinstance(node, dict):
        for k, v in node.items():
            if k == key:
                yield v
            yield from _values(v, key)
    elif isinstance(node, list):
        for item in node:
            yield from _values(item, key)


def identifiers(payloads: Iterable[Payload]) -> tuple[list[str], list[str]]:
    """The ticket ids and registration numbers in plain JSON payloads, for the log line: only values
    of those keys that look like identifiers, so no name, email or sentence can slip through."""
    tickets: set[str] = set()
    files: set[str] = set()
    for payload in payloads:
        if payload.metadata.get("encoding") != b"json/plain":
            continue
        try:
            data = json.loads(payload.data)
        except ValueError:
            continue
        tickets.update(
            v for v in _values(data, "ticket_id") if isinstance(v, str) and _TICKET_ID.fullmatch(v)
        )
        files.update(
            v
            for v in _values(data, "registration_number")
            if isinstance(v, str) and _FILE_NUMBER.fullmatch(v)
        )
    return sorted(tickets)[:_LOGGED_IDS], sorted(files)[:_LOGGED_IDS]


def log_use(
    operation: str, caller: Caller, namespace: str | None, plain: list[Payload], withheld: int = 0
) -> None:
    tickets, files = identifiers(plain)
    shown = namespace if namespace and _NAMESPACE.fullmatch(namespace) else "-"
    log.info(
        "codec %s by %s (%s, %s, %s): namespace=%s payloads=%d withheld=%d tickets=%s files=%s",
        operation,
        caller.staff.id,
        caller.staff.role.value,
        caller.municipality,
        caller.via,
        shown,
        len(plain) + withheld,  # every payload of the call; `withheld`: left encrypted
        withheld,
        ",".join(tickets) or "-",
        ",".join(files) or "-",
    )


async def decode(
    request: Request, state: StateDep, caller: CallerDep, namespace: NamespaceHeader = None
) -> Response:
    encrypted = await read_payloads(request)
    codec = codec_for(state.settings)
    default = state.settings.default_municipality
    opened: list[Payload] = []
    withheld = 0
    try:
        for payload in encrypted:
            key_id = payload.metadata.get(KEY_ID_METADATA, b"").decode(errors="replace")
            if payload.metadata.get("encoding") == ENCODING and not caller.may_open(
                key_id, codec.ring, default
            ):
                opened.append(payload)  # another municipality's: as sent, still encrypted
                withheld += 1
            else:
                opened.append(codec.decrypt(payload))
    except PayloadKeyError as err:  # names the key id, never the content
        raise ApiError(400, "codec_undecodable", str(err)) from None
    except DecodeError:
        raise ApiError(400, "codec_undecodable", "the decrypted bytes are not a Temporal payload") from None
    plain = [p for p in opened if p.metadata.get("encoding") != ENCODING]
    log_use("decode", caller, namespace, plain, withheld)
    return payloads_response(opened)


async def encode(
    request: Request, state: StateDep, caller: CallerDep, namespace: NamespaceHeader = None
) -> Response:
    plain = await read_payloads(request)
    codec = codec_for(state.settings)
    encrypted = await codec.with_key(codec.ring.key_id_for(caller.municipality)).encode(plain)
    log_use("encode", caller, namespace, plain)
    return payloads_response(encrypted)


router = APIRouter(tags=["ops"])
for _prefix in PREFIXES:
    router.add_api_route(
        f"{_prefix}/decode",
        decode,
        methods=["POST"],
        summary="Decrypt Temporal payloads (codec server, ops and director and above)",
        include_in_schema=False,  # Temporal's codec server protocol, documented there and in the README
    )
    router.add_api_route(
        f"{_prefix}/encode",
        encode,
        methods=["POST"],
        summary="Encrypt Temporal payloads (codec server, ops and director and above)",
        include_in_schema=False,
    )


def is_codec_path(path: str) -> bool:
    return any(path == prefix or path.startswith(prefix + "/") for prefix in PREFIXES)


class CodecCors:
    """CORS for the codec paths alone: preflights answered for the configured UI origins, answers to
    them marked readable (with credentials, for the session cookie); any other origin gets no
    `Access-Control-Allow-*` header, and every other path is left as it is."""

    def __init__(self, app: ASGIApp, origins: frozenset[str]) -> None:
        self.app = app
        self.origins = origins

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or not is_codec_path(scope["path"]):
            await self.app(scope, receive, send)
            return
        headers = Headers(scope=scope)
        origin = headers.get("origin", "")
        allowed = origin.lower() in self.origins
        if scope["method"] == "OPTIONS" and "access-control-request-method" in headers:
            await self.preflight(scope, headers, origin, allowed)(scope, receive, send)
            return

        async def send_marked(message: Message) -> None:
            if message["type"] == "http.response.start":
                answer = MutableHeaders(scope=message)
                answer.add_vary_header("Origin")
                if allowed:
                    answer["Access-Control-Allow-Origin"] = origin
                    answer["Access-Control-Allow-Credentials"] = "true"
            await send(message)

        await self.app(scope, receive, send_marked)

    @staticmethod
    def preflight(scope: Scope, headers: Headers, origin: str, allowed: bool) -> Response:
        if not allowed:
            language = language_of(Request(scope))
            body = {"code": "codec_origin_refused", "message": text("codec_origin_refused", language)}
            return JSONResponse(body, status_code=403, headers={"Vary": "Origin"})
        answer = {
            "Access-Control-Allow-Origin": origin,
            "Access-Control-Allow-Credentials": "true",
            "Access-Control-Allow-Methods": "POST",
            "Access-Control-Allow-Headers": ALLOWED_HEADERS,
            "Access-Control-Max-Age": PREFLIGHT_MAX_AGE,
            "Vary": "Origin",
        }
        if headers.get("access-control-request-private-network") == "true":
            answer["Access-Control-Allow-Private-Network"] = "true"  # Chrome's private network access
        return Response(status_code=204, headers=answer)


def _make_audit_visible() -> None:
    """uvicorn configures only its own loggers; without a handler the INFO audit line would be lost."""
    if not logging.getLogger().handlers and not log.handlers:
        handler = logging.StreamHandler()
        handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s %(message)s"))
        log.addHandler(handler)
    if log.level == logging.NOTSET:
        log.setLevel(logging.INFO)


def install(app: FastAPI, settings: Settings) -> None:
    """The routes under both prefixes, their CORS, and a visible audit log (`api.py` calls this)."""
    app.include_router(router)
    app.add_middleware(CodecCors, origins=settings.temporal_ui_origin_set)
    _make_audit_visible()

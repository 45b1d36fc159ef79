"""Abuse limits (issue 10): how often one client address, one registration number or one ticket link
may call the endpoints that cost the city something (a slot search, a workflow, a Temporal query, a
token check) before it gets a 429 with `Retry-After`.

One app-wide dependency (`enforce`) looks the route up in `RULES` and counts the request before the
handler runs; routes without a rule pass untouched. The counters live in the `limits` library's
store named by `TICHET_RATE_LIMIT_STORAGE`: Redis in production, so every API instance counts
against the same limit, or this process's memory (the embedded default) so `make run` needs nothing
else. A store that cannot be reached lets the request through (logged): abuse protection must not
take the citizen service down with it.

The client address is the connection's peer, or, only when that peer is one of
`TICHET_TRUSTED_PROXIES`, the one `TICHET_TRUSTED_PROXY_HEADER` names (`client_address`).
"""

from __future__ import annotations

import json
import logging
import math
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from ipaddress import IPv4Address, IPv6Address, ip_address
from typing import Any, Final
from urllib.parse import parse_qsl

from fastapi import Depends, FastAPI, Request
from fastapi.responses import JSONResponse
from limits import RateLimitItem, parse_many
from limits.aio.storage import Storage
from limits.aio.strategies import MovingWindowRateLimiter
from limits.errors import StorageError
from limits.storage import storage_from_string

from core.catalogs import text
from core.settings import Settings
from domain.registration_numbers import is_acceptable_input, normalise_registration_number
from http_api.errors import ApiError, language_of

log = logging.getLogger(__name__)

Subject = Callable[[Request], Awaitable[str | None]]


class RateLimited(ApiError):
    """A 429; `detail` is the number of seconds to wait (the message says it, `Retry-After` too)."""

    def __init__(self, retry_after: int) -> None:
        super().__init__(429, "too_many_requests", str(retry_after))
        self.retry_after = retry_after
        self.headers = {"Retry-After": str(retry_after)}


async def _registration_number(request: Request) -> str | None:
    """The file a slot search or a ticket request is for: from the query (`GET /slots`, `/alege`),
    a JSON body (`POST /tickets`) or a form (`POST /cerere`), in its normal form so that
    `100001-2026` and `100001/2026` count as one file. None when there is none to read."""
    typed: Any = request.query_params.get("registration_number")
    if typed is None and request.method == "POST":
        body = await request.body()  # cached by Starlette: the handler reads the same bytes
        content_type = request.headers.get("content-type", "").split(";")[0].strip().lower()
        if content_type == "application/x-www-form-urlencoded":
            typed = dict(parse_qsl(body.decode("utf-8", errors="replace"))).get("registration_number")
        else:
            try:
                parsed = json.loads(body)
            except (ValueError, UnicodeDecodeError):
                return None
            typed = parsed.get("registration_number") if isinstance(parsed, dict) else None
    if not isinstance(typed, str) or not is_acceptable_input(typed):
        return None  # the handler refuses it; the address limit still counted the request
    return normalise_registration_number(typed)


async def _ticket(request: Request) -> str | None:
    workflow_id = request.path_params.get("workflow_id")
    return workflow_id if isinstance(workflow_id, str) else None


@dataclass(frozen=True)
class Rule:
    """One limit per client address and, optionally, one per subject (a file, a ticket)."""

    name: str
    per_address: str  # the Settings field with the address limit
    per_subject: str = ""  # the Settings field with the subject limit
    subject: Subject | None = None


SLOTS = Rule("slots", "rate_limit_slots_per_address", "rate_limit_slots_per_file", _registration_number)
TICKETS = Rule(
    "tickets", "rate_limit_tickets_per_address", "rate_limit_tickets_per_file", _registration_number
)
LINK = Rule("link", "rate_limit_link_per_address", "rate_limit_link_per_ticket", _ticket)
SIGN_IN = Rule("sign_in", "rate_limit_sign_in_per_address")
CODEC = Rule("codec", "rate_limit_codec_per_address")
FEEDBACK = Rule("feedback", "rate_limit_feedback_per_address")

CODEC_PREFIXES: Final = ("/codec", "/personal/codec")  # http_api/codec.py PREFIXES (imports us)
# (method, route path template) -> its rule; the web pages share the API's limits (`/alege` is
# `GET /slots`, `/cerere` is `POST /tickets`). Every `/bilet/{workflow_id}…` route is a LINK.
RULES: Final[dict[tuple[str, str], Rule]] = {
    ("GET", "/slots"): SLOTS,
    ("GET", "/alege"): SLOTS,
    ("POST", "/tickets"): TICKETS,
    ("POST", "/cerere"): TICKETS,
    ("POST", "/personal/intrare"): SIGN_IN,
    ("POST", "/accesibilitate"): FEEDBACK,  # the accessibility statement's form (issue 12)
    **{("POST", f"{prefix}/{op}"): CODEC for prefix in CODEC_PREFIXES for op in ("decode", "encode")},
}
LINK_PREFIX: Final = "/bilet/{workflow_id}"


def rule_for(method: str, path: str) -> Rule | None:
    if path.startswith(LINK_PREFIX):
        return LINK
    return RULES.get((method, path))


def _parsed_ip(value: str) -> IPv4Address | IPv6Address | None:
    try:
        return ip_address(value.strip())
    except ValueError:
        return None


def client_address(request: Request, settings: Settings) -> str:
    """The address limits count against. The trusted header is read only on a connection from a
    trusted proxy; its comma-separated hops are walked from the right (the nearest proxy's entry
    first), and the first address that is not itself a trusted proxy is the client: whatever a client
    writes into the header itself stays to the left of it. A header that cannot be read gives the
    peer's own address."""
    peer = request.client.host if request.client else ""
    networks = settings.trusted_proxy_networks
    peer_ip = _parsed_ip(peer)
    header = settings.trusted_proxy_header
    if not header or peer_ip is None or not any(peer_ip in net for net in networks):
        return peer
    hops = [hop for line in request.headers.getlist(header) for hop in line.split(",") if hop.strip()]
    client = peer_ip
    for hop in reversed(hops):
        hop_ip = _parsed_ip(hop)
        if hop_ip is None:
            break
        client = hop_ip
        if not any(hop_ip in net for net in networks):
            break
    return str(client)


class Limiter:
    """The store and the counting strategy of one app (`app.state.rate_limiter`)."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        uri = settings.rate_limit_storage
        uri = uri if uri.startswith("async+") else f"async+{uri}"
        options: dict[str, Any] = {"implementation": "redispy"} if "redis" in uri.split(":", 1)[0] else {}
        storage = storage_from_string(uri, wrap_exceptions=True, **options)
        if not isinstance(storage, Storage):
            raise ValueError(f"TICHET_RATE_LIMIT_STORAGE: not an async store: {uri}")
        self.storage = storage
        self.strategy = MovingWindowRateLimiter(storage)
        self._items: dict[str, list[RateLimitItem]] = {}

    def items(self, field: str) -> list[RateLimitItem]:
        if field not in self._items:
            self._items[field] = parse_many(getattr(self.settings, field))
        return self._items[field]

    async def count(self, rule: Rule, kind: str, value: str, field: str) -> None:
        """Count one request against every limit of `field`; RateLimited if one is used up."""
        for item in self.items(field):
            identifiers = (self.settings.rate_limit_key_prefix, rule.name, kind, value)
            if not await self.strategy.hit(item, *identifiers):
                stats = await self.strategy.get_window_stats(item, *identifiers)
                raise RateLimited(max(1, math.ceil(stats.reset_time - time.time())))

    async def check(self, request: Request, rule: Rule) -> None:
        try:
            await self.count(rule, "address", client_address(request, self.settings), rule.per_address)
            subject = await rule.subject(request) if rule.subject else None
            if subject is not None:
                await self.count(rule, "subject", subject, rule.per_subject)
        except StorageError as err:
            reason = type(err.storage_error).__name__
            log.warning("rate limit store unavailable, request let through: %s", reason)


async def enforce(request: Request) -> None:
    """The app-wide dependency: count this request against its route's limits, before the work."""
    limiter: Limiter | None = getattr(request.app.state, "rate_limiter", None)
    route = request.scope.get("route")
    rule = rule_for(request.method, getattr(route, "path", ""))
    if limiter is None or rule is None or not limiter.settings.rate_limits_enabled:
        return
    await limiter.check(request, rule)


ENFORCE: Final = Depends(enforce)


def install(app: FastAPI, settings: Settings) -> None:
    """The app's limiter and the JSON answer of a 429 (the pages answer with a page: PageRoute)."""
    app.state.rate_limiter = Limiter(settings)

    @app.exception_handler(RateLimited)
    async def _limited(request: Request, exc: RateLimited) -> JSONResponse:
        body = {
            "code": exc.code,
            "message": text(exc.code, language_of(request), detail=exc.detail),
            "detail": f"retry after {exc.retry_after} seconds",
        }
        return JSONResponse(body, status_code=429, headers=exc.headers)

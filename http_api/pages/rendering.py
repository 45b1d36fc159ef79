"""What every citizen page shares: the template environment, the page language, reading a posted
form, slots grouped by day, and the route class that turns any failure into an HTML page.

Pages answer in HTML even when something fails: the app's JSON error handlers are right for API
clients, but a citizen's browser would show them raw JSON. `PageRoute` catches what a handler lets
escape and renders `error.html` with the same status and the same sentence the API would give.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Coroutine, Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qsl, urlencode

from fastapi import Request, Response
from fastapi.exceptions import RequestValidationError
from fastapi.routing import APIRoute
from fastapi.templating import Jinja2Templates
from jinja2 import Environment, FileSystemLoader, StrictUndefined
from temporalio.service import RPCError

from core.catalogs import language_name, languages, say, say_count
from domain.models import Language
from domain.municipalities import Municipality
from http_api.errors import ApiError
from http_api.pages import words
from http_api.rate_limits import RateLimited
from http_api.schemas import SlotPublic
from integrations.templates import TEMPLATES

log = logging.getLogger(__name__)

MAX_FORM_BYTES = 16_384  # the largest real form (a cancel reason) is ~1 KB

_env = Environment(
    loader=FileSystemLoader(TEMPLATES / "web"),
    autoescape=True,
    extensions=["jinja2.ext.i18n"],
    undefined=StrictUndefined,
    trim_blocks=True,
    lstrip_blocks=True,
)
templates = Jinja2Templates(env=_env)


def render(
    request: Request,
    name: str,
    lang: Language,
    status_code: int = 200,
    *,
    city: Municipality | None = None,
    prefix: str = "",
    **context: Any,
) -> Response:
    """Render `templates/web/<name>` with the language helpers every template uses. `city` is the
    municipality whose name and header the page shows (issue 11), `prefix` its pages' path prefix
    (`/huedin`; empty on the pages of the default one without a prefix)."""
    response = templates.TemplateResponse(
        request,
        name,
        {
            "lang": lang.value,
            "w": lambda key, **values: words.word(key, lang, **values),
            # jinja2.ext.i18n: `{{ _("page.key", n=3) }}` and `{% trans %}` read the catalog of `lang`
            "_": lambda key, **values: say(key, lang, **values),
            "gettext": lambda key, **values: say(key, lang, **values),
            "ngettext": lambda key, plural, n, **values: say_count(key, n, lang, **values),
            "languages": language_links(request, lang),
            "city": city,
            "prefix": prefix,
            **context,
        },
        status_code=status_code,
    )
    response.headers["Cache-Control"] = "no-store"  # pages may show a secret link and personal data
    return response


@dataclass(frozen=True)
class LanguageLink:
    code: str
    name: str  # in its own language: "Magyar"
    url: str
    current: bool


def language_links(request: Request, lang: Language) -> list[LanguageLink]:
    """The switcher: one link per catalog present (`core.catalogs.languages`), this page in that
    language. None after a POST, whose URL cannot be reloaded in another language."""
    if request.method != "GET":
        return []
    return [
        LanguageLink(
            code, language_name(code), str(request.url.include_query_params(lang=code)), code == lang
        )
        for code in languages()
    ]


def form_errors(bad_fields: Mapping[str, str] | None) -> dict[str, Any]:
    """The two names a form template reads its problems from: which fields are wrong (the summary, in
    order) and each field's sentence (linked to its field by aria-describedby)."""
    return {"bad_fields": list(bad_fields or {}), "field_errors": dict(bad_fields or {})}


def error_page(request: Request, status_code: int, code: str, detail: str = "") -> Response:
    lang = words.page_language(request)
    message = words.sentence(code, lang, detail)
    return render(request, "error.html", lang, status_code, message=message)


class FormError(Exception):
    """The body is not a form we can read (wrong type, or larger than any real form)."""


async def read_form(request: Request) -> dict[str, str]:
    """Parse an `application/x-www-form-urlencoded` body with the standard library.

    Why not `fastapi.Form`: that needs `python-multipart`, which the project does not depend on, and
    these pages post no files, so the urlencoded format (what a plain `<form method="post">` sends)
    is all they need. An empty body is an empty form; a repeated field keeps its first value."""
    body = bytearray()
    async for chunk in request.stream():
        body += chunk
        if len(body) > MAX_FORM_BYTES:
            raise FormError("too large")
    content_type = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if body and content_type != "application/x-www-form-urlencoded":
        raise FormError(content_type)
    fields: dict[str, str] = {}
    for name, value in parse_qsl(body.decode("utf-8", errors="replace"), keep_blank_values=True):
        fields.setdefault(name, value.strip())
    return fields


@dataclass(frozen=True)
class SlotChoice:
    value: str
    label: str
    with_name: str | None
    checked: bool


@dataclass(frozen=True)
class SlotDay:
    heading: str
    slots: list[SlotChoice]


@dataclass(frozen=True)
class SlotOffer:
    """Slots grouped by day. When every slot is with the same person (the usual case: the file's
    handler) the name is said once in `with_name` instead of under each of forty radio buttons."""

    days: list[SlotDay]
    with_name: str | None


def slot_offer(slots: list[SlotPublic], lang: Language, selected: str = "") -> SlotOffer:
    """Slots (already in city time) grouped under a written-out day, in the order given."""
    names = {slot.with_name for slot in slots}
    common = names.pop() if len(names) == 1 else None
    days: dict[str, SlotDay] = {}
    for slot in slots:
        heading = words.day_heading(slot.start.date(), lang)
        value = slot.start.isoformat()
        label = f"{slot.start:%H:%M}–{slot.end:%H:%M}"
        who = None if common else slot.with_name
        days.setdefault(heading, SlotDay(heading, [])).slots.append(
            SlotChoice(value, label, who, checked=value == selected)
        )
    return SlotOffer(list(days.values()), common)


def query_with(base: str, params: Mapping[str, str]) -> str:
    """`base` plus a query string, for redirects and form actions built in Python."""
    return f"{base}?{urlencode(params)}" if params else base


Handler = Callable[[Request], Coroutine[Any, Any, Response]]


class PageRoute(APIRoute):
    """An APIRoute whose failures are pages, not JSON (see the module docstring)."""

    def get_route_handler(self) -> Handler:
        original = super().get_route_handler()

        async def handler(request: Request) -> Response:
            try:
                return await original(request)
            except RateLimited as err:  # a page with the sentence, and when to come back
                page = error_page(request, err.status, err.code, err.detail)
                page.headers.update(err.headers)
                return page
            except ApiError as err:
                return error_page(request, err.status, err.code, err.detail)
            except (RequestValidationError, FormError):
                return error_page(request, 422, "invalid_input")
            except RPCError as err:
                log.warning("Temporal call failed on a page: %s", err)
                return error_page(request, 503, "service_unavailable")
            except Exception:
                log.exception("unexpected error on %s %s", request.method, request.url.path)
                return error_page(request, 503, "service_unavailable")

        return handler

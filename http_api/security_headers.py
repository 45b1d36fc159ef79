"""Security headers on every answer, pages and API alike (issue 8), as one ASGI middleware.

- `Content-Security-Policy`: only this origin's resources; no framing (`frame-ancestors 'none'`),
  no `<base>`, forms post only here. The pages use no script at all, and their CSS lives in
  `<style>` blocks of the templates, which the policy admits by hash (computed here from the template
  sources, so editing a block updates its hash; a test renders every page and checks its blocks
  are listed). Style attributes are not admitted: the templates have none.
- `X-Frame-Options: DENY` for browsers that predate `frame-ancestors`.
- `Referrer-Policy: no-referrer`: the citizen's link carries its key (`?cheie=`), which must never
  leave in a Referer header (the pages also say so in a meta tag).
- `X-Content-Type-Options: nosniff`: a document download is never sniffed into HTML.

FastAPI's `/docs` (Swagger UI) and `/redoc` load their script and CSS from jsDelivr and run an inline
script, so those two pages alone get a relaxed policy naming exactly those origins; they show only
the API's description, never a ticket.
"""

from __future__ import annotations

import base64
import hashlib
import re
from functools import cache
from typing import Final

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from integrations.templates import TEMPLATES

_STYLE_BLOCK = re.compile(r"<style>(.*?)</style>", re.S)
_JINJA_COMMENT = re.compile(r"\{#.*?#\}", re.S)
_DOCS_PATHS: Final = ("/docs", "/redoc")

FIXED_HEADERS: Final[dict[str, str]] = {
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "no-referrer",
    "X-Content-Type-Options": "nosniff",
}

DOCS_POLICY: Final = (
    "default-src 'self'; "
    "script-src 'self' 'unsafe-inline' https://cdn.jsdelivr.net; "
    "style-src 'self' 'unsafe-inline' https://cdn.jsdelivr.net https://fonts.googleapis.com; "
    "font-src 'self' https://fonts.gstatic.com; "
    "img-src 'self' data: https://fastapi.tiangolo.com; "
    "worker-src 'self' blob:; "
    "frame-ancestors 'none'; base-uri 'none'; form-action 'self'"
)


def style_hash(css: str) -> str:
    """The CSP source expression that admits a `<style>` block with exactly this content."""
    digest = hashlib.sha256(css.encode()).digest()
    return f"'sha256-{base64.b64encode(digest).decode()}'"


@cache
def page_policy() -> str:
    """The policy of every page and API answer, with the hashes of the web templates' style blocks
    (none of which may contain template syntax, or its rendered text would differ from the hash)."""
    hashes: list[str] = []
    for template in sorted((TEMPLATES / "web").glob("*.html")):
        source = _JINJA_COMMENT.sub("", template.read_text(encoding="utf-8"))
        for css in _STYLE_BLOCK.findall(source):
            if "{{" in css or "{%" in css:
                raise ValueError(f"{template.name}: a <style> block must be plain CSS to be hashed")
            hashes.append(style_hash(css))
    return (
        "default-src 'self'; "
        f"style-src 'self' {' '.join(dict.fromkeys(hashes))}; "
        "frame-ancestors 'none'; base-uri 'none'; form-action 'self'"
    )


def policy_for(path: str) -> str:
    is_docs = any(path == p or path.startswith(f"{p}/") for p in _DOCS_PATHS)
    return DOCS_POLICY if is_docs else page_policy()


class SecurityHeaders:
    """Adds the headers to every HTTP response; a header a route set itself is left as it is."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        wanted = {**FIXED_HEADERS, "Content-Security-Policy": policy_for(scope["path"])}

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = list(message.get("headers", []))
                present = {name.lower() for name, _ in headers}
                for name, value in wanted.items():
                    if name.lower().encode() not in present:
                        headers.append((name.lower().encode(), value.encode()))
                message["headers"] = headers
            await send(message)

        await self.app(scope, receive, send_with_headers)

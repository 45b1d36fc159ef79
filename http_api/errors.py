"""Every failure becomes a 4xx (or a 503 when a backing service is down) with a stable code and a
sentence in the caller's language. Nothing reaches the citizen as a bare 500."""

from __future__ import annotations

import logging
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException
from temporalio.service import RPCError

from core.catalogs import has_detail, supported, text
from domain.models import Language
from http_api.field_messages import sentences_for

log = logging.getLogger(__name__)


class ApiError(Exception):
    def __init__(self, status: int, code: str, detail: str = "", **extra: Any) -> None:
        super().__init__(code)
        self.status, self.code, self.detail, self.extra = status, code, detail, extra


def language_of(request: Request) -> Language:
    """The first language of Accept-Language when a catalog has it, else Romanian."""
    first = request.headers.get("accept-language", "").split(",")[0].split(";")[0]
    return Language(supported(first) or Language.RO)


def _body(request: Request, code: str, detail: str = "", **extra: Any) -> dict[str, Any]:
    message = (
        text(code, language_of(request), detail=detail)
        if has_detail(code)
        else text(code, language_of(request))
    )
    return {"code": code, "message": message, **({"detail": detail} if detail else {}), **extra}


def install(app: FastAPI) -> None:
    @app.exception_handler(ApiError)
    async def _api_error(request: Request, exc: ApiError) -> JSONResponse:
        return JSONResponse(_body(request, exc.code, exc.detail, **exc.extra), status_code=exc.status)

    @app.exception_handler(RequestValidationError)
    async def _invalid(request: Request, exc: RequestValidationError) -> JSONResponse:
        """Each field with a sentence for the person who filled it (`http_api/field_messages.py`),
        never the validator's own English or a pattern."""
        fields = [
            {"field": field, "problem": problem}
            for field, problem in sentences_for(exc.errors(), language_of(request))
        ]
        return JSONResponse(_body(request, "invalid_input", fields=fields), status_code=422)

    @app.exception_handler(StarletteHTTPException)
    async def _http(request: Request, exc: StarletteHTTPException) -> JSONResponse:
        code = {404: "not_found", 405: "method_not_allowed"}.get(exc.status_code, "invalid_input")
        # The exception's headers are part of the answer (a 405 must list the methods in `Allow`).
        return JSONResponse(_body(request, code), status_code=exc.status_code, headers=exc.headers)

    @app.exception_handler(RPCError)
    async def _temporal_down(request: Request, exc: RPCError) -> JSONResponse:
        log.warning("Temporal call failed: %s", exc)
        return JSONResponse(_body(request, "service_unavailable"), status_code=503)

    @app.exception_handler(Exception)
    async def _unexpected(request: Request, exc: Exception) -> JSONResponse:
        log.exception("unexpected error on %s %s", request.method, request.url.path)
        return JSONResponse(_body(request, "service_unavailable"), status_code=503)

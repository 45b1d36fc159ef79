"""The HTTP API (FastAPI). `uvicorn api:app` serves it; `create_app` lets tests inject a client.

Handlers start and signal workflows; they never send mail or call Webex themselves (activities do).
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI
from temporalio.client import Client

from core.settings import Settings, get_settings
from core.temporal_client import connect
from http_api import (
    access_log,
    citizen,
    citizen_data,
    codec,
    errors,
    openapi,
    pages,
    rate_limits,
    ratings,
    reports,
    staff,
    webhooks,
)
from http_api.body_limits import BodyLimits
from http_api.deps import AppState
from http_api.security_headers import SecurityHeaders
from integrations import webex_webhooks

DESCRIPTION = """
**Tichet Albastru** — a short online meeting with the clerk who handles your file.

Citizens: `GET /slots` → `POST /tickets` → follow the link in the email (`/bilet/{id}?cheie=…`).
Staff: send `Authorization: Bearer <token>`. Errors carry a stable `code` and a `message` in Romanian,
or in the first language of `Accept-Language` that has a catalog (`en`, `hu`).
"""


def create_app(settings: Settings | None = None, client: Client | None = None) -> FastAPI:
    settings = settings or get_settings()
    access_log.install()

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        app.state.tichet = AppState.build(settings, client or await connect(settings))
        if settings.environment != "test":
            # Webex must know where to send meeting and recording events (issue 4); never blocks start-up.
            await webex_webhooks.register_at_startup(settings)
        yield

    app = FastAPI(
        title="Tichet Albastru",
        version="0.1.0",
        description=DESCRIPTION,
        lifespan=lifespan,
        dependencies=[rate_limits.ENFORCE],  # abuse limits, counted before the handler (issue 10)
    )
    errors.install(app)
    rate_limits.install(app, settings)
    app.add_middleware(BodyLimits, settings=settings)  # 413 before a body is read whole (issue 10)
    app.add_middleware(SecurityHeaders)  # CSP, X-Frame-Options, Referrer-Policy, nosniff (issue 8)
    app.include_router(citizen.router)
    app.include_router(citizen_data.router)
    app.include_router(staff.router)
    app.include_router(pages.router)
    app.include_router(webhooks.router)
    app.include_router(ratings.router)
    app.include_router(reports.router)
    codec.install(app, settings)  # the codec server for the Temporal UI and CLI, with its CORS (issue 9)

    @app.get("/health", tags=["ops"], summary="Liveness")
    async def health() -> dict[str, str]:
        return {"status": "ok"}

    openapi.install(app)
    return app


app = create_app()

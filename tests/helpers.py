"""Steps many lifecycle tests share: request a ticket through the API, move a ticket's clock, act on
it as a member of staff."""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
from temporalio.client import Client, WorkflowHandle
from temporalio.testing import WorkflowEnvironment

from core.settings import Settings
from domain.models import Channel, Citizen, FileRef, TicketInput, TicketStatus, TicketView
from tests.conftest import bucharest_today, handle_for, wait_for_status
from tests.factories import add_file, free_slots, staff_headers, ticket_body
from workflows.blue_ticket import BlueTicketWorkflow


@dataclass
class Requested:
    ref: FileRef
    email: str
    workflow_id: str
    ticket_id: str
    link: httpx.URL
    handle: WorkflowHandle[Any, Any]

    @property
    def key(self) -> dict[str, str]:
        return dict(self.link.params)


async def request_ticket(
    api: httpx.AsyncClient,
    client: Client,
    database_url: str,
    *,
    handler_id: str = "c0001",
    pick: int = 0,
    email: str | None = None,
    **body: Any,
) -> Requested:
    """`pick` chooses among the offered slots: the first by default, -1 the furthest ahead; the
    citizen's `email` is a fresh one unless given."""
    ref = add_file(database_url, bucharest_today(), handler_id=handler_id)
    slot = (await free_slots(api, ref))[pick]
    email = email or f"cetatean-{uuid.uuid4().hex[:8]}@example.ro"
    response = await api.post("/tickets", json=ticket_body(ref, slot["start"], email, **body))
    assert response.status_code == 202, response.text
    accepted = response.json()
    return Requested(
        ref=ref,
        email=email,
        workflow_id=accepted["workflow_id"],
        ticket_id=accepted["ticket_id"],
        link=httpx.URL(accepted["citizen_link"]),
        handle=handle_for(client, accepted["workflow_id"]),
    )


async def scheduled_ticket(
    api: httpx.AsyncClient, client: Client, database_url: str, **kwargs: Any
) -> tuple[Requested, TicketView]:
    requested = await request_ticket(api, client, database_url, **kwargs)
    return requested, await wait_for_status(requested.handle, TicketStatus.SCHEDULED)


async def past_the_meeting(
    env: WorkflowEnvironment,
    handle: WorkflowHandle[Any, Any],
    view: TicketView,
    extra: timedelta = timedelta(minutes=16),
) -> None:
    """Skip this ticket's clock to `extra` after its slot starts."""
    assert view.slot_start is not None
    now = await env.get_current_time(handle)
    if view.slot_start + extra > now:  # an escalated level's slot may already lie behind this clock
        await env.fast_forward(handle, view.slot_start - now + extra)


async def rival_ticket(
    client: Client,
    settings: Settings,
    database_url: str,
    handler_id: str,
    slot_start: datetime,
    ticket_id: str,
    email: str,
    channel: Channel = Channel.WEBEX,
) -> tuple[FileRef, WorkflowHandle[Any, Any]]:
    """A new file of `handler_id`'s whose ticket `ticket_id` (the citizen at `email`) is started
    straight on Temporal for `slot_start`, a slot another ticket may hold already: no API check stands
    in the way, the database decides. The workflow id is `tichet-<ticket_id without "t-">-<file>`."""
    file = add_file(database_url, bucharest_today(), handler_id=handler_id)
    handle = await client.start_workflow(
        BlueTicketWorkflow.run,
        TicketInput(
            ticket_id=ticket_id,
            file=file,
            citizen=Citizen(email=email, phone="0712345678"),
            channel=channel,
            slot_start=slot_start,
        ),
        id=f"tichet-{ticket_id.removeprefix('t-')}-{file.registration_number.replace('/', '_')}",
        task_queue=settings.task_queue,
    )
    return file, handle


async def met_ticket(
    api: httpx.AsyncClient, client: Client, env: WorkflowEnvironment, database_url: str, **kwargs: Any
) -> tuple[Requested, TicketView]:
    """A scheduled ticket whose meeting has taken place (its clock skipped past the slot) and which now
    waits for the outcome; the view is the one it had when it was scheduled."""
    requested, view = await scheduled_ticket(api, client, database_url, **kwargs)
    await past_the_meeting(env, requested.handle, view)
    await wait_for_status(requested.handle, TicketStatus.AWAITING_OUTCOME)
    return requested, view


async def staff_action(
    api: httpx.AsyncClient, requested: Requested, action: str, staff_id: str, body: dict[str, Any]
) -> httpx.Response:
    """`staff_id` posts `body` to the staff API's `action` (outcome, resolution, …) for the ticket."""
    return await api.post(
        f"/staff/tickets/{requested.workflow_id}/{action}", json=body, headers=staff_headers(staff_id)
    )


def steps(view: TicketView) -> list[str]:
    return [entry.step for entry in view.timeline]


async def wait_for_steps(
    handle: WorkflowHandle[Any, Any], step: str, count: int = 1, within: float = 20
) -> TicketView:
    """Poll the `status` query until the timeline has `step` `count` times (a reschedule is carried
    out by the main flow after its update answered)."""
    deadline = asyncio.get_running_loop().time() + within
    while True:
        view: TicketView = await handle.query(BlueTicketWorkflow.status)
        if steps(view).count(step) >= count:
            return view
        if asyncio.get_running_loop().time() > deadline:
            raise AssertionError(f"{step!r} not {count} times in {steps(view)}")
        await asyncio.sleep(0.1)


def worker_process(
    settings: Settings, env: WorkflowEnvironment, stderr: int = subprocess.DEVNULL
) -> subprocess.Popen[bytes]:
    """`python -m worker`, configured like the deployed one: by TICHET_* variables."""
    variables = {f"TICHET_{name.upper()}": str(value) for name, value in settings.model_dump().items()}
    variables["TICHET_TEMPORAL_ADDRESS"] = env.client.service_client.config.target_host
    variables["TICHET_TEMPORAL_NAMESPACE"] = env.client.namespace
    return subprocess.Popen(
        [sys.executable, "-m", "worker"],
        cwd=Path(__file__).resolve().parent.parent,
        env={**os.environ, **variables},
        stdout=subprocess.DEVNULL,
        stderr=stderr,
    )

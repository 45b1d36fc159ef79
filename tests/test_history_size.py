"""Lean histories (issue 11): a whole ticket, on the real dev server with payload encryption on (the
project's converter), stays within 150 events and 32 KB of history per escalation level, and no
activity is given the ticket view or hands back big content.

The size is what the cluster stores: the serialized `History` protobuf of each run (a level is one
run; escalation continues the workflow as new). Put the `TicketView` (with its timeline) back into
an email, and the first level alone grows past the limit — and the `timeline` check below names it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

import httpx
from temporalio.api.enums.v1 import EventType
from temporalio.api.history.v1 import History
from temporalio.client import Client, WorkflowHistory
from temporalio.testing import WorkflowEnvironment

from core import search_attributes as sa
from core.payload_crypto import ENCODING
from devstack.mailbox import Mailbox
from domain.models import Level, TicketStatus
from tests.conftest import wait_for_status
from tests.helpers import scheduled_ticket
from tests.raw_history import decoded_bytes
from tests.test_escalation_chain import resolve

MAX_EVENTS_PER_LEVEL = 150
MAX_BYTES_PER_LEVEL = 32 * 1024


@dataclass(frozen=True)
class Run:
    level: int
    events: int
    bytes: int
    history: WorkflowHistory


async def runs_of(client: Client, workflow_id: str) -> list[Run]:
    """Every run of the ticket (one per level), oldest first, with its size as stored."""
    executions = [e async for e in client.list_workflows(f"WorkflowId = '{workflow_id}'")]
    runs = []
    for execution in sorted(executions, key=lambda e: e.start_time):
        history = await client.get_workflow_handle(workflow_id, run_id=execution.run_id).fetch_history()
        stored = History(events=history.events).ByteSize()
        level = (
            execution.typed_search_attributes.get(sa.ESCALATION_LEVEL)
            if execution.typed_search_attributes
            else None
        )
        runs.append(Run(int(level or 0), len(history.events), stored, history))
    return runs


async def assert_lean(client: Client, workflow_id: str, levels: int) -> list[Run]:
    runs = await runs_of(client, workflow_id)
    assert [r.level for r in runs] == list(range(levels)), "one run per escalation level"
    figures = [(r.level, r.events, r.bytes) for r in runs]
    print(f"\n{workflow_id}: (level, events, bytes) per run: {figures}")
    codec = client.data_converter.payload_codec
    assert codec is not None, "measured with the project's converter, encryption on"
    for run in runs:
        started = run.history.events[0].workflow_execution_started_event_attributes
        assert started.input.payloads[0].metadata["encoding"] == ENCODING, "payloads encrypted"
        assert run.events <= MAX_EVENTS_PER_LEVEL, f"level {run.level}: {run.events} events"
        assert run.bytes <= MAX_BYTES_PER_LEVEL, f"level {run.level}: {run.bytes} bytes of history"
        scheduled = [
            e.activity_task_scheduled_event_attributes
            for e in run.history.events
            if e.event_type == EventType.EVENT_TYPE_ACTIVITY_TASK_SCHEDULED
        ]
        inputs = await decoded_bytes(scheduled, codec)
        assert b'"timeline"' not in inputs, "an activity was given the ticket view with its timeline"
        everything = await decoded_bytes(run.history.events, codec)
        assert b"%PDF" not in everything, "the resolution PDF entered the history"
        assert b"Subject:" not in everything and b"Content-Type" not in everything, "a rendered email did"
    return runs


async def test_a_happy_path_ticket_has_a_lean_history(
    api: httpx.AsyncClient, client: Client, env: WorkflowEnvironment, database_url: str, mailbox: Mailbox
) -> None:
    requested, view = await scheduled_ticket(api, client, database_url, handler_id="c0002", pick=-1)
    resolved = await resolve(api, env, requested, view)
    assert resolved.document_number is not None
    await env.fast_forward(requested.handle, timedelta(days=31))
    assert (await requested.handle.result()).status == TicketStatus.CLOSED
    await assert_lean(client, requested.workflow_id, levels=1)


async def test_every_level_of_an_escalation_has_a_lean_history(
    api: httpx.AsyncClient, client: Client, env: WorkflowEnvironment, database_url: str, mailbox: Mailbox
) -> None:
    """Each level carries the earlier audiences and the timeline so far in its input: the mayor's
    run is the biggest, and still within the limits."""
    requested, view = await scheduled_ticket(api, client, database_url, handler_id="c0071", pick=-1)
    for level in Level:
        resolved = await resolve(api, env, requested, view)
        if level == Level.MAYOR:
            break
        slots = (await api.get(f"{requested.link.path}/escalation-slots", params=requested.key)).json()
        escalated = await api.post(
            f"{requested.link.path}/escalate",
            params=requested.key,
            json={"slot_start": slots["slots"][-1]["start"]},
        )
        assert escalated.status_code == 200, escalated.text
        view = await wait_for_status(requested.handle, TicketStatus.SCHEDULED, TicketStatus.AWAITING_OUTCOME)
        assert view.level == Level(level + 1)
    assert resolved.level == Level.MAYOR
    assert (await requested.handle.result()).status == TicketStatus.CLOSED
    await assert_lean(client, requested.workflow_id, levels=len(Level))

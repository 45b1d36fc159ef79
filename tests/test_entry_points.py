"""No input wedges a ticket: every signal and update of the ticket workflow, sent with any number of
arguments and any JSON (or a payload nobody can decode), is refused without failing a workflow task.
A refused signal shows in the timeline with a short reason; a refused update answers its caller
with a `domain.messages` code. Real dev server, real worker, the real `temporal` CLI."""

from __future__ import annotations

import asyncio
import sys
from pathlib import Path
from typing import Any

import httpx
import pytest
from temporalio.api.common.v1 import Payload
from temporalio.api.enums.v1 import EventType
from temporalio.client import Client, WorkflowHandle, WorkflowUpdateFailedError
from temporalio.common import RawValue
from temporalio.exceptions import ApplicationError
from temporalio.testing import WorkflowEnvironment

from domain.messages import CODES
from domain.models import AssignAction, Outcome, OutcomeAction, TicketStatus, TicketView
from tests.conftest import wait_for_status
from tests.helpers import past_the_meeting, request_ticket, scheduled_ticket
from workflows.blue_ticket import BlueTicketWorkflow

SIGNALS = ["record_outcome_signal", "submit_resolution_signal", "decide_in_person_signal", "webex_event"]
UPDATES = [
    "record_outcome",
    "submit_resolution",
    "assign_clerk",
    "cancel",
    "choose_slot",
    "escalate",
    "reschedule",
    "decide_in_person",
]
HUGE = "Ioana Pop " * 100_000  # 1 MB, and a name: neither may reach the timeline
UNDECODABLE = RawValue(Payload(metadata={"encoding": b"binary/encrypted"}, data=b"\x00\xff secret"))
# (label, arguments): counts 0–3, then one argument that is not a JSON object of the right shape.
ARGUMENTS: list[tuple[str, list[Any]]] = [
    ("none", []),
    ("one object", [{"x": 1}]),
    ("two", [{"staff_id": "c0001"}, {"x": 1}]),
    ("three", [{"staff_id": "c0001"}, {"x": 1}, "hello"]),
    ("string", ["hello"]),
    ("list", [[1, 2]]),
    ("null", [None]),
    ("number", [42]),
    ("1 MB", [HUGE]),
    ("undecodable", [UNDECODABLE]),
]


async def task_failures(handle: WorkflowHandle[Any, Any]) -> int:
    history = await handle.fetch_history()
    return sum(1 for e in history.events if e.event_type == EventType.EVENT_TYPE_WORKFLOW_TASK_FAILED)


async def assert_not_failing(handle: WorkflowHandle[Any, Any]) -> TicketView:
    """The ticket answers `status` and its current workflow task is not a retry of a failed one."""
    view = await handle.query(BlueTicketWorkflow.status)
    pending = (await handle.describe()).raw_description.pending_workflow_task
    assert pending.attempt <= 1, "a workflow task is failing"
    return view


def rejected(view: TicketView) -> list[str]:
    return [e.detail for e in view.timeline if e.step == "signal rejected"]


async def until_rejected(handle: WorkflowHandle[Any, Any], count: int) -> TicketView:
    """The ticket's timeline shows `count` refused signals (each one is written, none dropped)."""
    for _ in range(100):
        view = await assert_not_failing(handle)
        if len(rejected(view)) >= count:
            return view
        await asyncio.sleep(0.05)
    raise AssertionError(f"expected {count} refused signals, timeline: {rejected(view)}")


def assert_plain(reason: str) -> None:
    assert 0 < len(reason) <= 250, len(reason)
    assert "Ioana" not in reason and "hello" not in reason and "secret" not in reason


async def test_no_signal_or_update_payload_fails_a_workflow_task(
    api: httpx.AsyncClient, client: Client, env: WorkflowEnvironment, database_url: str
) -> None:
    requested, before = await scheduled_ticket(api, client, database_url, handler_id="c0092")
    handle = requested.handle

    sent = 0
    for name in SIGNALS:
        for label, args in ARGUMENTS:
            await handle.signal(name, args=args)
            sent += 1
            view = await until_rejected(handle, sent)
            assert_plain(rejected(view)[-1])
            assert rejected(view)[-1].startswith(name.removesuffix("_signal")), (label, rejected(view)[-1])
    reasons = rejected(view)
    assert any("got 2 arguments" in r for r in reasons) and any("undecodable" in r for r in reasons)
    assert any("got a string" in r for r in reasons) and any("got null" in r for r in reasons)

    for name in UPDATES:
        for label, args in ARGUMENTS:
            with pytest.raises(WorkflowUpdateFailedError) as refused:
                await handle.execute_update(name, args=args, result_type=dict)
            cause = refused.value.cause
            assert isinstance(cause, ApplicationError), (name, label, cause)
            assert cause.type == "invalid_input", (name, label, cause.type, cause.message)
            assert_plain(cause.message)
            await assert_not_failing(handle)

    # A name mixed up (the update's name as a signal, and the other way round): refused as well.
    await handle.signal("record_outcome", {"staff_id": "c0092", "outcome": "held"})
    sent += 1
    assert rejected(await until_rejected(handle, sent))[-1] == "record_outcome: no such signal"
    with pytest.raises(WorkflowUpdateFailedError) as unknown:
        await handle.execute_update("record_outcome_signal", {"staff_id": "c0092"}, result_type=dict)
    assert isinstance(unknown.value.cause, ApplicationError) and unknown.value.cause.type == "invalid_input"

    # A well-formed action that does not fit the state: refused with its own code, typed call intact.
    with pytest.raises(WorkflowUpdateFailedError) as early:
        await handle.execute_update(
            BlueTicketWorkflow.record_outcome, OutcomeAction(staff_id="c0092", outcome=Outcome.HELD)
        )
    assert isinstance(early.value.cause, ApplicationError)
    assert early.value.cause.type == "meeting_not_held_yet" and early.value.cause.type in CODES

    # The exact command ops might type in the Temporal CLI.
    cli = Path(sys.executable).with_name("temporal")
    address = env.client.service_client.config.target_host
    process = await asyncio.create_subprocess_exec(
        str(cli), "workflow", "signal", "--address", address, "--workflow-id", handle.id,
        "--name", "submit_resolution_signal", "--input", '{"staff_id":"c0001"}', "--input", '{"x":1}',
        stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE,
    )  # fmt: skip
    out, err = await process.communicate()
    assert process.returncode == 0, (out, err)
    view = await until_rejected(handle, sent + 1)
    assert rejected(view)[-1] == "submit_resolution: expected one JSON object, got 2 arguments"

    assert await task_failures(handle) == 0
    assert view.status == TicketStatus.SCHEDULED and view.slot_start == before.slot_start
    # Still alive: its next timers fire and it moves on to the meeting.
    await past_the_meeting(env, handle, before)
    await wait_for_status(handle, TicketStatus.AWAITING_OUTCOME)
    assert await task_failures(handle) == 0


async def test_a_refused_pick_answers_with_its_code_not_activity_task_failed(
    api: httpx.AsyncClient, client: Client, database_url: str
) -> None:
    # c0005 is absent with no substitute (demo city): the director picks.
    requested = await request_ticket(api, client, database_url, handler_id="c0005")
    waiting = await wait_for_status(requested.handle, TicketStatus.AWAITING_ASSIGNMENT)
    (why,) = [e.detail for e in waiting.timeline if e.step == "awaiting assignment"]
    assert why == "handler absent, no substitute: the director picks"
    with pytest.raises(WorkflowUpdateFailedError) as refused:
        await requested.handle.execute_update(
            "assign_clerk", AssignAction(staff_id="dir-urbanism", assignee_id="c9999"), result_type=dict
        )
    cause = refused.value.cause
    assert isinstance(cause, ApplicationError) and cause.type in CODES, cause
    assert "Activity task failed" not in cause.message and cause.cause is None
    assert await task_failures(requested.handle) == 0

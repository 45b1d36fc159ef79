"""Issue 9, payload encryption on the real dev server: keys rotate without losing a running ticket,
a missing key is an error that names it, and failures (message and stack trace) are sealed too."""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta

import httpx
import pytest
from temporalio import activity, workflow
from temporalio.api.enums.v1 import EventType
from temporalio.client import Client, WorkflowFailureError
from temporalio.exceptions import ActivityError, ApplicationError
from temporalio.testing import WorkflowEnvironment
from temporalio.worker import Replayer, UnsandboxedWorkflowRunner, Worker

from core.links import workflow_id_for
from core.payload_crypto import ENCODING, KEY_ID_METADATA, PayloadKeyError
from core.settings import Settings
from core.temporal_client import data_converter
from domain.models import Channel, Citizen, ResolutionAction, TicketInput, TicketStatus
from tests.conftest import bucharest_today, wait_for_status
from tests.factories import add_file, free_slots
from tests.helpers import past_the_meeting
from tests.keys import KEY_A, KEY_B
from tests.raw_history import decoded_bytes, payloads_in, raw_bytes
from worker import SANDBOX, WORKFLOWS, create_worker
from workflows.blue_ticket import BlueTicketWorkflow


def keyring(settings: Settings, keys: dict[str, str], current: str, task_queue: str) -> Settings:
    spec = ",".join(f"{key_id}:{key}" for key_id, key in keys.items())
    return settings.model_copy(
        update={
            "payload_keys": spec,
            "payload_key_id": current,
            "municipality_payload_key_ids": "",
            "task_queue": task_queue,
        }
    )


def client_with(env: WorkflowEnvironment, settings: Settings) -> Client:
    """The session's Temporal, through the project's converter with `settings`' keyring."""
    return Client(**env.client.config() | {"data_converter": data_converter(settings)})


async def test_a_ticket_started_under_key_a_finishes_under_key_b(
    api: httpx.AsyncClient, env: WorkflowEnvironment, settings: Settings, database_url: str
) -> None:
    queue = f"rotation-{uuid.uuid4().hex[:6]}"
    under_a = keyring(settings, {"a": KEY_A}, "a", queue)
    under_b = keyring(settings, {"a": KEY_A, "b": KEY_B}, "b", queue)
    only_b = keyring(settings, {"b": KEY_B}, "b", queue)
    ref = add_file(database_url, bucharest_today(), handler_id="c0402")
    slot = datetime.fromisoformat((await free_slots(api, ref))[0]["start"])
    email = f"rotatie-{uuid.uuid4().hex[:6]}@example.ro"
    ticket = TicketInput(
        ticket_id=uuid.uuid4().hex[:12],
        file=ref,
        citizen=Citizen(email=email, phone="+40712345678"),
        channel=Channel.WEBEX,
        slot_start=slot,
    )
    workflow_id = workflow_id_for(ref.registration_number)

    client_a = client_with(env, under_a)
    async with create_worker(client_a, under_a):
        handle = await client_a.start_workflow(
            BlueTicketWorkflow.run, ticket, id=workflow_id, task_queue=queue
        )
        view = await wait_for_status(handle, TicketStatus.SCHEDULED)
    assert view.assignee is not None

    # The city switches to key B and keeps A in the ring; the new worker replays A's history.
    client_b = client_with(env, under_b)
    handle = client_b.get_workflow_handle_for(BlueTicketWorkflow.run, workflow_id)
    async with create_worker(client_b, under_b):
        await wait_for_status(handle, TicketStatus.SCHEDULED)  # the new worker read A's history
        await past_the_meeting(env, handle, view)
        await wait_for_status(handle, TicketStatus.AWAITING_OUTCOME)
        conclusions = "Rotația cheii nu schimbă nimic pentru dosar."
        action = ResolutionAction(staff_id=view.assignee.id, conclusions=conclusions, category="clarified")
        assert (await handle.execute_update(BlueTicketWorkflow.submit_resolution, action)).accepted
        await wait_for_status(handle, TicketStatus.RESOLVED)
        await env.fast_forward(handle, timedelta(days=31))
        assert (await handle.result()).status == TicketStatus.CLOSED

    history = await handle.fetch_history()
    sealed = [p for e in history.events for p in payloads_in(e) if p.metadata.get("encoding") == ENCODING]
    assert {p.metadata[KEY_ID_METADATA] for p in sealed} == {b"a", b"b"}
    codec = client_b.data_converter.payload_codec
    assert codec is not None
    readable = await decoded_bytes(history.events, codec)
    assert email.encode() in readable and conclusions.encode() in readable
    assert email.encode() not in raw_bytes(history.events)

    # Key A dropped too early: the start input (sealed under A) is refused, by the key's id.
    started = history.events[0].workflow_execution_started_event_attributes
    with pytest.raises(PayloadKeyError, match="key id 'a', which is not in the keyring"):
        await client_with(env, only_b).data_converter.decode(started.input.payloads, [TicketInput])
    replayer = Replayer(workflows=WORKFLOWS, data_converter=data_converter(only_b), workflow_runner=SANDBOX)
    result = await replayer.replay_workflow(history, raise_on_replay_failure=False)
    assert result.replay_failure is not None and "PayloadKeyError" in str(result.replay_failure)


@activity.defn(name="test_quote_the_citizen")
async def quote_the_citizen(email: str) -> None:
    raise ApplicationError(f"the mailbox {email} refused the letter", non_retryable=True)


@workflow.defn(name="QuotesTheCitizenInItsFailure")
class QuotesTheCitizen:
    @workflow.run
    async def run(self, email: str) -> None:
        await workflow.execute_activity(
            quote_the_citizen, email, start_to_close_timeout=timedelta(seconds=10)
        )


async def test_a_failure_that_quotes_the_citizen_is_sealed(env: WorkflowEnvironment) -> None:
    queue = f"sealed-failure-{uuid.uuid4().hex[:6]}"
    email = f"cetatean-{uuid.uuid4().hex[:6]}@example.ro"
    async with Worker(
        env.client,
        task_queue=queue,
        workflows=[QuotesTheCitizen],
        activities=[quote_the_citizen],
        workflow_runner=UnsandboxedWorkflowRunner(),
    ):
        handle = await env.client.start_workflow(
            QuotesTheCitizen.run, email, id=f"sealed-{uuid.uuid4().hex[:6]}", task_queue=queue
        )
        with pytest.raises(WorkflowFailureError) as failed:
            await handle.result()
    # Through the codec the cause reads as the activity wrote it…
    cause = failed.value.cause
    assert isinstance(cause, ActivityError) and email in str(cause.cause)
    # …while the history holds only the encoded failure: no message, no stack trace in clear.
    history = await handle.fetch_history()
    [activity_failed] = [
        e for e in history.events if e.event_type == EventType.EVENT_TYPE_ACTIVITY_TASK_FAILED
    ]
    failure = activity_failed.activity_task_failed_event_attributes.failure
    assert failure.message == "Encoded failure" and failure.stack_trace == ""
    assert failure.encoded_attributes.metadata["encoding"] == ENCODING
    assert email.encode() not in raw_bytes(history.events)

"""Worker Versioning on the real dev server: a worker with a build id is one version of the worker
deployment, gets work once ops make it current, and stamps its runs auto-upgrade (README, "Operating it")."""

from __future__ import annotations

import asyncio
import uuid
from datetime import datetime
from typing import Any

import httpx
from temporalio.api.enums.v1 import VersioningBehavior
from temporalio.api.workflowservice.v1 import SetWorkerDeploymentCurrentVersionRequest
from temporalio.client import Client, WorkflowHandle
from temporalio.service import RPCError
from temporalio.testing import WorkflowEnvironment

from core.settings import Settings
from domain.models import Channel, Citizen, TicketInput, TicketStatus
from domain.retention import PurgeInput, PurgeReport
from tests.conftest import bucharest_today, wait_for_status
from tests.factories import add_file, free_slots
from tests.helpers import past_the_meeting
from worker import create_worker
from workflows.blue_ticket import BlueTicketWorkflow
from workflows.retention import RetentionPurgeWorkflow


async def make_current(client: Client, deployment: str, build_id: str) -> None:
    """What `temporal worker deployment set-current-version` does; the deployment exists only once its
    first worker polled, so this retries for a while."""
    request = SetWorkerDeploymentCurrentVersionRequest(
        namespace=client.namespace, deployment_name=deployment, build_id=build_id, identity="test"
    )
    for _ in range(100):
        try:
            await client.workflow_service.set_worker_deployment_current_version(request)
            return
        except RPCError:
            await asyncio.sleep(0.1)
    await client.workflow_service.set_worker_deployment_current_version(request)


async def test_a_versioned_worker_runs_the_current_version_auto_upgrade(
    client: Client, settings: Settings
) -> None:
    deployment = f"tichet-test-{uuid.uuid4().hex[:8]}"
    versioned = settings.model_copy(
        update={"worker_deployment_name": deployment, "worker_build_id": "build-1"}
    )
    queue = f"{deployment}-queue"
    async with create_worker(client, versioned, task_queue=queue):
        await make_current(client, deployment, "build-1")
        handle = await client.start_workflow(
            RetentionPurgeWorkflow.run,
            PurgeInput(retention_days=90_000),
            id=f"{deployment}-purge",
            task_queue=queue,
        )
        report = await asyncio.wait_for(handle.result(), 30)
    assert isinstance(report, PurgeReport)
    versioning = (await handle.describe()).raw_description.workflow_execution_info.versioning_info
    assert versioning.behavior == VersioningBehavior.VERSIONING_BEHAVIOR_AUTO_UPGRADE
    assert versioning.deployment_version.deployment_name == deployment
    assert versioning.deployment_version.build_id == "build-1"


async def running_build(handle: WorkflowHandle[Any, Any]) -> str:
    versioning = (await handle.describe()).raw_description.workflow_execution_info.versioning_info
    assert versioning.behavior == VersioningBehavior.VERSIONING_BEHAVIOR_AUTO_UPGRADE
    return versioning.deployment_version.build_id


async def test_a_running_ticket_moves_to_the_new_build_when_ops_make_it_current(
    api: httpx.AsyncClient, client: Client, env: WorkflowEnvironment, settings: Settings, database_url: str
) -> None:
    """The release of README "Operating it": build 2 starts beside build 1 and gets nothing until it is
    made current; then the ticket's next step runs on build 2 (build 1 drains and can stop)."""
    deployment = f"tichet-test-{uuid.uuid4().hex[:8]}"
    queue = f"{deployment}-queue"
    build = {
        n: settings.model_copy(update={"worker_deployment_name": deployment, "worker_build_id": f"build-{n}"})
        for n in (1, 2)
    }
    ref = add_file(database_url, bucharest_today(), handler_id="c0403")
    slot = datetime.fromisoformat((await free_slots(api, ref))[0]["start"])
    ticket = TicketInput(
        ticket_id=uuid.uuid4().hex[:12],
        file=ref,
        citizen=Citizen(email=f"versiune-{uuid.uuid4().hex[:6]}@example.ro", phone="+40712345678"),
        channel=Channel.WEBEX,
        slot_start=slot,
    )
    async with create_worker(client, build[1], task_queue=queue):
        await make_current(client, deployment, "build-1")
        handle = await client.start_workflow(
            BlueTicketWorkflow.run, ticket, id=f"{deployment}-ticket", task_queue=queue
        )
        view = await wait_for_status(handle, TicketStatus.SCHEDULED)
        assert await running_build(handle) == "build-1"
        async with create_worker(client, build[2], task_queue=queue):
            await make_current(client, deployment, "build-2")
            await past_the_meeting(env, handle, view)
            await wait_for_status(handle, TicketStatus.AWAITING_OUTCOME)
            assert await running_build(handle) == "build-2"

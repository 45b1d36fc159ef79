"""Worker Versioning on the real dev server: a worker with a build id is one version of the worker
deployment, gets work once ops make it current, and stamps its runs auto-upgrade (README, "Operating it")."""

from __future__ import annotations

import asyncio
import uuid

from temporalio.api.enums.v1 import VersioningBehavior
from temporalio.api.workflowservice.v1 import SetWorkerDeploymentCurrentVersionRequest
from temporalio.client import Client
from temporalio.service import RPCError

from core.settings import Settings
from domain.retention import PurgeInput, PurgeReport
from worker import create_worker
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

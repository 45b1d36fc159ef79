"""Ops can scrape the worker: `TICHET_WORKER_METRICS_ADDRESS` serves the SDK's Prometheus metrics."""

from __future__ import annotations

import asyncio
import uuid

import httpx
import pytest
from pydantic import ValidationError
from temporalio import workflow
from temporalio.testing import WorkflowEnvironment
from temporalio.worker import UnsandboxedWorkflowRunner, Worker

from core.settings import Settings
from core.temporal_client import connect
from tests.servers import free_port
from worker import create_worker


async def test_the_worker_serves_prometheus_metrics(env: WorkflowEnvironment, settings: Settings) -> None:
    address = f"127.0.0.1:{free_port()}"
    target = env.client.service_client.config.target_host
    client = await connect(settings.model_copy(update={"temporal_address": target}), metrics_address=address)
    async with create_worker(client, settings, task_queue=f"metrics-{uuid.uuid4().hex[:6]}"):
        body = ""
        async with httpx.AsyncClient(timeout=5) as http:
            for _ in range(50):  # pollers report within a moment of starting
                body = (await http.get(f"http://{address}/metrics")).text
                if "temporal_num_pollers" in body:
                    break
                await asyncio.sleep(0.1)
    assert "temporal_num_pollers" in body
    assert 'task_queue="metrics-' in body


@workflow.defn(name="WedgedForTheMetricsTest")
class Wedged:
    """Fails every workflow task, as a bug or an unreadable input would: the metric ops alert on."""

    @workflow.run
    async def run(self) -> None:
        raise RuntimeError("a bug, not a Temporal failure")


async def test_a_failing_workflow_task_shows_in_the_metrics(
    env: WorkflowEnvironment, settings: Settings
) -> None:
    address = f"127.0.0.1:{free_port()}"
    target = env.client.service_client.config.target_host
    client = await connect(settings.model_copy(update={"temporal_address": target}), metrics_address=address)
    queue = f"wedged-{uuid.uuid4().hex[:6]}"
    failed = ""
    async with Worker(
        client, task_queue=queue, workflows=[Wedged], workflow_runner=UnsandboxedWorkflowRunner()
    ):
        handle = await client.start_workflow(
            Wedged.run, id=f"wedged-{uuid.uuid4().hex[:6]}", task_queue=queue
        )
        async with httpx.AsyncClient(timeout=5) as http:
            for _ in range(100):
                body = (await http.get(f"http://{address}/metrics")).text
                failed = next(
                    (
                        line
                        for line in body.splitlines()
                        if line.startswith("temporal_workflow_task_execution_failed")
                        and 'workflow_type="WedgedForTheMetricsTest"' in line
                    ),
                    "",
                )
                if failed:
                    break
                await asyncio.sleep(0.1)
        await handle.terminate("test over")
    print(failed)
    assert failed and float(failed.rsplit(" ", 1)[1]) >= 1, failed


async def test_the_worker_keeps_as_many_workflows_cached_as_configured(
    env: WorkflowEnvironment, settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The sticky cache is bounded by `TICHET_WORKER_MAX_CACHED_WORKFLOWS` (bench/waiting.py measures
    what a cached ticket costs), and a negative size is refused at start-up, by name."""
    monkeypatch.setenv("TICHET_WORKER_MAX_CACHED_WORKFLOWS", "7")
    configured = Settings(**settings.model_dump(exclude={"worker_max_cached_workflows"}))
    worker = create_worker(env.client, configured, task_queue=f"cache-{uuid.uuid4().hex[:6]}")
    assert worker.config()["max_cached_workflows"] == 7
    async with worker:  # the SDK accepts it: the worker polls with that cache
        await asyncio.sleep(0)
    monkeypatch.setenv("TICHET_WORKER_MAX_CACHED_WORKFLOWS", "-1")
    with pytest.raises(ValidationError, match="worker_max_cached_workflows"):
        Settings()

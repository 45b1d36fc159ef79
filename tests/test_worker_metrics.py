"""Ops can scrape the worker: `TICHET_WORKER_METRICS_ADDRESS` serves the SDK's Prometheus metrics."""

from __future__ import annotations

import asyncio
import uuid

import httpx
from temporalio.testing import WorkflowEnvironment

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

"""The single way to reach Temporal: the worker, the API, the CLI tools and the tests all use it.

It fixes the data converter (pydantic models travel as JSON, readable in the Temporal UI) so no
caller can connect with a converter that would mis-decode a ticket.
"""

from __future__ import annotations

from temporalio.client import Client
from temporalio.contrib.pydantic import pydantic_data_converter
from temporalio.runtime import PrometheusConfig, Runtime, TelemetryConfig

from core.settings import Settings


async def connect(settings: Settings, *, metrics_address: str = "") -> Client:
    """`metrics_address` serves Prometheus metrics of everything done through this client (the
    worker passes `settings.worker_metrics_address`)."""
    runtime = None
    if metrics_address:
        runtime = Runtime(telemetry=TelemetryConfig(metrics=PrometheusConfig(bind_address=metrics_address)))
    return await Client.connect(
        settings.temporal_address,
        namespace=settings.temporal_namespace,
        data_converter=pydantic_data_converter,
        runtime=runtime,
    )

"""The single way to reach Temporal: the worker, the API, the CLI tools and the tests all use it.

It fixes the data converter so no caller can connect with one that would mis-decode a ticket or
write a citizen's data in clear: pydantic models travel as JSON, encrypted by the payload codec
(core/payload_crypto.py), and failures' messages and stack traces are encrypted too, since an error
may quote what it failed on. The Temporal UI and CLI read them through the codec endpoint.
"""

from __future__ import annotations

import dataclasses

from temporalio.client import Client
from temporalio.contrib.pydantic import pydantic_data_converter
from temporalio.converter import DataConverter, DefaultFailureConverterWithEncodedAttributes
from temporalio.runtime import PrometheusConfig, Runtime, TelemetryConfig

from core.payload_crypto import EncryptionCodec
from core.settings import Settings


def data_converter(settings: Settings) -> DataConverter:
    """The converter of every client, worker, replayer and test environment of the project."""
    return dataclasses.replace(
        pydantic_data_converter,
        payload_codec=EncryptionCodec(settings.payload_keyring),
        failure_converter_class=DefaultFailureConverterWithEncodedAttributes,
    )


async def connect(settings: Settings, *, metrics_address: str = "") -> Client:
    """`metrics_address` serves Prometheus metrics of everything done through this client (the
    worker passes `settings.worker_metrics_address`)."""
    runtime = None
    if metrics_address:
        runtime = Runtime(telemetry=TelemetryConfig(metrics=PrometheusConfig(bind_address=metrics_address)))
    return await Client.connect(
        settings.temporal_address,
        namespace=settings.temporal_namespace,
        data_converter=data_converter(settings),
        runtime=runtime,
    )

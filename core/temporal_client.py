"""The single way to reach Temporal: the worker, the API, the CLI tools and the tests all use it.

It fixes the data converter so no caller can connect with one that would mis-decode a ticket or
write a citizen's data in clear: pydantic models travel as JSON, encrypted by the payload codec
(core/payload_crypto.py), and failures' messages and stack traces are encrypted too, since an error
may quote what it failed on. The codec takes Temporal's serialization context, so each municipality's
tickets are encrypted with its own key (`TICHET_MUNICIPALITY_PAYLOAD_KEY_IDS`). The Temporal UI and
CLI read them through the codec endpoint.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from typing import Any

from temporalio.api.common.v1 import Payload
from temporalio.client import Client
from temporalio.common import RawValue
from temporalio.contrib.pydantic import PydanticPayloadConverter, pydantic_data_converter
from temporalio.converter import DataConverter, DefaultFailureConverterWithEncodedAttributes
from temporalio.runtime import PrometheusConfig, Runtime, TelemetryConfig

from core.payload_crypto import EncryptionCodec
from core.settings import Settings


class TolerantPayloadConverter(PydanticPayloadConverter):
    """The pydantic converter, except that a payload it cannot decode *without a type hint* comes
    back as its `RawValue` instead of raising. The ticket's signal and update handlers take `*args`
    (no hint) and refuse a `RawValue` themselves; otherwise the SDK would drop an undecodable signal
    with only a worker log line, and the ticket's timeline would never say it was refused."""

    def from_payloads(self, payloads: Sequence[Payload], type_hints: list[type] | None = None) -> list[Any]:
        if type_hints is not None:
            return super().from_payloads(payloads, type_hints)
        values: list[Any] = []
        for payload in payloads:
            try:
                values.extend(super().from_payloads([payload]))
            except Exception:  # unknown encoding or corrupt data: the handler says so
                values.append(RawValue(payload))
        return values


DATA_CONVERTER = dataclasses.replace(
    pydantic_data_converter, payload_converter_class=TolerantPayloadConverter
)


def data_converter(settings: Settings) -> DataConverter:
    """The converter of every client, worker, replayer and test environment of the project."""
    return dataclasses.replace(
        DATA_CONVERTER,
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

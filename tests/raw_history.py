"""What Temporal really holds of a workflow, for the tests that look for personal data in it: every
`Payload` anywhere in a protobuf message (inputs, results, failures' encoded attributes, search
attributes, memo, summaries…), and the message's bytes as a reader of the cluster would see them."""

from __future__ import annotations

from collections.abc import Iterable, Iterator

from google.protobuf.descriptor import FieldDescriptor
from google.protobuf.json_format import MessageToJson
from google.protobuf.message import Message
from temporalio.api.common.v1 import Payload
from temporalio.converter import PayloadCodec


def payloads_in(message: Message) -> Iterator[Payload]:
    """Every payload in `message`, however deep (repeated and map fields too)."""
    for field, value in message.ListFields():
        if field.type != FieldDescriptor.TYPE_MESSAGE or field.message_type is None:
            continue
        if field.message_type.GetOptions().map_entry:
            values: Iterable[object] = value.values()
        elif field.is_repeated:
            values = value
        else:
            values = [value]
        for item in values:
            if isinstance(item, Payload):
                yield item
            elif isinstance(item, Message):
                yield from payloads_in(item)


def raw_bytes(messages: Iterable[Message]) -> bytes:
    """The messages as stored: their JSON (ids, names, failure messages, stack traces…) and every
    payload's data and metadata as they are, not decoded."""
    parts: list[bytes] = []
    for message in messages:
        parts.append(MessageToJson(message, ensure_ascii=False).encode())
        for payload in payloads_in(message):
            parts.append(payload.data)
            parts.extend(payload.metadata.values())
    return b"\n".join(parts)


async def decoded_bytes(messages: Iterable[Message], codec: PayloadCodec) -> bytes:
    """Every payload's data after the codec opened it: what an authorised reader sees."""
    payloads = [p for message in messages for p in payloads_in(message)]
    return b"\n".join(p.data for p in await codec.decode(payloads))

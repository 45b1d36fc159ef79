"""Delivery status notifications (RFC 3464): what a bounce says about which of our emails.

A DSN is a `multipart/report; report-type=delivery-status` message: a human-readable part, a
`message/delivery-status` part (one block of per-message fields, then one block per recipient:
`Action`, `Status`, `Final-Recipient`, `Diagnostic-Code`) and the original message or its headers
(`message/rfc822` or `text/rfc822-headers`), which carry the Message-ID we gave it.

The standard library's parser already splits `message/delivery-status` into its blocks, so this is
only a reading of them. `flufl.bounce` was considered: it answers "which addresses bounced", while
we need "which Message-ID, failed or delayed, with which status code", and an address would be
personal data we do not want to handle at all.

Nothing here returns or raises text from the report: its fields quote the recipient's address, and
a reason ends up in the database and the logs. `MalformedReport` reasons are our own words.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from email import message_from_bytes, policy
from email.message import Message
from email.parser import BytesHeaderParser
from typing import Final

# RFC 3464 section 2.3.3; the order is how bad the news is (one report, several recipients).
ACTIONS: Final = ("failed", "delayed", "delivered", "relayed", "expanded")
FAILED, DELAYED = "failed", "delayed"
_STATUS = re.compile(r"^[245]\.\d{1,3}\.\d{1,3}$")
_MESSAGE_ID = re.compile(r"^<[^<>\s]{1,240}>$")
MAX_REPORT_BYTES: Final = 1_000_000  # a report with a whole large original attached is refused


class MalformedReport(ValueError):
    """Not a delivery status notification we can read; the message is our own reason."""


@dataclass(frozen=True)
class DeliveryReport:
    """What one DSN says: the original's Message-ID, the worst `action` among its recipients
    (`failed`, `delayed`, ...), and that recipient's status code (`5.1.1`), when given."""

    message_id: str
    action: str
    status_code: str | None

    @property
    def permanent(self) -> bool:
        return self.action == FAILED

    @property
    def failure(self) -> bool:
        return self.action in (FAILED, DELAYED)


def parse_report(raw: bytes) -> DeliveryReport:
    """The report in `raw`, or `MalformedReport` saying what is missing."""
    if len(raw) > MAX_REPORT_BYTES:
        raise MalformedReport(f"larger than {MAX_REPORT_BYTES} bytes")
    try:
        message = message_from_bytes(raw, policy=policy.compat32)
    except Exception:  # the parser is lenient; anything it still raises is malformed
        raise MalformedReport("not a parseable email") from None
    if message.get_content_type() != "multipart/report":
        raise MalformedReport("not a multipart/report")
    if str(message.get_param("report-type", "", header="content-type")).lower() != "delivery-status":
        raise MalformedReport("a report, but not of delivery status")
    parts = [part for part in message.walk() if part is not message]
    status = next((p for p in parts if p.get_content_type() == "message/delivery-status"), None)
    if status is None:
        raise MalformedReport("no message/delivery-status part")
    action, code = _worst_recipient(status)
    return DeliveryReport(message_id=_original_message_id(parts), action=action, status_code=code)


def _worst_recipient(status: Message) -> tuple[str, str | None]:
    blocks = status.get_payload()
    if not isinstance(blocks, list) or len(blocks) < 2:
        raise MalformedReport("no per-recipient fields in the delivery status")
    found: list[tuple[int, str, str | None]] = []
    for block in blocks[1:]:
        if not isinstance(block, Message):
            continue
        action = str(block.get("Action", "")).strip().lower()
        if action not in ACTIONS:
            continue
        given = str(block.get("Status", "")).strip().split(" ")[0]
        found.append((ACTIONS.index(action), action, given if _STATUS.match(given) else None))
    if not found:
        raise MalformedReport("no recipient with a known Action")
    _rank, worst, code = min(found, key=lambda one: one[0])
    return worst, code


def _original_message_id(parts: list[Message]) -> str:
    for part in parts:
        kind = part.get_content_type()
        if kind == "message/rfc822":
            inner = part.get_payload()
            original = inner[0] if isinstance(inner, list) and inner else None
        elif kind == "text/rfc822-headers":
            payload = part.get_payload(decode=True)
            original = BytesHeaderParser().parsebytes(payload) if isinstance(payload, bytes) else None
        else:
            continue
        if isinstance(original, Message):
            message_id = str(original.get("Message-ID", "")).strip()
            if _MESSAGE_ID.match(message_id):
                return message_id
            raise MalformedReport("the original's headers carry no usable Message-ID")
    raise MalformedReport("no original message or headers in the report")

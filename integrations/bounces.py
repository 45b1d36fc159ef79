"""Email delivery status after the send (issue 12): refusals and bounces, recorded and told to the ticket.

Every email leaves with the bounce address as its envelope sender (`Settings.bounce_address`), so a
relay that cannot deliver it sends a delivery status notification (RFC 3464) there. The city's mail
server hands what arrives at that address to `BounceReceiver`, a small SMTP server that the worker
runs (`python -m worker`, when `bounce_smtp_port` is set; `make run` sets it and points the local
mailbox at it). Each report is parsed (`integrations.dsn`), matched to our email by the original's
Message-ID, stored (`email_reports`), and moves that email's status in `email_deliveries`; a ticket's
email that failed is signalled to the ticket (`email_bounced`), which shows a permanent failure of
the citizen's email to the clerk and in the Temporal UI.

Bad input changes nothing: a report that matches no email of ours is stored and ignored, a
malformed one is stored with the reason, and neither reaches a workflow. What is kept and logged is
the Message-ID, the action and the status code: never an address (a report quotes the recipient's).
"""

from __future__ import annotations

import asyncio
import logging
from datetime import UTC, datetime
from typing import Final, Literal

from aiosmtpd.smtp import SMTP, Envelope, Session
from temporalio.client import Client
from temporalio.service import RPCError, RPCStatusCode

from domain.models import EmailBounce
from domain.ports import DeliveryRecord, DeliveryStatus, EmailDeliveries, RecipientKind
from integrations.dsn import MalformedReport, parse_report

log = logging.getLogger(__name__)

SIGNAL: Final = "email_bounced"  # workflows/ticket_actions.py


def tells_a_ticket(record: DeliveryRecord) -> bool:
    """The ticket's own emails: the citizen's, and its staff emails (`staff_<kind>`). Others in the
    log (the accessibility feedback's) belong to workflows without the signal."""
    return record.recipient_kind == RecipientKind.CITIZEN or record.kind.startswith("staff_")


class DeliveryReports:
    """Moves an email's status on news of a failure and tells its ticket; `client` None: record only."""

    def __init__(self, deliveries: EmailDeliveries, client: Client | None) -> None:
        self.deliveries, self.client = deliveries, client

    async def failed(
        self,
        message_id: str,
        *,
        permanent: bool,
        code: str | None,
        source: Literal["bounce", "smtp"],
        at: datetime | None = None,
    ) -> DeliveryRecord | None:
        """None when no email of ours has this Message-ID. The ticket is told once per change (a
        second report of the same failure, or a delay after a bounce, only updates the log), and
        before the log moves: if the signal fails, the report is answered 451 and its next delivery
        tells the ticket (at least once; a signal that got through and a log write that did not
        give a second timeline entry, nothing worse)."""
        at = at or datetime.now(UTC)
        status = DeliveryStatus.PERMANENT_FAILURE if permanent else DeliveryStatus.TEMPORARY_FAILURE
        before = await asyncio.to_thread(self.deliveries.find, message_id)
        if before is None:
            return None
        final = before.status == DeliveryStatus.PERMANENT_FAILURE  # no later report undoes a bounce
        if not final and before.status != status and tells_a_ticket(before):
            await self._tell(before, status, code, source, at)
        detail = f"{source}: {code or 'no code'}"
        return await asyncio.to_thread(self.deliveries.mark_failed, message_id, status, at=at, detail=detail)

    async def _tell(
        self,
        record: DeliveryRecord,
        status: DeliveryStatus,
        code: str | None,
        source: Literal["bounce", "smtp"],
        at: datetime,
    ) -> None:
        if self.client is None:
            return
        bounce = EmailBounce(
            message_id=record.message_id,
            email_kind=record.kind,
            recipient_kind=record.recipient_kind.value,
            status="permanent-failure" if status == DeliveryStatus.PERMANENT_FAILURE else "temporary-failure",
            code=code,
            source=source,
            at=at,
        )
        try:
            await self.client.get_workflow_handle(record.workflow_id).signal(SIGNAL, bounce)
        except RPCError as err:
            if err.status != RPCStatusCode.NOT_FOUND:
                raise
            # A closed ticket: the log holds the status; nobody is waiting to hear of it.
            log.info("email %s failed after its ticket closed", record.message_id)

    async def receive(self, raw: bytes) -> str:
        """One report as it reached the bounce address: its outcome (`matched`, `unmatched`,
        `malformed`, `ignored`), also stored with it."""
        at = datetime.now(UTC)
        try:
            report = parse_report(raw)
        except MalformedReport as err:
            await self._keep(at, "malformed", raw, reason=str(err))
            log.warning("delivery report refused: %s", err)
            return "malformed"
        fields = {"message_id": report.message_id, "action": report.action, "status_code": report.status_code}
        if not report.failure:
            await self._keep(at, "ignored", raw, **fields)
            return "ignored"
        record = await self.failed(
            report.message_id, permanent=report.permanent, code=report.status_code, source="bounce", at=at
        )
        outcome = "matched" if record is not None else "unmatched"
        await self._keep(at, outcome, raw, **fields)
        log.info("delivery report %s: %s %s", outcome, report.action, report.message_id)
        return outcome

    async def _keep(self, at: datetime, outcome: str, raw: bytes, **fields: str | None) -> None:
        await asyncio.to_thread(
            self.deliveries.keep_report, received_at=at, outcome=outcome, size=len(raw), **fields
        )


class _Handler:
    def __init__(self, reports: DeliveryReports) -> None:
        self._reports = reports

    async def handle_DATA(self, server: SMTP, session: Session, envelope: Envelope) -> str:
        raw = envelope.original_content or envelope.content
        assert isinstance(raw, bytes)  # decode_data=False (the default) keeps bytes
        try:
            await self._reports.receive(raw)
        except Exception:  # the database or Temporal is away: the sending server retries later
            log.exception("delivery report not processed")
            return "451 4.3.0 Try again later"
        return "250 Report received"


class BounceReceiver:
    """The SMTP server the bounce address's mail is handed to (port 0 picks a free one: read it back
    from `.port` once started). It runs on the caller's event loop (the worker's), where the
    Temporal client it signals with lives."""

    def __init__(self, reports: DeliveryReports, host: str = "127.0.0.1", port: int = 0) -> None:
        self.host, self._requested_port, self._handler = host, port, _Handler(reports)
        self._server: asyncio.Server | None = None

    @property
    def port(self) -> int:
        if self._server is None:
            return self._requested_port
        return int(self._server.sockets[0].getsockname()[1])

    async def start(self) -> None:
        if self._server is not None:
            raise RuntimeError("bounce receiver already started")
        loop = asyncio.get_running_loop()
        # A fixed hostname skips aiosmtpd's socket.getfqdn(), which can stall without DNS.
        self._server = await loop.create_server(
            lambda: SMTP(self._handler, hostname="bounces.local"), host=self.host, port=self._requested_port
        )
        log.info("bounce receiver listening on smtp://%s:%d", self.host, self.port)

    async def stop(self) -> None:
        if self._server is not None:
            self._server.close()
            await self._server.wait_closed()
            self._server = None

    async def __aenter__(self) -> BounceReceiver:
        await self.start()
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.stop()

"""Email, rendered and sent here and nowhere else (never inside a web request)."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from datetime import UTC, datetime, timedelta
from email.message import EmailMessage
from typing import Final

from temporalio import activity

from core.links import citizen_url
from domain import activity_io as io
from domain.municipalities import Municipality
from domain.ports import DocumentRegistry, EmailDeliveries, RecipientKind
from integrations.bounces import DeliveryReports
from integrations.emails import add_invite, compose
from integrations.invites import Method, meeting_invite, sequence_at
from integrations.mailer import MailRefused, SmtpMailer

# The emails that change what the citizen's calendar should hold, and how (R7).
INVITES: Final[dict[str, Method]] = {
    "confirmation": "REQUEST",
    "rescheduled": "REQUEST",
    "cancelled": "CANCEL",
}
# Well inside the activity's heartbeat timeout (workflows/calls.py EMAIL_HEARTBEAT).
HEARTBEAT_EVERY: Final = timedelta(seconds=1)


def message_id_for(workflow_run_id: str, activity_id: str) -> str:
    """The same on every retry of one email and different for every other: the workflow run and
    the activity id (which the workflow assigns in order, the same on replay). Mail clients fold
    copies with one Message-ID, and `email_deliveries` is keyed by it."""
    return f"<{workflow_run_id}.{activity_id}@tichet-albastru>"


@asynccontextmanager
async def heartbeating() -> AsyncIterator[None]:
    """Heartbeat while the body runs, so Temporal notices a dead worker within the heartbeat
    timeout instead of waiting for start-to-close (an SMTP exchange does not yield progress)."""

    async def beat() -> None:
        while True:
            activity.heartbeat()
            await asyncio.sleep(HEARTBEAT_EVERY.total_seconds())

    task = asyncio.create_task(beat())
    try:
        yield
    finally:
        task.cancel()


class NotificationActivities:
    """`sender` is the organizer of calendar invites: the address the citizen's calendar shows and
    would write to. By default it is the mailer's From address, so invites and emails agree.
    `deliveries` is the sent-log checked before each send (the worker always passes it), and
    `reports` what tells the ticket of a refusal (`integrations.bounces`; the worker passes it too).
    `municipality`, when given, names the municipality the running activity acts for (issue 11):
    its name and its sender address replace `city` and `sender`.

    The relay's answer sets the email's status: 250 `delivered`; 4xx `temporary-failure`, and the
    activity fails so that Temporal retries it; 5xx `permanent-failure`, the ticket is told, and
    the activity ends there (the same email would be refused again: retrying only delays the clerk's
    phone call). Without a log, a refusal fails the activity, as before issue 12."""

    def __init__(
        self,
        mailer: SmtpMailer,
        registry: DocumentRegistry,
        base_url: str,
        link_secret: str,
        city: str,
        sender: str | None = None,
        deliveries: EmailDeliveries | None = None,
        reports: DeliveryReports | None = None,
        municipality: Callable[[], Municipality] | None = None,
    ) -> None:
        self.mailer, self.registry, self.deliveries = mailer, registry, deliveries
        self.reports = reports or (DeliveryReports(deliveries, None) if deliveries is not None else None)
        self.base_url, self.link_secret, self.city = base_url, link_secret, city
        self.sender = sender or mailer.sender
        self.municipality = municipality

    def _city_and_sender(self) -> tuple[str, str]:
        if self.municipality is None:
            return self.city, self.sender
        found = self.municipality()
        return found.name, found.sender

    @activity.defn(name=io.SEND_EMAIL)
    async def send_email(self, asked: io.AnyEmailRequest) -> None:
        # Tickets started before `lean-activity-inputs-v1` still ask with the whole view.
        request = asked.lean() if isinstance(asked, io.EmailRequestWithView) else asked
        info = activity.info()
        workflow_id, ticket_id = info.workflow_id or "", request.ticket.ticket_id
        staff = request.kind.startswith("staff_")
        message_id = message_id_for(info.workflow_run_id or "", info.activity_id)
        # A retry after the server accepted this email stops here (see store/email_deliveries.py).
        if self.deliveries is not None and not await asyncio.to_thread(
            self.deliveries.begin,
            message_id,
            workflow_id=workflow_id,
            kind=request.kind,
            recipient_kind=RecipientKind.STAFF if staff else RecipientKind.CITIZEN,
            at=datetime.now(UTC),
        ):
            activity.logger.info("email %s already sent, not sending again", message_id)
            return
        if staff:  # staff open the ticket in their app, never the citizen's link
            link = f"{self.base_url.rstrip('/')}/personal/tichete/{workflow_id}"
        else:
            link = citizen_url(self.base_url, self.link_secret, workflow_id, ticket_id)
        # Rendering is CPU work: off the worker's event loop, which also polls for workflow tasks.
        # The first scheduled time is the same on every retry, so a retried email carries the same
        # invite, and it grows with each email of a ticket, so it orders the invites (SEQUENCE).
        message = await asyncio.to_thread(self._render, request, link, info.scheduled_time, workflow_id)
        # A retried send keeps one Message-ID, so mail clients fold a duplicate into one.
        del message["Message-ID"]
        message["Message-ID"] = message_id
        numbers = [*request.attach_documents, *([request.attach_document] if request.attach_document else [])]
        for number in numbers:
            found = await asyncio.to_thread(self.registry.document_content, number)
            if found is None:
                raise LookupError(f"document {number} is not registered yet")
            document, content = found
            maintype, _, subtype = document.content_type.partition("/")
            message.add_attachment(content, maintype=maintype, subtype=subtype, filename=document.filename)
        try:
            async with heartbeating():
                reply = await self.mailer.send(message)
        except MailRefused as refused:
            if self.deliveries is None or self.reports is None:
                raise
            code = str(refused.code)
            await self.reports.failed(message_id, permanent=refused.permanent, code=code, source="smtp")
            if not refused.permanent:
                raise  # Temporal retries; the next attempt goes ahead from `temporary-failure`
            activity.logger.warning("email %s refused for good (%s): not retried", message_id, code)
            return
        if self.deliveries is not None:
            await asyncio.to_thread(
                self.deliveries.mark_delivered, message_id, at=datetime.now(UTC), detail=reply
            )

    def _render(
        self, request: io.EmailRequest, link: str, asked_at: datetime, workflow_id: str
    ) -> EmailMessage:
        ticket = request.ticket
        city, sender = self._city_and_sender()
        message = compose(
            request.kind,
            request.language,
            request.to,
            ticket,
            link,
            request.note,
            city,
            workflow_id=workflow_id,
        )
        if sender != self.mailer.sender:
            message["From"] = sender
        method = INVITES.get(request.kind)
        # A ticket cancelled before it had a time has nothing for a calendar to hold or drop.
        if method is not None and (ticket.meeting is not None or ticket.slot_start is not None):
            invite = meeting_invite(
                ticket,
                method,
                sequence_at(asked_at),
                sender,
                request.to,
                city,
                language=request.language,
                link=link,
                stamp=asked_at,
            )
            add_invite(message, invite, method)
        return message

"""Email, rendered and sent here and nowhere else (never inside a web request)."""

from __future__ import annotations

import asyncio
from datetime import datetime
from email.message import EmailMessage
from typing import Final

from temporalio import activity

from core.links import citizen_url
from domain import activity_io as io
from domain.ports import DocumentRegistry
from integrations.emails import add_invite, compose
from integrations.invites import Method, meeting_invite, sequence_at
from integrations.mailer import SmtpMailer

# The emails that change what the citizen's calendar should hold, and how (R7).
INVITES: Final[dict[str, Method]] = {
    "confirmation": "REQUEST",
    "rescheduled": "REQUEST",
    "cancelled": "CANCEL",
}


class NotificationActivities:
    """`sender` is the organizer of calendar invites: the address the citizen's calendar shows and
    would write to. By default it is the mailer's From address, so invites and emails agree."""

    def __init__(
        self,
        mailer: SmtpMailer,
        registry: DocumentRegistry,
        base_url: str,
        link_secret: str,
        city: str,
        sender: str | None = None,
    ) -> None:
        self.mailer, self.registry = mailer, registry
        self.base_url, self.link_secret, self.city = base_url, link_secret, city
        self.sender = sender or mailer.sender

    @activity.defn(name=io.SEND_EMAIL)
    async def send_email(self, request: io.EmailRequest) -> None:
        info = activity.info()
        workflow_id, ticket_id = info.workflow_id or "", request.ticket.ticket_id
        if request.kind.startswith("staff_"):  # staff open the ticket in their app, never the citizen's link
            link = f"{self.base_url.rstrip('/')}/personal/tichete/{workflow_id}"
        else:
            link = citizen_url(self.base_url, self.link_secret, workflow_id, ticket_id)
        # Rendering is CPU work: off the worker's event loop, which also polls for workflow tasks.
        # The first scheduled time is the same on every retry, so a retried email carries the same
        # invite, and it grows with each email of a ticket, so it orders the invites (SEQUENCE).
        message = await asyncio.to_thread(self._render, request, link, info.scheduled_time)
        # A retried send keeps one Message-ID, so mail clients fold a duplicate into one.
        del message["Message-ID"]
        message["Message-ID"] = f"<{info.workflow_run_id}.{info.activity_id}@tichet-albastru>"
        numbers = [*request.attach_documents, *([request.attach_document] if request.attach_document else [])]
        for number in numbers:
            found = await asyncio.to_thread(self.registry.document_content, number)
            if found is None:
                raise LookupError(f"document {number} is not registered yet")
            document, content = found
            maintype, _, subtype = document.content_type.partition("/")
            message.add_attachment(content, maintype=maintype, subtype=subtype, filename=document.filename)
        await self.mailer.send(message)

    def _render(self, request: io.EmailRequest, link: str, asked_at: datetime) -> EmailMessage:
        ticket = request.ticket
        message = compose(request.kind, request.language, request.to, ticket, link, request.note, self.city)
        method = INVITES.get(request.kind)
        # A ticket cancelled before it had a time has nothing for a calendar to hold or drop.
        if method is not None and (ticket.meeting is not None or ticket.slot_start is not None):
            invite = meeting_invite(
                ticket,
                method,
                sequence_at(asked_at),
                self.sender,
                request.to,
                self.city,
                language=request.language,
                link=link,
                stamp=asked_at,
            )
            add_invite(message, invite, method)
        return message

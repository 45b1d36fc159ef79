"""Email, rendered and sent here and nowhere else (never inside a web request)."""

from __future__ import annotations

import asyncio

from temporalio import activity

from core.links import citizen_url
from domain import activity_io as io
from domain.ports import DocumentRegistry
from integrations.emails import compose
from integrations.mailer import SmtpMailer


class NotificationActivities:
    def __init__(
        self, mailer: SmtpMailer, registry: DocumentRegistry, base_url: str, link_secret: str, city: str
    ) -> None:
        self.mailer, self.registry = mailer, registry
        self.base_url, self.link_secret, self.city = base_url, link_secret, city

    @activity.defn(name=io.SEND_EMAIL)
    async def send_email(self, request: io.EmailRequest) -> None:
        info = activity.info()
        link = citizen_url(self.base_url, self.link_secret, info.workflow_id or "", request.ticket.ticket_id)
        if request.kind.startswith("staff_"):
            link = ""
        # Rendering is CPU work: off the worker's event loop, which also polls for workflow tasks.
        message = await asyncio.to_thread(
            compose, request.kind, request.language, request.to, request.ticket, link, request.note, self.city
        )
        # A retried send keeps one Message-ID, so mail clients fold a duplicate into one.
        del message["Message-ID"]
        message["Message-ID"] = f"<{info.workflow_run_id}.{info.activity_id}@tichet-albastru>"
        if request.attach_document:
            found = await asyncio.to_thread(self.registry.document_content, request.attach_document)
            if found is None:
                raise LookupError(f"document {request.attach_document} is not registered yet")
            document, content = found
            maintype, _, subtype = document.content_type.partition("/")
            message.add_attachment(content, maintype=maintype, subtype=subtype, filename=document.filename)
        await self.mailer.send(message)

"""R8: the resolution becomes a registered document attached to the file."""

from __future__ import annotations

from temporalio import activity

from domain import activity_io as io
from domain.models import RegisteredDocument
from domain.ports import DocumentRegistry
from integrations.documents import CONTENT_TYPE, filename_for, render_resolution


class DocumentActivities:
    def __init__(self, registry: DocumentRegistry, city: str) -> None:
        self.registry, self.city = registry, city

    @activity.defn(name=io.ISSUE_DOCUMENT)
    def issue_resolution_document(self, request: io.DocumentRequest) -> RegisteredDocument:
        """Register first (the registry gives the outgoing number), then write the document that
        carries that number. Both steps are idempotent per (ticket, level), so a retry is safe."""
        ticket = request.ticket
        registered = self.registry.register_document(
            file_registration_number=ticket.registration_number,
            ticket_id=ticket.ticket_id,
            level=int(ticket.level),
            title=f"Rezoluție tichet albastru, nivel {int(ticket.level)}",
            filename=filename_for(ticket),
            content_type=CONTENT_TYPE,
            content=b"",
            at=request.at,
        )
        content = render_resolution(
            ticket, request.resolution, registered.registration_number, request.at, self.city
        )
        self.registry.attach_content(registered.registration_number, content)
        return registered

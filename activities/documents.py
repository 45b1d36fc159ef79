"""R8: the resolution becomes a registered PDF attached to the file (R10: the registry keeps it)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from temporalio import activity

from core.catalogs import say
from core.links import citizen_url, workflow_id_for
from domain import activity_io as io
from domain.models import Language, Policy, RegisteredDocument
from domain.municipalities import Municipality
from domain.ports import DocumentRegistry
from integrations.documents import CONTENT_TYPE, filename_for, render_resolution

# The ticket view carries no policy, and the workflow starts the escalation window only after this
# activity returns, so the letter prints the default window counted from the issue instant. That
# instant precedes the workflow's own start of the window: the printed deadline is never later than
# the one the workflow enforces.
DEFAULT_ESCALATION_WINDOW = Policy().escalation_window


class DocumentActivities:
    """Issues the resolution document.

    `base_url` and `link_secret` build the citizen's own link (the same one the emails carry) that the
    letter prints for escalation (R9). Left out, the letter refers the citizen to the email instead,
    so a registry-only set-up (tools, tests) can still issue documents without knowing the secret.
    """

    def __init__(
        self,
        registry: DocumentRegistry,
        city: str,
        base_url: str | None = None,
        link_secret: str | None = None,
        municipality: Callable[[], Municipality] | None = None,
    ) -> None:
        self.registry, self.city = registry, city
        self.base_url, self.link_secret = base_url, link_secret
        # The municipality the running activity acts for (issue 11): its name and letterhead.
        self.municipality = municipality

    @activity.defn(name=io.ISSUE_DOCUMENT)
    def issue_resolution_document(self, asked: io.AnyDocumentRequest) -> RegisteredDocument:
        """Register first (the registry gives the outgoing number), then attach the PDF that carries
        that number. Registration is idempotent per (ticket, level) and attaching overwrites, and the
        PDF is rendered deterministically from the request, so a retry at any point yields the same
        number and the same bytes. Only the number and the file name travel back: the PDF stays in
        the registry, out of the ticket's history."""
        # Tickets started before `lean-activity-inputs-v1` still ask with the whole view.
        request = asked.lean() if isinstance(asked, io.DocumentRequestWithView) else asked
        ticket = request.ticket
        registered = self.registry.register_document(
            file_registration_number=ticket.registration_number,
            ticket_id=ticket.ticket_id,
            level=int(ticket.level),
            title=say("letter.registry_title", Language.RO, level=int(ticket.level)),
            filename=filename_for(ticket),
            content_type=CONTENT_TYPE,
            content=b"",
            at=request.at,
        )
        found = self.municipality() if self.municipality is not None else None
        content = render_resolution(
            ticket,
            request.resolution,
            registered.registration_number,
            request.at,
            found.name if found is not None else self.city,
            header=found.pdf_header if found is not None else "",
            escalation_url=self._escalation_url(ticket),
            escalation_deadline=escalation_deadline(ticket, request.at),
        )
        self.registry.attach_content(registered.registration_number, content)
        return registered

    def _escalation_url(self, ticket: io.LetterFacts) -> str | None:
        """The citizen link, which opens the ticket page where the escalate form lives. Only when
        there is a next level, and only when this worker knows how to sign links."""
        if ticket.next_level is None or not self.base_url or not self.link_secret:
            return None
        # The workflow id is the file's (`tichet-<number>`); for an activity not started by a
        # workflow (info() has no workflow id then) it is derived the way the API derives it.
        workflow_id = activity.info().workflow_id or workflow_id_for(ticket.registration_number)
        return citizen_url(self.base_url, self.link_secret, workflow_id, ticket.ticket_id)


def escalation_deadline(ticket: io.LetterFacts, issued_at: datetime) -> datetime | None:
    """Until when the citizen may escalate: the ticket's own deadline when the workflow has set it,
    otherwise the default window from the issue instant; none at the last level."""
    if ticket.next_level is None:
        return None
    return ticket.escalation_deadline or issued_at + DEFAULT_ESCALATION_WINDOW

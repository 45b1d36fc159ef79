"""The resolution document (R8). HTML for now, from a Jinja2 template a city can restyle."""

from __future__ import annotations

from datetime import datetime

from domain.models import ResolutionAction, TicketView
from integrations.templates import environment

CONTENT_TYPE = "text/html"


def render_resolution(
    ticket: TicketView, resolution: ResolutionAction, number: str, at: datetime, city: str
) -> bytes:
    template = environment().get_template("documents/resolution.html.j2")
    return template.render(t=ticket, r=resolution, number=number, at=at, city=city).encode("utf-8")


def filename_for(ticket: TicketView) -> str:
    return f"rezolutie-{ticket.registration_number.replace('/', '-')}-nivel{int(ticket.level)}.html"

"""Composing an email from its templates: `templates/email/<lang>/<kind>.txt.j2`, whose first line is
`Subject: …`, plus an HTML alternative from `templates/email/layout.html.j2`."""

from __future__ import annotations

from email.message import EmailMessage
from email.utils import make_msgid

from jinja2 import TemplateNotFound

from domain.models import Language, TicketView
from integrations.templates import environment

LEVEL_NAMES = {
    Language.RO: ["funcționarul care are dosarul", "directorul de serviciu", "viceprimarul", "primarul"],
    Language.EN: ["the clerk handling the file", "the service director", "the deputy mayor", "the mayor"],
}


def compose(
    kind: str, language: Language, to: str, ticket: TicketView, link: str, note: str, city: str
) -> EmailMessage:
    env = environment()
    try:
        template = env.get_template(f"email/{language.value}/{kind}.txt.j2")
    except TemplateNotFound:
        language = Language.RO
        template = env.get_template(f"email/ro/{kind}.txt.j2")
    context = {
        "t": ticket,
        "link": link,
        "note": note,
        "city": city,
        "lang": language.value,
        "level_name": LEVEL_NAMES[language][ticket.level],
        "next_level_name": LEVEL_NAMES[language][ticket.next_level] if ticket.next_level else "",
    }
    rendered = template.render(context).strip()
    first, _, body = rendered.partition("\n")
    if not first.startswith("Subject: "):
        raise ValueError(f"template {template.name} must start with 'Subject: '")
    message = EmailMessage()
    message["To"] = to
    message["Subject"] = first.removeprefix("Subject: ").strip()
    message["Message-ID"] = make_msgid(domain="tichet-albastru")
    message.set_content(body.strip() + "\n")
    paragraphs = [p.strip() for p in body.strip().split("\n\n") if p.strip()]
    html = env.get_template("email/layout.html.j2").render(
        subject=message["Subject"], paragraphs=paragraphs, link=link, city=city, lang=language.value
    )
    message.add_alternative(html, subtype="html")
    return message

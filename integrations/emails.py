"""Composing an email from its template, `templates/email/<kind>.txt.j2`, whose first line is
`Subject: …` and whose sentences are the catalogs' (`{{ _("email.…") }}`, Jinja2's i18n extension):
a citizen's email in the citizen's language, a staff email (`staff_…`) in Romanian, the city hall's.
Plus an HTML alternative from `templates/email/layout.html.j2`; and adding a calendar invite to it
(`add_invite`).

MIME shape of an email with an invite:

    multipart/alternative
    ├── text/plain                                              the email as written
    ├── text/html                                               the same, laid out
    └── text/calendar; method=REQUEST|CANCEL; charset=utf-8; name=invite.ics   what calendars act on

Exactly one part carries the invite. An extra `application/ics` copy (as Google's own invitations
add) showed up as the same `.ics` twice in mail programs that list every part as a file; the
`name` parameter already lets those offer this one part as `invite.ics` to open.
"""

from __future__ import annotations

from datetime import datetime
from email.message import EmailMessage
from email.utils import make_msgid

from core.catalogs import DEFAULT, say, supported
from domain.activity_io import TicketFacts
from domain.models import Language
from integrations.templates import environment


def level_names(language: Language) -> list[str]:
    """The four levels as a sentence names them ("the service director"): `email.level.<n>`."""
    return [say(f"email.level.{level}", language) for level in range(4)]


INVITE_FILENAME = "invite.ics"


def compose(
    kind: str,
    language: Language,
    to: str,
    ticket: TicketFacts,
    link: str,
    note: str,
    city: str,
    *,
    workflow_id: str = "",
) -> EmailMessage:
    """The email `kind` for `ticket`, in `language` (Romanian for a staff email, or for a language
    without a catalog).

    `note` is whatever the workflow attached to this email: a message code (`choose_slot`), a
    reason (`ended`, `rescheduled`). For `rescheduled` its first line may be the previous slot
    start as an ISO-8601 instant with an offset (`2026-03-30T05:30:00+00:00`), so the email can
    show old → new; the lines below it (or the whole note, if that line is not a time) are the
    reason the citizen reads. Templates see these as `previous_start` and `reason`.

    `workflow_id` is the ticket's Temporal workflow id, which staff emails name where a clerk
    would send a signal from the Temporal UI; `channel_words` is the meeting's channel in words
    (the meeting's own channel wins: a Webex meeting that fell back to phone says "phone").
    """
    env = environment()
    template = env.get_template(f"email/{kind}.txt.j2")
    # A staff email is Romanian, the city hall's language; a citizen's is in theirs, when a catalog has it.
    language = Language.RO if kind.startswith("staff_") else Language(supported(language) or DEFAULT)
    previous_start, reason = split_note(note)
    channel = ticket.meeting.channel if ticket.meeting is not None else ticket.channel
    context = {
        "_": lambda key, **values: say(key, language, **values),
        "t": ticket,
        "link": link,
        "note": note,
        "previous_start": previous_start,
        "reason": reason,
        "city": city,
        "lang": language.value,
        "workflow_id": workflow_id,
        # How the channel reads in a sentence: staff emails say it in words, never the enum's value.
        "channel_words": say(f"email.channel.{channel.value}", language),
        "level_name": level_names(language)[ticket.level],
        "next_level_name": level_names(language)[ticket.next_level] if ticket.next_level else "",
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
        subject=message["Subject"],
        paragraphs=paragraphs,
        link=link,
        city=city,
        lang=language.value,
        open_ticket=say("email.open_ticket", language),
    )
    message.add_alternative(html, subtype="html")
    return message


def split_note(note: str) -> tuple[datetime | None, str]:
    """`(previous slot start, reason)` from a note whose first line may be an aware ISO-8601 instant.
    A first line that is not one (or is naive, which could not be shown in local time) is text."""
    first, _, rest = note.strip().partition("\n")
    try:
        instant = datetime.fromisoformat(first.strip())
    except ValueError:
        return None, note.strip()
    if instant.tzinfo is None:
        return None, note.strip()
    return instant, rest.strip()


def add_invite(message: EmailMessage, ics: bytes, method: str) -> None:
    """Add a calendar invite to a composed email, in the shape the module docstring draws.

    The bytes travel base64-encoded, so the CRLF line ends and folded UTF-8 lines that RFC 5545
    requires reach the calendar unchanged. Call it before any other attachment: it must find the
    message still `multipart/alternative`.
    """
    if message.get_content_type() != "multipart/alternative":
        raise ValueError("add the invite to the composed email before any attachment")
    message.add_alternative(
        ics,
        maintype="text",
        subtype="calendar",
        params={"method": method, "charset": "utf-8", "name": INVITE_FILENAME},
    )

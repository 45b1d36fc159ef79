"""The email that takes one accessibility feedback message to the city (issue 12), from
`templates/email/city/accessibility_feedback.txt.j2` (the catalogs' `city.feedback.` sentences): in
Romanian (the city's staff read it), with the
citizen's address as Reply-To so answering it reaches them."""

from __future__ import annotations

from email.message import EmailMessage
from email.utils import make_msgid

from core.catalogs import language_name, say, say_count
from domain.models import Language
from integrations.templates import environment
from store.tables import AccessibilityFeedbackRow


def compose_feedback(
    feedback: AccessibilityFeedbackRow, to: str, city: str, base_url: str, retention_days: int
) -> EmailMessage:
    rendered = (
        environment()
        .get_template("email/city/accessibility_feedback.txt.j2")
        .render(
            _=lambda key, **values: say(key, Language.RO, **values),
            f=feedback,
            language_name=language_name(feedback.language, Language.RO),
            retention=say_count("unit.days", retention_days, Language.RO),
            city=city,
            statement_url=f"{base_url.rstrip('/')}/accesibilitate",
            retention_days=retention_days,
        )
        .strip()
    )
    first, _, body = rendered.partition("\n")
    if not first.startswith("Subject: "):
        raise ValueError("the feedback template must start with 'Subject: '")
    message = EmailMessage()
    message["To"] = to
    message["Subject"] = first.removeprefix("Subject: ").strip()
    message["Message-ID"] = make_msgid(domain="tichet-albastru")
    if feedback.email:
        message["Reply-To"] = feedback.email
    message.set_content(body.strip() + "\n")
    return message

"""Reading back the emails `integrations.emails.compose` builds: the text of each alternative."""

from __future__ import annotations

from email.message import EmailMessage


def _alternative(message: EmailMessage, subtype: str) -> str:
    part = message.get_body(preferencelist=(subtype,))
    assert isinstance(part, EmailMessage)
    content = part.get_content()
    assert isinstance(content, str)
    return content


def plain(message: EmailMessage) -> str:
    """The text/plain alternative."""
    return _alternative(message, "plain")


def html(message: EmailMessage) -> str:
    """The text/html alternative."""
    return _alternative(message, "html")

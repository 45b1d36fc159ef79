"""Sending mail over SMTP with aiosmtplib; the message is built by the caller."""

from __future__ import annotations

from email.message import EmailMessage

import aiosmtplib

# Below the email activity's start-to-close (workflows/calls.py): a server that stops answering
# fails this attempt with a clear error, and the retry policy tries again.
SMTP_TIMEOUT = 10.0


class MailRefused(Exception):
    """The SMTP server answered with an error. Only its code is kept: a server's message often echoes
    the recipient's address, and this error ends up in the worker's log and the activity failure.
    `code` is the SMTP reply code (4xx: try again later; 5xx: refused for good)."""

    def __init__(self, message: str, code: int) -> None:
        super().__init__(message)
        self.code = code

    @property
    def permanent(self) -> bool:
        return 500 <= self.code < 600


class SmtpMailer:
    """`bounce_address` (when set) is the envelope sender of every message, so delivery status
    notifications go there (the receiving server writes it as the Return-Path), not to `sender`."""

    def __init__(self, host: str, port: int, sender: str, bounce_address: str | None = None) -> None:
        self.host, self.port, self.sender, self.bounce_address = host, port, sender, bounce_address

    async def send(self, message: EmailMessage) -> str:
        """Send, returning the server's reply to the message (e.g. "250 OK: queued as …"): once
        this returns, the server has accepted the message."""
        if "From" not in message:
            message["From"] = self.sender
        try:
            _refused, reply = await aiosmtplib.send(
                message,
                sender=self.bounce_address or None,
                hostname=self.host,
                port=self.port,
                timeout=SMTP_TIMEOUT,
            )
        except aiosmtplib.SMTPRecipientsRefused as err:
            codes = sorted({refused.code for refused in err.recipients})
            raise MailRefused(f"the SMTP server refused the recipient (codes {codes})", max(codes)) from None
        except aiosmtplib.SMTPResponseException as err:
            raise MailRefused(f"the SMTP server answered {err.code}", err.code) from None
        return reply

"""Sending mail over SMTP with aiosmtplib; the message is built by the caller."""

from __future__ import annotations

from email.message import EmailMessage

import aiosmtplib

# Below the email activity's start-to-close (workflows/calls.py): a server that stops answering
# fails this attempt with a clear error, and the retry policy tries again.
SMTP_TIMEOUT = 10.0


class MailRefused(Exception):
    """The SMTP server answered with an error. Only its code is kept: a server's message often echoes
    the recipient's address, and this error ends up in the worker's log and the activity failure."""


class SmtpMailer:
    def __init__(self, host: str, port: int, sender: str) -> None:
        self.host, self.port, self.sender = host, port, sender

    async def send(self, message: EmailMessage) -> str:
        """Send, returning the server's reply to the message (e.g. "250 OK: queued as …"): once
        this returns, the server has accepted the message."""
        if "From" not in message:
            message["From"] = self.sender
        try:
            _refused, reply = await aiosmtplib.send(
                message, hostname=self.host, port=self.port, timeout=SMTP_TIMEOUT
            )
        except aiosmtplib.SMTPRecipientsRefused as err:
            codes = sorted({refused.code for refused in err.recipients})
            raise MailRefused(f"the SMTP server refused the recipient (codes {codes})") from None
        except aiosmtplib.SMTPResponseException as err:
            raise MailRefused(f"the SMTP server answered {err.code}") from None
        return reply

"""A real SMTP server that keeps every message, for development and tests.

Why not a mock of the email sender: the activities send mail with a real SMTP client, so the tests
should catch what a mail client would see — headers, RFC 2047-encoded Romanian subjects, the
calendar invite and the resolution PDF as attachments. `Mailbox` runs `aiosmtpd` in its own thread
(so it works from sync and async tests alike), keeps each message parsed and raw in memory, and can
also write `.eml` files that a person can open in any mail client.

`create_mail_app` is a small HTTP view of the same store, so a person running the system can read
the mail at http://127.0.0.1:8025 (`python -m devstack.mailbox`).

It also plays the relay's part in delivery status (issue 12): a recipient listed with `bounce_for`
(or `PUT /bounces/{address}`, or `--bounce ADDRESS`) gets the email accepted (250), and a real
delivery status notification (RFC 3464, as Postfix writes one) goes back over SMTP to the email's
envelope sender, through `bounce_relay` (the worker's bounce receiver). `refuse_next` answers the
next message with an SMTP error instead (a 4xx or a 5xx), as a relay that will not take it.
"""

from __future__ import annotations

import argparse
import asyncio
import email.utils
import html
import itertools
import logging
import mimetypes
import re
import threading
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from email import message_from_bytes, policy
from email.message import EmailMessage, Message, MIMEPart
from email.mime.multipart import MIMEMultipart
from email.mime.text import MIMEText
from pathlib import Path
from typing import Any, Literal, NamedTuple
from urllib.parse import quote

import aiosmtplib
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import SMTP, Envelope, Session
from fastapi import FastAPI, HTTPException
from fastapi.responses import HTMLResponse, Response

log = logging.getLogger(__name__)

_URL = re.compile(r"""https?://[^\s"'<>]+""")


class Attachment(NamedTuple):
    """Any part that is neither the chosen text nor the chosen HTML body (a PDF, an `.ics` invite)."""

    filename: str
    content_type: str
    content: bytes


@dataclass(frozen=True)
class StoredMessage:
    """One received message. `sender`/`recipients` are the SMTP envelope (so Bcc shows up);
    `subject`, `text` and `html` are already decoded; `message` is the parsed original."""

    id: int
    sender: str
    recipients: tuple[str, ...]
    subject: str
    received_at: datetime
    text: str
    html: str | None
    attachments: tuple[Attachment, ...]
    raw: bytes = field(repr=False)
    message: EmailMessage = field(repr=False, compare=False)

    @classmethod
    def parse(cls, id: int, sender: str, recipients: list[str], raw: bytes) -> StoredMessage:
        message = message_from_bytes(raw, policy=policy.default)
        assert isinstance(message, EmailMessage)  # guaranteed by policy.default
        text_part = message.get_body(preferencelist=("plain",))
        html_part = message.get_body(preferencelist=("html",))
        bodies = [part for part in (text_part, html_part) if part is not None]
        attachments = tuple(
            _attachment(part, n)
            for n, part in enumerate(message.walk())
            if not part.is_multipart() and not any(part is body for body in bodies)
        )
        return cls(
            id=id,
            sender=sender,
            recipients=tuple(recipients),
            subject=str(message.get("Subject", "")),
            received_at=datetime.now(UTC),
            text=_content(text_part) if text_part is not None else "",
            html=_content(html_part) if html_part is not None else None,
            attachments=attachments,
            raw=raw,
            message=message,
        )

    def attachment(self, filename: str) -> Attachment:
        """The attachment with this file name; KeyError lists the ones that exist."""
        for attachment in self.attachments:
            if attachment.filename == filename:
                return attachment
        raise KeyError(f"{filename!r} not in {[a.filename for a in self.attachments]}")

    def links(self) -> list[str]:
        """Every http(s) URL in the text and HTML bodies, in order, without duplicates — the
        cancel / reschedule / escalate links a citizen would click."""
        found = _URL.findall(self.text) + _URL.findall(html.unescape(self.html or ""))
        return list(dict.fromkeys(found))


def _content(part: MIMEPart) -> str:
    content = part.get_content()
    return content if isinstance(content, str) else content.decode("utf-8", "replace")


def _attachment(part: Message, index: int) -> Attachment:
    content_type = part.get_content_type()
    filename = part.get_filename() or f"part-{index}{mimetypes.guess_extension(content_type) or '.bin'}"
    payload = part.get_payload(decode=True)
    return Attachment(filename, content_type, payload if isinstance(payload, bytes) else b"")


class Hold:
    """A test hook (`Mailbox.hold_next`): the next message's DATA is received but not answered
    until `release()`, as a slow server would. A client that vanishes meanwhile (a worker killed
    mid-send) never got a 250, and the message is dropped, not kept: the server did not accept it."""

    def __init__(self) -> None:
        self.held = threading.Event()
        self.dropped = threading.Event()
        self.raw = b""
        self._released = threading.Event()

    def release(self) -> None:
        self._released.set()

    async def _wait(self, raw: bytes) -> None:
        self.raw = raw
        self.held.set()
        try:
            while not self._released.is_set():  # noqa: ASYNC110  (set from the test's thread)
                await asyncio.sleep(0.02)
        except asyncio.CancelledError:  # aiosmtpd cancels the handler when the connection is lost
            self.dropped.set()
            raise


BounceAction = Literal["failed", "delayed"]
_STATUS = {
    "failed": ("5.1.1", "550 5.1.1 User unknown"),
    "delayed": ("4.4.1", "451 4.4.1 No answer from host"),
}


def delivery_report(original: bytes, recipient: str, action: BounceAction, to: str) -> Message:
    """A delivery status notification (RFC 3464) about `original` for `recipient`, to `to`, laid out
    as Postfix writes one: the notice, the `message/delivery-status` fields, the original headers."""
    status, diagnostic = _STATUS[action]
    report = MIMEMultipart("report", report_type="delivery-status")
    report["From"] = "Mail Delivery System <MAILER-DAEMON@mailbox.local>"
    report["To"] = to
    report["Subject"] = (
        "Undelivered Mail Returned to Sender" if action == "failed" else "Delayed Mail (still being retried)"
    )
    report["Date"] = email.utils.formatdate(localtime=False)
    report["Message-ID"] = email.utils.make_msgid(domain="mailbox.local")
    report["Auto-Submitted"] = "auto-replied"
    notice = "could not be delivered" if action == "failed" else "is delayed; delivery is still being tried"
    report.attach(MIMEText(f"This is the mail system at host mailbox.local.\n\nYour message {notice}.\n"))
    fields = Message()
    fields["Content-Type"] = "message/delivery-status"
    per_message, per_recipient = Message(), Message()
    per_message["Reporting-MTA"] = "dns; mailbox.local"
    per_message["Arrival-Date"] = email.utils.formatdate(localtime=False)
    per_recipient["Final-Recipient"] = f"rfc822; {recipient}"
    per_recipient["Action"] = action
    per_recipient["Status"] = status
    per_recipient["Diagnostic-Code"] = f"smtp; {diagnostic}"
    fields.set_payload([per_message, per_recipient])
    report.attach(fields)
    headers = original.replace(b"\r\n", b"\n").split(b"\n\n", 1)[0].decode("ascii", "replace")
    report.attach(MIMEText(headers + "\n", "rfc822-headers", "us-ascii"))
    return report


class _Handler:
    """The aiosmtpd handler: accept everything (unless told to refuse), hand the bytes to the mailbox."""

    def __init__(self, mailbox: Mailbox) -> None:
        self._mailbox = mailbox

    async def handle_DATA(self, server: SMTP, session: Session, envelope: Envelope) -> str:
        raw = envelope.original_content or envelope.content
        assert isinstance(raw, bytes)  # decode_data=False (the default) keeps bytes
        refusal = self._mailbox._take_refusal([str(r) for r in envelope.rcpt_tos])
        if refusal is not None:
            return refusal
        hold = self._mailbox._take_hold()
        if hold is not None:
            await hold._wait(raw)
        sender, recipients = str(envelope.mail_from or ""), [str(r) for r in envelope.rcpt_tos]
        self._mailbox._store(sender, recipients, raw)
        self._mailbox._bounce(sender, recipients, raw)
        return "250 Message accepted for delivery"


class _Controller(Controller):
    """Reads back the port the OS chose when asked for port 0, before aiosmtpd's start-up probe
    connects to it (picking a "free" port up front would race with other tests)."""

    def _create_server(self) -> Awaitable[asyncio.AbstractServer]:
        async def bind() -> asyncio.AbstractServer:
            server = await Controller._create_server(self)
            if self.port == 0 and isinstance(server, asyncio.Server):
                self.port = server.sockets[0].getsockname()[1]
            return server

        return bind()


class Mailbox:
    """SMTP server on `host:port` (port 0 picks a free one, read it back from `.port` after
    `start()`) that keeps every message; optionally also as `<id>-<time>.eml` in `directory`."""

    def __init__(
        self,
        port: int = 1025,
        host: str = "127.0.0.1",
        directory: Path | str | None = None,
        bounce_relay: tuple[str, int] | None = None,
    ):
        self.host = host
        # Where the delivery reports go (the worker's bounce receiver); None: bounces are not sent.
        self.bounce_relay = bounce_relay
        self._bouncing: dict[str, BounceAction] = {}
        self._refusals: list[tuple[str | None, str]] = []
        self._reports: set[asyncio.Task[None]] = set()
        self.reports_sent = 0
        self._requested_port = port
        self._directory = Path(directory) if directory is not None else None
        self._lock = threading.Lock()
        self._messages: list[StoredMessage] = []
        self._ids = itertools.count(1)
        self._controller: _Controller | None = None
        self._hold: Hold | None = None

    @property
    def port(self) -> int:
        if self._controller is None:
            return self._requested_port
        return int(self._controller.port)

    def start(self) -> None:
        if self._controller is not None:
            raise RuntimeError("mailbox already started")
        if self._directory is not None:
            self._directory.mkdir(parents=True, exist_ok=True)
        # A fixed server_hostname skips aiosmtpd's socket.getfqdn(), which can stall for seconds
        # on machines without DNS.
        controller = _Controller(
            _Handler(self), hostname=self.host, port=self._requested_port, server_hostname="mailbox.local"
        )
        controller.start()
        self._controller = controller
        log.info("mailbox listening on smtp://%s:%d", self.host, self.port)

    def stop(self) -> None:
        if self._controller is not None:
            self._controller.stop()
            self._controller = None

    def __enter__(self) -> Mailbox:
        self.start()
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.stop()

    def messages(self) -> list[StoredMessage]:
        """A snapshot, oldest first; safe to call from any thread."""
        with self._lock:
            return list(self._messages)

    def get(self, id: int) -> StoredMessage | None:
        return next((m for m in self.messages() if m.id == id), None)

    def clear(self) -> None:
        """Forget the messages held in memory (the `.eml` files stay: they are the record)."""
        with self._lock:
            self._messages.clear()

    async def wait_for(
        self,
        predicate: Callable[[StoredMessage], bool] = lambda _: True,
        timeout: float = 10.0,  # noqa: ASYNC109  (see the docstring)
        poll_interval: float = 0.05,
    ) -> StoredMessage:
        """The oldest message (already received or still to come) that matches `predicate`.

        Polls rather than using a condition, because messages arrive on the SMTP thread's loop and
        the caller may be on any loop; 50 ms is invisible next to a Temporal activity round-trip.
        `timeout` is a plain deadline rather than an `asyncio.timeout` scope so that the
        TimeoutError can name what did arrive, which is usually the clue.
        """
        deadline = time.monotonic() + timeout
        while True:
            for message in self.messages():
                if predicate(message):
                    return message
            if time.monotonic() >= deadline:
                seen = [(m.recipients, m.subject) for m in self.messages()]
                raise TimeoutError(f"no matching message within {timeout}s; received: {seen}")
            await asyncio.sleep(poll_interval)

    def hold_next(self) -> Hold:
        """Hold the next message before answering its DATA (for tests of a sender dying mid-send)."""
        with self._lock:
            self._hold = Hold()
            return self._hold

    def refuse_next(self, reply: str = "451 4.3.0 Try again later", *, to: str | None = None) -> None:
        """Answer the next message's DATA (the next one to `to`, when given) with `reply` (a 4xx or
        5xx) and keep nothing."""
        with self._lock:
            self._refusals.append((to.lower() if to else None, reply))

    def _take_refusal(self, recipients: list[str]) -> str | None:
        wanted = {r.lower() for r in recipients}
        with self._lock:
            for n, (to, reply) in enumerate(self._refusals):
                if to is None or to in wanted:
                    del self._refusals[n]
                    return reply
            return None

    def bounce_for(self, address: str, action: BounceAction = "failed") -> None:
        """From now on, mail to `address` is accepted and then reported back as `action`."""
        with self._lock:
            self._bouncing[address.lower()] = action

    def stop_bouncing(self, address: str) -> None:
        with self._lock:
            self._bouncing.pop(address.lower(), None)

    def bouncing(self) -> dict[str, BounceAction]:
        with self._lock:
            return dict(self._bouncing)

    def _bounce(self, sender: str, recipients: list[str], raw: bytes) -> None:
        """On the SMTP loop, after the 250: one report per bouncing recipient, to the envelope sender."""
        for recipient in recipients:
            action = self.bouncing().get(recipient.lower())
            if action is None:
                continue
            if self.bounce_relay is None or not sender:
                log.warning("mail to %s would bounce, but there is no bounce relay or sender", recipient)
                continue
            task = asyncio.get_running_loop().create_task(self._send_report(sender, recipient, raw, action))
            self._reports.add(task)
            task.add_done_callback(self._reports.discard)

    async def _send_report(self, sender: str, recipient: str, raw: bytes, action: BounceAction) -> None:
        assert self.bounce_relay is not None
        host, port = self.bounce_relay
        report = delivery_report(raw, recipient, action, sender)
        try:  # the null reverse-path: a report is never answered with another (RFC 3464 section 2)
            await aiosmtplib.send(
                report, sender="", recipients=[sender], hostname=host, port=port, timeout=10
            )
        except (aiosmtplib.SMTPException, OSError) as err:
            log.warning("delivery report to %s:%d not sent: %s", host, port, type(err).__name__)
            return
        self.reports_sent += 1
        log.info("delivery report (%s) for %s sent to %s", action, recipient, sender)

    def _take_hold(self) -> Hold | None:
        with self._lock:
            hold, self._hold = self._hold, None
            return hold

    def _store(self, sender: str, recipients: list[str], raw: bytes) -> StoredMessage:
        with self._lock:
            stored = StoredMessage.parse(next(self._ids), sender, recipients, raw)
            self._messages.append(stored)
        if self._directory is not None:
            name = f"{stored.id:05d}-{stored.received_at:%Y%m%dT%H%M%S}.eml"
            (self._directory / name).write_bytes(raw)
        log.info("mail #%d to %s: %s", stored.id, ", ".join(recipients), stored.subject)
        return stored


# --- HTTP view (and the bounce control) -------------------------------------------------------


def _summary(message: StoredMessage) -> dict[str, Any]:
    return {
        "id": message.id,
        "from": message.sender,
        "to": list(message.recipients),
        "subject": message.subject,
        "received_at": message.received_at.isoformat(),
        "attachments": [a.filename for a in message.attachments],
    }


def create_mail_app(mailbox: Mailbox) -> FastAPI:
    """JSON for scripts (`/messages`, `/messages/{id}`, `/messages/{id}/raw`) and two plain HTML
    pages for a person (`/`, `/view/{id}`): nothing here can send or delete mail. `/bounces` lists
    the recipients whose mail bounces; `PUT /bounces/{address}?action=failed|delayed` adds one,
    `DELETE` removes it (a development control, like the Webex emulator's `/_control`)."""
    app = FastAPI(title="Tichet Albastru — local mailbox", docs_url="/docs", redoc_url=None)

    @app.get("/bounces")
    def list_bounces() -> dict[str, str]:
        return dict(mailbox.bouncing())

    @app.put("/bounces/{address}")
    def add_bounce(address: str, action: BounceAction = "failed") -> dict[str, str]:
        if "@" not in address:
            raise HTTPException(422, "an email address, e.g. ioana.pop@example.ro")
        mailbox.bounce_for(address, action)
        return dict(mailbox.bouncing())

    @app.delete("/bounces/{address}")
    def remove_bounce(address: str) -> dict[str, str]:
        mailbox.stop_bouncing(address)
        return dict(mailbox.bouncing())

    def found(id: int) -> StoredMessage:
        message = mailbox.get(id)
        if message is None:
            raise HTTPException(404, f"no message {id}")
        return message

    @app.get("/messages")
    def list_messages() -> list[dict[str, Any]]:
        return [_summary(m) for m in reversed(mailbox.messages())]

    @app.get("/messages/{id}")
    def read_message(id: int) -> dict[str, Any]:
        message = found(id)
        return {**_summary(message), "text": message.text, "html": message.html}

    @app.get("/messages/{id}/raw")
    def raw_message(id: int) -> Response:
        return Response(found(id).raw, media_type="message/rfc822")

    @app.get("/messages/{id}/attachments/{index}")
    def attachment(id: int, index: int) -> Response:
        attachments = found(id).attachments
        if not 0 <= index < len(attachments):
            raise HTTPException(404, f"no attachment {index}")
        # RFC 5987 form: Romanian file names are not latin-1, which plain HTTP headers require.
        headers = {"Content-Disposition": f"inline; filename*=UTF-8''{quote(attachments[index].filename)}"}
        return Response(
            attachments[index].content, media_type=attachments[index].content_type, headers=headers
        )

    @app.get("/", response_class=HTMLResponse)
    def index() -> str:
        rows = "".join(
            f"<tr><td>{m.received_at:%Y-%m-%d %H:%M:%S}</td><td>{_e(', '.join(m.recipients))}</td>"
            f'<td><a href="/view/{m.id}">{_e(m.subject) or "(no subject)"}</a></td>'
            f"<td>{len(m.attachments) or ''}</td></tr>"
            for m in reversed(mailbox.messages())
        )
        return _page(
            "Mailbox",
            f"<p>{len(mailbox.messages())} messages (UTC, newest first). Reload to refresh.</p>"
            f"<table><tr><th>received</th><th>to</th><th>subject</th><th>att.</th></tr>{rows}</table>",
        )

    @app.get("/view/{id}", response_class=HTMLResponse)
    def view(id: int) -> str:
        m = found(id)
        links = "".join(
            f'<li><a href="/messages/{id}/attachments/{n}">{_e(a.filename)}</a> ({_e(a.content_type)}, '
            f"{len(a.content)} bytes)</li>"
            for n, a in enumerate(m.attachments)
        )
        # The HTML body goes into a sandboxed iframe: it is rendered as the citizen would see it,
        # but cannot run scripts in this page.
        html_body = f'<iframe sandbox srcdoc="{_e(m.html)}"></iframe>' if m.html else ""
        return _page(
            m.subject,
            f'<p><a href="/">&larr; all messages</a> · <a href="/messages/{id}/raw">raw</a></p>'
            f"<p>From: {_e(m.sender)}<br>To: {_e(', '.join(m.recipients))}<br>"
            f"Received: {m.received_at:%Y-%m-%d %H:%M:%S} UTC</p>"
            f"<ul>{links}</ul>{html_body}<pre>{_e(m.text)}</pre>",
        )

    return app


def _e(text: str | None) -> str:
    return html.escape(text or "")


def _page(title: str, body: str) -> str:
    return (
        f'<!doctype html><html lang="ro"><head><meta charset="utf-8"><title>{_e(title)}</title>'
        "<style>body{font-family:sans-serif;margin:2em}td,th{padding:.2em .8em;text-align:left}"
        "iframe{width:100%;height:30em;border:1px solid #ccc}pre{white-space:pre-wrap}</style>"
        f"</head><body><h1>{_e(title)}</h1>{body}</body></html>"
    )


def main(argv: list[str] | None = None) -> None:
    """`python -m devstack.mailbox`: SMTP in a thread, the HTTP view in the foreground."""
    import uvicorn

    parser = argparse.ArgumentParser(description="Local SMTP server that keeps every message.")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--smtp-port", type=int, default=1025)
    parser.add_argument("--http-port", type=int, default=8025)
    parser.add_argument("--dir", type=Path, default=None, help="also write each message as .eml here")
    parser.add_argument(
        "--bounce-relay", default=None, help="HOST:PORT the delivery reports go to (the bounce receiver)"
    )
    parser.add_argument(
        "--bounce",
        action="append",
        default=[],
        metavar="ADDRESS",
        help="mail to ADDRESS bounces (repeatable)",
    )
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(message)s")
    relay = None
    if args.bounce_relay:
        relay_host, _, relay_port = str(args.bounce_relay).rpartition(":")
        relay = (relay_host, int(relay_port))
    with Mailbox(port=args.smtp_port, host=args.host, directory=args.dir, bounce_relay=relay) as mailbox:
        for address in args.bounce:
            mailbox.bounce_for(address)
        uvicorn.run(create_mail_app(mailbox), host=args.host, port=args.http_port, log_level="warning")


if __name__ == "__main__":
    main()

"""The local mailbox: real SMTP over TCP in, decoded messages and the HTTP read API out."""

from __future__ import annotations

import asyncio
import smtplib
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from email.message import EmailMessage
from pathlib import Path

import aiosmtplib
import httpx
import pytest

from devstack.mailbox import Mailbox, create_mail_app

SUBJECT = "Tichet albastru: întâlnire confirmată — dosarul Știrbu Țărână"
CANCEL = "http://127.0.0.1:8000/t/abc123/anulare?sig=x"
PDF = b"%PDF-1.4 fake resolution \xe2\x80\x94 bytes"
ICS = "BEGIN:VCALENDAR\r\nMETHOD:REQUEST\r\nEND:VCALENDAR\r\n"


def citizen_email() -> EmailMessage:
    message = EmailMessage()
    message["From"] = "Primăria <tichet-albastru@primaria.example>"
    message["To"] = "Ana Știrbu <ana@example.ro>"
    message["Subject"] = SUBJECT
    message.set_content(f"Bună ziua, doamnă Știrbu.\nAnulare: {CANCEL}\n")
    message.add_alternative(
        f'<p>Bună ziua, <b>doamnă Știrbu</b>.</p><a href="{CANCEL}">Anulare</a>', subtype="html"
    )
    message.add_attachment(PDF, maintype="application", subtype="pdf", filename="rezoluție.pdf")
    message.add_attachment(ICS, subtype="calendar", filename="invite.ics")
    return message


@pytest.fixture
def mailbox(tmp_path: Path) -> Iterator[Mailbox]:
    with Mailbox(port=0, directory=tmp_path / "mail") as box:
        yield box


async def test_port_zero_picks_a_real_port(mailbox: Mailbox) -> None:
    assert mailbox.port != 0
    with socket.create_connection(("127.0.0.1", mailbox.port), timeout=2) as sock:
        assert sock.recv(100).startswith(b"220")


async def test_message_over_smtp_is_stored_decoded(mailbox: Mailbox, tmp_path: Path) -> None:
    await aiosmtplib.send(
        citizen_email(),
        hostname="127.0.0.1",
        port=mailbox.port,
        recipients=["ana@example.ro", "arhiva@primaria.example"],  # the second one as a Bcc
    )

    stored = await mailbox.wait_for(lambda m: "Știrbu" in m.subject, timeout=5)

    assert stored.subject == SUBJECT
    assert stored.sender == "tichet-albastru@primaria.example"
    assert stored.recipients == ("ana@example.ro", "arhiva@primaria.example")
    assert "doamnă Știrbu" in stored.text
    assert stored.html is not None and "<b>doamnă Știrbu</b>" in stored.html
    assert [(a.filename, a.content_type) for a in stored.attachments] == [
        ("rezoluție.pdf", "application/pdf"),
        ("invite.ics", "text/calendar"),
    ]
    assert stored.attachment("rezoluție.pdf").content == PDF
    assert b"METHOD:REQUEST" in stored.attachment("invite.ics").content
    assert stored.links() == [CANCEL]
    assert stored.message["To"].addresses[0].display_name == "Ana Știrbu"
    assert stored.received_at.tzinfo is not None
    [eml] = (tmp_path / "mail").glob("*.eml")
    assert eml.read_bytes() == stored.raw


async def test_plain_smtplib_and_clear(mailbox: Mailbox) -> None:
    def send() -> None:
        with smtplib.SMTP("127.0.0.1", mailbox.port, timeout=5) as client:
            client.sendmail("a@example.ro", ["b@example.ro"], b"Subject: simplu\r\n\r\ndoar text\r\n")

    await asyncio.to_thread(send)
    stored = await mailbox.wait_for(timeout=5)
    assert (stored.subject, stored.text.strip(), stored.html, stored.attachments) == (
        "simplu",
        "doar text",
        None,
        (),
    )
    mailbox.clear()
    assert mailbox.messages() == []


async def test_wait_for_times_out_and_says_what_arrived(mailbox: Mailbox) -> None:
    await aiosmtplib.send(citizen_email(), hostname="127.0.0.1", port=mailbox.port)
    started = time.monotonic()
    with pytest.raises(TimeoutError, match="Tichet albastru"):
        await mailbox.wait_for(lambda m: m.subject == "something else", timeout=0.3)
    assert 0.3 <= time.monotonic() - started < 2


async def test_http_read_api(mailbox: Mailbox) -> None:
    await aiosmtplib.send(citizen_email(), hostname="127.0.0.1", port=mailbox.port)
    stored = await mailbox.wait_for(timeout=5)
    transport = httpx.ASGITransport(app=create_mail_app(mailbox))
    async with httpx.AsyncClient(transport=transport, base_url="http://mail") as http:
        listing = (await http.get("/messages")).json()
        assert listing == [
            {
                "id": stored.id,
                "from": "tichet-albastru@primaria.example",
                "to": ["ana@example.ro"],
                "subject": SUBJECT,
                "received_at": stored.received_at.isoformat(),
                "attachments": ["rezoluție.pdf", "invite.ics"],
            }
        ]
        one = (await http.get(f"/messages/{stored.id}")).json()
        assert "doamnă Știrbu" in one["text"] and "<b>" in one["html"]

        raw = await http.get(f"/messages/{stored.id}/raw")
        assert raw.headers["content-type"] == "message/rfc822"
        assert raw.content == stored.raw

        pdf = await http.get(f"/messages/{stored.id}/attachments/0")
        assert (pdf.headers["content-type"], pdf.content) == ("application/pdf", PDF)
        assert pdf.headers["content-disposition"] == "inline; filename*=UTF-8''rezolu%C8%9Bie.pdf"

        page = await http.get("/")
        assert page.headers["content-type"].startswith("text/html")
        assert "întâlnire confirmată" in page.text and f"/view/{stored.id}" in page.text
        view = await http.get(f"/view/{stored.id}")
        assert "rezoluție.pdf" in view.text and "<iframe sandbox" in view.text

        assert (await http.get("/messages/999")).status_code == 404
        assert (await http.get(f"/messages/{stored.id}/attachments/9")).status_code == 404


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def test_command_line_serves_smtp_and_http(tmp_path: Path) -> None:
    """`python -m devstack.mailbox` is what the run command starts; check it end to end."""
    smtp_port, http_port = free_port(), free_port()
    command = [sys.executable, "-m", "devstack.mailbox", "--dir", str(tmp_path)]
    command += ["--smtp-port", str(smtp_port), "--http-port", str(http_port)]
    process = subprocess.Popen(
        command,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 15
        while True:
            try:
                httpx.get(f"http://127.0.0.1:{http_port}/messages", timeout=1).raise_for_status()
                break
            except httpx.TransportError:
                assert process.poll() is None, "mailbox exited"
                assert time.monotonic() < deadline, "mailbox did not start"
                time.sleep(0.1)
        with smtplib.SMTP("127.0.0.1", smtp_port, timeout=5) as client:
            client.send_message(citizen_email())
        [summary] = httpx.get(f"http://127.0.0.1:{http_port}/messages", timeout=5).json()
        assert summary["subject"] == SUBJECT
        assert len(list(tmp_path.glob("*.eml"))) == 1
    finally:
        process.terminate()
        process.wait(timeout=10)

"""Email delivery status after the send (issue 12): bounces, on real SMTP and a real Temporal.

A citizen's email that bounces: the development mailbox accepts it, then sends a real delivery
status notification (RFC 3464) to the email's envelope sender (the bounce address) through the
bounce receiver's SMTP port; the receiver matches it by Message-ID, the delivery row turns
`permanent-failure`, and the ticket, signalled, shows it in the Temporal UI's current details
(without the address or the phone) and on the clerk's page (with the phone, to call). A report that
matches no email is stored and ignored; a malformed one is stored with its reason; a malformed
signal is refused in the timeline and the ticket goes on. Plus the parser on sample reports as
Postfix and Exchange write them.
"""

from __future__ import annotations

import asyncio
import html
import os
import time
import uuid
from collections.abc import AsyncIterator
from email.message import EmailMessage
from pathlib import Path

import aiosmtplib
import httpx
import pytest
from sqlalchemy import Engine
from sqlmodel import col, select
from temporalio.testing import WorkflowEnvironment

from devstack.mailbox import Mailbox, create_mail_app, delivery_report
from domain.models import TicketStatus
from http_api.pages import staff_words
from integrations.bounces import BounceReceiver, DeliveryReports
from integrations.dsn import DeliveryReport, MalformedReport, parse_report
from store.db import engine_for, session_scope
from store.email_deliveries import SqlEmailDeliveries
from store.tables import EmailDeliveryRow, EmailReportRow
from tests.conftest import wait_for_status
from tests.helpers import request_ticket, steps, wait_for_steps
from tests.test_no_personal_data import current_details
from tests.test_staff_pages import sign_in

SAMPLES = Path(__file__).parent / "dsns"
HISTORIES = Path(__file__).parent / "histories"
# Present all week in the demo city, booked by no other test.
CLERK, DELAYED_CLERK, REFUSED_CLERK = "c0072", "c0073", "c0075"
PHONE, E164 = "+40 745 118 302", "+40745118302"  # as typed, as the ticket keeps it


def original(message_id: str = "<run-7.3@tichet-albastru>", to: str = "ioana.pop@example.ro") -> bytes:
    message = EmailMessage()
    message["From"] = "Tichet Albastru <tichet-albastru@primaria.example>"
    message["To"] = to
    message["Subject"] = "Tichet albastru: întâlnire confirmată"
    message["Message-ID"] = message_id
    message.set_content("Bună ziua")
    return bytes(message)


# --- the parser, on sample reports ---------------------------------------------------------------------


def test_a_postfix_report_names_the_message_and_the_failure() -> None:
    report = parse_report((SAMPLES / "postfix.eml").read_bytes())
    assert report == DeliveryReport("<run-1.5@tichet-albastru>", "failed", "5.1.1")
    assert report.permanent and report.failure


def test_an_exchange_report_with_the_whole_original_attached() -> None:
    report = parse_report((SAMPLES / "exchange.eml").read_bytes())
    assert report == DeliveryReport("<run-2.9@tichet-albastru>", "failed", "5.1.10")


def test_the_mailboxs_delay_report_is_temporary() -> None:
    raw = delivery_report(
        original(), "ioana.pop@example.ro", "delayed", "bounces@primaria.example"
    ).as_bytes()
    report = parse_report(raw)
    assert (report.message_id, report.action, report.status_code) == (
        "<run-7.3@tichet-albastru>",
        "delayed",
        "4.4.1",
    )
    assert report.failure and not report.permanent


def _without(raw: bytes, needle: bytes, instead: bytes = b"") -> bytes:
    assert needle in raw
    return raw.replace(needle, instead)


POSTFIX = (SAMPLES / "postfix.eml").read_bytes()
MALFORMED = {
    "a plain email": (original(), "not a multipart/report"),
    "garbage": (b"\x00\xff not an email at all", "not a multipart/report"),
    "another kind of report": (
        _without(POSTFIX, b"report-type=delivery-status", b"report-type=feedback-report"),
        "not of delivery status",
    ),
    "no delivery status part": (
        _without(POSTFIX, b"Content-Type: message/delivery-status", b"Content-Type: text/plain"),
        "no message/delivery-status part",
    ),
    "no known action": (
        _without(POSTFIX, b"Action: failed", b"Action: exploded"),
        "no recipient with a known Action",
    ),
    "no original": (
        _without(POSTFIX, b"Content-Type: text/rfc822-headers", b"Content-Type: text/plain"),
        "no original message or headers",
    ),
    "an original without Message-ID": (
        _without(POSTFIX, b"Message-ID: <run-1.5@tichet-albastru>", b"X-Nothing: here"),
        "no usable Message-ID",
    ),
}


@pytest.mark.parametrize("case", MALFORMED)
def test_a_malformed_report_says_why_in_its_own_words(case: str) -> None:
    raw, reason = MALFORMED[case]
    with pytest.raises(MalformedReport, match=reason) as refused:
        parse_report(raw)
    assert "@" not in str(refused.value)  # never the report's text (it quotes the address)


# --- the development mailbox's control ----------------------------------------------------------------


async def test_the_mailbox_lists_and_changes_who_bounces() -> None:
    with Mailbox(port=0) as box:
        transport = httpx.ASGITransport(app=create_mail_app(box))
        async with httpx.AsyncClient(transport=transport, base_url="http://mail") as http:
            assert (await http.get("/bounces")).json() == {}
            assert (await http.put("/bounces/Ana@Example.ro")).json() == {"ana@example.ro": "failed"}
            added = await http.put("/bounces/dan@example.ro", params={"action": "delayed"})
            assert added.json() == {"ana@example.ro": "failed", "dan@example.ro": "delayed"}
            assert (await http.put("/bounces/not-an-address")).status_code == 422
            assert (await http.put("/bounces/x@example.ro", params={"action": "lost"})).status_code == 422
            assert (await http.delete("/bounces/ana@example.ro")).json() == {"dan@example.ro": "delayed"}


# --- the whole path, on the session's stack ------------------------------------------------------------


@pytest.fixture
async def receiver(
    env: WorkflowEnvironment, database_url: str, mailbox: Mailbox
) -> AsyncIterator[BounceReceiver]:
    """The worker's bounce receiver, on this loop and the session's database, with the session's
    mailbox sending its reports there (as `make run` wires them)."""
    reports = DeliveryReports(SqlEmailDeliveries(engine_for(database_url)), env.client)
    async with BounceReceiver(reports, port=0) as started:
        mailbox.bounce_relay = ("127.0.0.1", started.port)
        try:
            yield started
        finally:
            mailbox.bounce_relay = None


def reports_for(engine: Engine, message_id: str) -> list[EmailReportRow]:
    with session_scope(engine) as session:
        query = select(EmailReportRow).where(EmailReportRow.message_id == message_id)
        return list(session.exec(query.order_by(col(EmailReportRow.id))).all())


def citizen_rows(engine: Engine, workflow_id: str) -> list[EmailDeliveryRow]:
    with session_scope(engine) as session:
        query = select(EmailDeliveryRow).where(
            EmailDeliveryRow.workflow_id == workflow_id, EmailDeliveryRow.recipient_kind == "citizen"
        )
        return list(session.exec(query).all())


async def until_failed(engine: Engine, workflow_id: str, within: float = 20) -> EmailDeliveryRow:
    deadline = time.monotonic() + within
    while True:
        failed = [r for r in citizen_rows(engine, workflow_id) if r.status == "permanent-failure"]
        if failed:
            return failed[0]
        assert time.monotonic() < deadline, [(r.kind, r.status) for r in citizen_rows(engine, workflow_id)]
        await asyncio.sleep(0.1)


async def until_reported(engine: Engine, message_id: str, within: float = 10) -> list[EmailReportRow]:
    """The report is stored just after it moved the email's status."""
    deadline = time.monotonic() + within
    while not (found := reports_for(engine, message_id)):
        assert time.monotonic() < deadline, f"no report stored for {message_id}"
        await asyncio.sleep(0.05)
    return found


async def test_a_bounced_citizen_email_reaches_the_ticket_and_the_clerk(
    api: httpx.AsyncClient,
    env: WorkflowEnvironment,
    database_url: str,
    mailbox: Mailbox,
    receiver: BounceReceiver,
) -> None:
    engine = engine_for(database_url)
    address = f"nu-exista-{uuid.uuid4().hex[:8]}@example.ro"
    mailbox.bounce_for(address)
    try:
        ticket = await request_ticket(
            api, env.client, database_url, handler_id=CLERK, email=address, phone=PHONE
        )
        await wait_for_status(ticket.handle, TicketStatus.SCHEDULED)
        sent = await mailbox.wait_for(lambda m: address in m.recipients)
        assert sent.sender == "bounces@primaria.example"  # the envelope sender: where reports go

        row = await until_failed(engine, ticket.workflow_id)
        assert (row.kind, row.detail) == ("confirmation", "bounce: 5.1.1")
        assert row.message_id == sent.message["Message-ID"] and row.sent_at is not None
        (report,) = await until_reported(engine, row.message_id)
        assert (report.outcome, report.action, report.status_code) == ("matched", "failed", "5.1.1")

        view = await wait_for_steps(ticket.handle, "citizen email failed")
        assert view.status == TicketStatus.SCHEDULED  # the ticket goes on: the clerk phones instead
        assert view.citizen_email_failure is not None
        assert view.citizen_email_failure.detail == "confirmation, 5.1.1, bounced"

        details = await current_details(env.client, ticket.workflow_id)
        assert "**citizen email failed** (confirmation, 5.1.1, bounced): phone the citizen" in details
        for personal in (address, PHONE, E164, "745118", "nu-exista"):
            assert personal not in details

        # the clerk's page, signed in: the prompt, with the number the citizen gave
        async with httpx.AsyncClient(base_url=api.base_url, timeout=30) as browser:
            await sign_in(browser, CLERK)
            page = await browser.get(f"/personal/tichete/{ticket.workflow_id}")
            assert page.status_code == 200
            assert html.escape(staff_words.word("email_failed", view.citizen_language)) in page.text
            assert 'id="email-failed"' in page.text
            assert f'href="tel:{E164}">{E164}</a>' in page.text
            english = await browser.get(f"/personal/tichete/{ticket.workflow_id}", params={"lang": "en"})
            assert "The email to the citizen could not be delivered." in english.text
            api_view = await browser.get(
                f"/staff/tickets/{ticket.workflow_id}", headers={"Authorization": f"Bearer demo-{CLERK}"}
            )
            assert api_view.json()["citizen_phone"] == E164

        # the citizen's own page does not list the clerk's step
        citizen = await api.get(f"/bilet/{ticket.workflow_id}", params=ticket.key)
        assert "citizen email failed" not in citizen.text

        # the same report again (a relay that retries): stored, the ticket not told twice
        await aiosmtplib.send(
            delivery_report(sent.raw, address, "failed", "bounces@primaria.example"),
            sender="",
            recipients=["bounces@primaria.example"],
            hostname="127.0.0.1",
            port=receiver.port,
        )
        assert len(reports_for(engine, row.message_id)) == 2
        # a malformed signal, as a hand in the Temporal UI might send: refused in the timeline
        await ticket.handle.signal("email_bounced", {"message_id": "nope", "status": "gone"})
        refused = await wait_for_steps(ticket.handle, "signal rejected")
        assert steps(refused).count("citizen email failed") == 1
        assert refused.status == TicketStatus.SCHEDULED
        await ticket.handle.signal(
            "email_bounced",
            args=[{"message_id": "<run-1.5@tichet-albastru>", "email_kind": "reminder"}, "extra"],
        )
        twice = await wait_for_steps(ticket.handle, "signal rejected", count=2)
        assert steps(twice).count("citizen email failed") == 1
        if name := os.environ.get("TICHET_RECORD_HISTORY"):
            # A replay fixture of the `email_bounced` handler (tests/test_replay.py), still running.
            history = await ticket.handle.fetch_history()
            await asyncio.to_thread((HISTORIES / f"{name}.json").write_text, history.to_json())
    finally:
        mailbox.stop_bouncing(address)


async def test_a_4xx_on_a_ticket_is_a_delay_then_the_retry_delivers(
    api: httpx.AsyncClient, env: WorkflowEnvironment, database_url: str, mailbox: Mailbox
) -> None:
    """The relay answers the citizen's confirmation 451 once: the row is `temporary-failure`, the
    ticket notes the delay, and Temporal's retry delivers it (the row `delivered`, 2 attempts)."""
    engine = engine_for(database_url)
    address = f"amanat-{uuid.uuid4().hex[:8]}@example.ro"
    mailbox.refuse_next("451 4.3.0 Try again later", to=address)
    ticket = await request_ticket(api, env.client, database_url, handler_id=DELAYED_CLERK, email=address)
    await wait_for_status(ticket.handle, TicketStatus.SCHEDULED)
    view = await wait_for_steps(ticket.handle, "citizen email delayed")
    assert [e.detail for e in view.timeline if e.step == "citizen email delayed"] == [
        "confirmation, 451, refused by the relay"
    ]
    assert view.citizen_email_failure is None  # a delay is no reason to phone
    await mailbox.wait_for(lambda m: address in m.recipients, timeout=30)
    deadline = time.monotonic() + 30
    while (found := citizen_rows(engine, ticket.workflow_id)) and found[0].status != "delivered":
        assert time.monotonic() < deadline, [(r.kind, r.status) for r in found]
        await asyncio.sleep(0.1)
    (row,) = found
    assert (row.kind, row.status, row.attempts) == ("confirmation", "delivered", 2)
    assert "**citizen email failed**" not in await current_details(env.client, ticket.workflow_id)


async def test_a_5xx_on_a_ticket_is_a_failure_the_clerk_sees_without_a_retry(
    api: httpx.AsyncClient, env: WorkflowEnvironment, database_url: str, mailbox: Mailbox
) -> None:
    """The relay refuses the citizen's confirmation for good (550): not retried, and the activity
    itself tells the ticket, as a bounce would."""
    engine = engine_for(database_url)
    address = f"refuzat-{uuid.uuid4().hex[:8]}@example.ro"
    mailbox.refuse_next("550 5.1.1 User unknown", to=address)
    ticket = await request_ticket(api, env.client, database_url, handler_id=REFUSED_CLERK, email=address)
    view = await wait_for_steps(ticket.handle, "citizen email failed")
    assert view.citizen_email_failure is not None
    assert view.citizen_email_failure.detail == "confirmation, 550, refused by the relay"
    assert (await wait_for_status(ticket.handle, TicketStatus.SCHEDULED)).status == TicketStatus.SCHEDULED
    row = await until_failed(engine, ticket.workflow_id)
    assert (row.kind, row.attempts, row.detail, row.sent_at) == ("confirmation", 1, "smtp: 550", None)
    assert [m for m in mailbox.messages() if address in m.recipients] == []
    details = await current_details(env.client, ticket.workflow_id)
    assert "**citizen email failed** (confirmation, 550, refused by the relay)" in details
    assert address not in details


async def send_report(port: int, raw: bytes) -> None:
    await aiosmtplib.send(
        raw,
        sender="mailer-daemon@relay.example",
        recipients=["bounces@primaria.example"],
        hostname="127.0.0.1",
        port=port,
    )


async def test_a_report_matching_no_email_is_stored_and_ignored(
    database_url: str, receiver: BounceReceiver
) -> None:
    message_id = f"<nobody-{uuid.uuid4().hex[:8]}@tichet-albastru>"
    raw = delivery_report(original(message_id), "ioana.pop@example.ro", "failed", "bounces@primaria.example")
    await send_report(receiver.port, raw.as_bytes())
    (stored,) = reports_for(engine_for(database_url), message_id)
    assert (stored.outcome, stored.action, stored.status_code) == ("unmatched", "failed", "5.1.1")
    with session_scope(engine_for(database_url)) as session:
        assert session.get(EmailDeliveryRow, message_id) is None


async def test_a_malformed_report_is_stored_with_its_reason(
    database_url: str, receiver: BounceReceiver
) -> None:
    engine = engine_for(database_url)
    with session_scope(engine) as session:
        before = len(session.exec(select(EmailReportRow)).all())
    raw, reason = MALFORMED["an original without Message-ID"]
    await send_report(receiver.port, raw)
    with session_scope(engine) as session:
        found = list(session.exec(select(EmailReportRow).order_by(col(EmailReportRow.id))).all())
    assert len(found) == before + 1
    newest = found[-1]
    assert (newest.outcome, newest.message_id, newest.size) == ("malformed", None, len(raw))
    assert newest.reason is not None and reason in newest.reason

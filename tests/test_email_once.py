"""Each email goes out once, even when a worker dies mid-send (issue 8).

Temporal runs an activity at least once, so an email whose worker died is sent again by the retry.
Two things keep the copies down: the email activity's short timeouts and heartbeats (a dead worker's
send is retried within seconds, `workflows.calls.call_email`), and the `email_deliveries` log by
Message-ID, which stops a retry of an email the SMTP server already accepted. What is left: a crash
between the server's 250 and the log's `delivered` row resends (with the same Message-ID).
"""

from __future__ import annotations

import asyncio
import signal
import time
import uuid
from collections import Counter
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from email import message_from_bytes, policy
from pathlib import Path

import httpx
import pytest
from sqlalchemy import Engine
from sqlmodel import select
from temporalio.testing import WorkflowEnvironment

from activities.notifications import NotificationActivities
from core.settings import Settings
from devstack.mailbox import Hold, Mailbox
from domain.activity_io import EmailRequest, TicketFacts
from domain.models import Channel, Citizen, Language, TicketInput, TicketStatus
from domain.ports import DeliveryStatus, RecipientKind
from integrations.mailer import MailRefused, SmtpMailer
from store.db import create_schema, engine_for, make_engine, session_scope
from store.email_deliveries import SqlEmailDeliveries
from store.stores import stores_for
from store.tables import EmailDeliveryRow
from tests.conftest import bucharest_today, wait_for_status
from tests.emails import activity_info, run_send_email
from tests.factories import add_file, free_slots
from tests.helpers import worker_process
from tests.samples import meeting_info, ticket_view
from worker import create_worker
from workflows.blue_ticket import BlueTicketWorkflow
from workflows.calls import EMAIL_HEARTBEAT

AT = datetime(2026, 3, 26, 9, 0, tzinfo=UTC)
SLOT = datetime(2026, 3, 30, 5, 30, tzinfo=UTC)
CITY = "Primăria Municipiului Cluj-Napoca"


def rows(engine: Engine, workflow_id: str) -> list[EmailDeliveryRow]:
    with session_scope(engine) as session:
        query = select(EmailDeliveryRow).where(EmailDeliveryRow.workflow_id == workflow_id)
        return list(session.exec(query).all())


# --- the log itself, on SQLite and PostgreSQL --------------------------------------------------------


def test_the_log_lets_attempts_through_until_the_email_is_sent(engine: Engine) -> None:
    log = SqlEmailDeliveries(engine)
    key = "<run-1.7@tichet-albastru>"
    assert log.status(key) is None

    def begin(at: datetime) -> bool:
        return log.begin(
            key, workflow_id="tichet-1_2026", kind="confirmation", recipient_kind=RecipientKind.CITIZEN, at=at
        )

    assert begin(AT)
    # an attempt that died before the server answered leaves `sending`: the next one may try again
    assert begin(AT + timedelta(seconds=7))
    assert log.status(key) == DeliveryStatus.SENDING
    log.mark_delivered(key, at=AT + timedelta(seconds=8), detail="250 Message accepted for delivery")
    assert log.status(key) == DeliveryStatus.DELIVERED
    assert not begin(AT + timedelta(seconds=30))

    (row,) = rows(engine, "tichet-1_2026")
    assert (row.attempts, row.status, row.kind, row.recipient_kind) == (
        2,
        "delivered",
        "confirmation",
        "citizen",
    )
    assert row.first_attempt_at == AT and row.last_attempt_at == AT + timedelta(seconds=7)
    assert row.sent_at == row.status_at == AT + timedelta(seconds=8)
    assert row.detail == "250 Message accepted for delivery"


def test_marking_an_email_never_begun_is_an_error(engine: Engine) -> None:
    with pytest.raises(LookupError):
        SqlEmailDeliveries(engine).mark_delivered("<nobody@tichet-albastru>", at=AT)


# --- the activity, retried, over real SMTP -----------------------------------------------------------


@pytest.fixture
def smtp() -> Iterator[Mailbox]:
    with Mailbox(port=0) as box:
        yield box


@pytest.fixture
def sqlite(tmp_path: Path) -> Engine:
    engine = make_engine(f"sqlite:///{tmp_path / 'tichet.db'}")
    create_schema(engine)
    return engine


def notifications_on(smtp: Mailbox, engine: Engine) -> NotificationActivities:
    stores = stores_for(engine)
    mailer = SmtpMailer("127.0.0.1", smtp.port, "Tichet Albastru <tichet-albastru@primaria.example>")
    return NotificationActivities(
        mailer, stores.registry, "http://127.0.0.1:8000", "secret", CITY, deliveries=stores.deliveries
    )


def confirmation() -> EmailRequest:
    return EmailRequest(
        kind="confirmation",
        to="ioana.pop@example.ro",
        language=Language.RO,
        ticket=TicketFacts.from_view(ticket_view(slot_start=SLOT, meeting=meeting_info(SLOT))),
    )


async def test_a_retry_after_the_server_accepted_the_email_does_not_send_it_again(
    smtp: Mailbox, sqlite: Engine
) -> None:
    """The worker sent the email and died before Temporal heard of it: the retry (same ids, next
    attempt) finds the email `delivered` and stops."""
    notifications = notifications_on(smtp, sqlite)
    await run_send_email(notifications, activity_info("tichet-1_2026", "5", AT), confirmation())
    await run_send_email(notifications, activity_info("tichet-1_2026", "5", AT, attempt=2), confirmation())
    await asyncio.sleep(0.5)  # anything the second run sent would be here by now
    assert [m.message["Message-ID"] for m in smtp.messages()] == ["<run-1.5@tichet-albastru>"]
    (row,) = rows(sqlite, "tichet-1_2026")
    assert (row.status, row.attempts, row.message_id) == ("delivered", 1, "<run-1.5@tichet-albastru>")


async def test_a_retry_after_a_send_that_never_got_through_sends_it(smtp: Mailbox, sqlite: Engine) -> None:
    """`sending` is what a dead attempt leaves: it does not stop the retry, and other emails of the
    same workflow (other activity ids) are other Message-IDs."""
    notifications = notifications_on(smtp, sqlite)
    log = SqlEmailDeliveries(sqlite)
    log.begin(
        "<run-1.5@tichet-albastru>",
        workflow_id="tichet-1_2026",
        kind="confirmation",
        recipient_kind=RecipientKind.CITIZEN,
        at=AT,
    )
    await run_send_email(notifications, activity_info("tichet-1_2026", "5", AT, attempt=2), confirmation())
    await run_send_email(notifications, activity_info("tichet-1_2026", "6", AT), confirmation())
    await smtp.wait_for(lambda m: m.message["Message-ID"] == "<run-1.6@tichet-albastru>")
    ids = [m.message["Message-ID"] for m in smtp.messages()]
    assert ids == ["<run-1.5@tichet-albastru>", "<run-1.6@tichet-albastru>"]
    assert {(r.message_id, r.status, r.attempts) for r in rows(sqlite, "tichet-1_2026")} == {
        ("<run-1.5@tichet-albastru>", "delivered", 2),
        ("<run-1.6@tichet-albastru>", "delivered", 1),
    }


# --- a real worker process, killed while the SMTP server holds its email ----------------------------


def held_message_id(hold: Hold) -> str:
    return str(message_from_bytes(hold.raw, policy=policy.default)["Message-ID"])


async def held(hold: Hold, within: float) -> None:
    deadline = time.monotonic() + within
    while not hold.held.is_set():
        assert time.monotonic() < deadline, "the worker never sent an email"
        await asyncio.sleep(0.05)


async def others_settled(engine: Engine, workflow_id: str, held_id: str, within: float = 10) -> None:
    """Until no email of the ticket but the held one is still `sending` (it is being sent now)."""
    deadline = time.monotonic() + within
    while any(r.status == "sending" and r.message_id != held_id for r in rows(engine, workflow_id)):
        assert time.monotonic() < deadline, "another email stayed in `sending`"
        await asyncio.sleep(0.05)


async def test_a_worker_killed_mid_send_sends_each_email_once_and_soon(
    env: WorkflowEnvironment, settings: Settings, database_url: str, api: httpx.AsyncClient
) -> None:
    queue = f"email-once-{uuid.uuid4().hex[:8]}"
    with Mailbox(port=0) as smtp:
        ours = settings.model_copy(update={"task_queue": queue, "smtp_port": smtp.port})
        ref = add_file(database_url, bucharest_today(), handler_id="c0081")
        slot = datetime.fromisoformat((await free_slots(api, ref))[0]["start"])
        hold = smtp.hold_next()
        process = worker_process(ours, env)
        try:
            workflow_id = f"tichet-email-once-{uuid.uuid4().hex[:8]}"
            ticket = TicketInput(
                ticket_id=uuid.uuid4().hex[:12],
                file=ref,
                citizen=Citizen(email="ioana.pop@example.ro", phone="+40 712 345 678"),
                channel=Channel.WEBEX,
                slot_start=slot,
                requested_at=datetime.now(UTC),
            )
            handle = await env.client.start_workflow(
                BlueTicketWorkflow.run, ticket, id=workflow_id, task_queue=queue
            )
            await held(hold, within=90)
            # the staff email goes out alongside: let it settle first, so the kill lands only in the
            # held send and not in the other one's documented window between the 250 and `delivered`
            await others_settled(engine_for(database_url), workflow_id, held_message_id(hold))
        finally:
            process.send_signal(signal.SIGKILL)
            process.wait(timeout=10)
        killed_at = time.monotonic()
        hold.release()
        held_id = held_message_id(hold)
        # the server never answered DATA, so it did not accept the email: it did not arrive (the
        # staff email, sent alongside since issue 11, may have)
        assert await asyncio.to_thread(hold.dropped.wait, 5)
        assert [m for m in smtp.messages() if m.message["Message-ID"] == held_id] == []
        (dead,) = [r for r in rows(engine_for(database_url), workflow_id) if r.message_id == held_id]
        assert (dead.message_id, dead.status, dead.attempts) == (held_id, "sending", 1)

        async with create_worker(env.client, ours):
            resent = await smtp.wait_for(lambda m: m.message["Message-ID"] == held_id, timeout=60)
            waited = time.monotonic() - killed_at
            await wait_for_status(handle, TicketStatus.SCHEDULED, within=60)
            log = await until_all_sent(engine_for(database_url), workflow_id)
        await asyncio.sleep(1)  # a late copy would have arrived by now

    print(f"email resent {waited:.1f} s after the kill; heartbeat timeout {EMAIL_HEARTBEAT}")
    # soon: the heartbeat timeout, not the old 30 s start-to-close, decides when the retry starts
    assert waited < 20, f"the retry took {waited:.1f} s"
    copies = Counter(m.message["Message-ID"] for m in smtp.messages())
    assert copies[held_id] == 1 and set(copies.values()) == {1}, copies
    assert {r.message_id for r in log} == set(copies)
    assert {r.recipient_kind for r in log} == {"citizen", "staff"}
    assert resent.message["Message-ID"] == held_id
    by_id = {r.message_id: r for r in log}
    assert (by_id[held_id].status, by_id[held_id].attempts) == ("delivered", 2)


async def until_all_sent(engine: Engine, workflow_id: str, within: float = 30) -> list[EmailDeliveryRow]:
    """The ticket's log once every email in it is `delivered` (the activity writes it after the 250)."""
    deadline = time.monotonic() + within
    while True:
        found = rows(engine, workflow_id)
        if len(found) >= 2 and all(r.status == "delivered" for r in found):
            return found
        assert time.monotonic() < deadline, [(r.kind, r.status) for r in found]
        await asyncio.sleep(0.1)


# --- the relay's answer: a 4xx is retried, a 5xx is final (issue 12) ---------------------------------


async def test_a_4xx_is_a_temporary_failure_and_the_retry_delivers(smtp: Mailbox, sqlite: Engine) -> None:
    notifications = notifications_on(smtp, sqlite)
    smtp.refuse_next("451 4.3.0 Try again later")
    with pytest.raises(MailRefused, match="451"):
        await run_send_email(notifications, activity_info("tichet-1_2026", "5", AT), confirmation())
    (row,) = rows(sqlite, "tichet-1_2026")
    assert (row.status, row.detail, row.sent_at) == ("temporary-failure", "smtp: 451", None)
    assert smtp.messages() == []

    await run_send_email(notifications, activity_info("tichet-1_2026", "5", AT, attempt=2), confirmation())
    (row,) = rows(sqlite, "tichet-1_2026")
    assert (row.status, row.attempts) == ("delivered", 2)
    assert [m.message["Message-ID"] for m in smtp.messages()] == ["<run-1.5@tichet-albastru>"]


async def test_a_5xx_is_a_permanent_failure_and_is_not_sent_again(smtp: Mailbox, sqlite: Engine) -> None:
    """Refused for good: the activity ends (no Temporal client here, so no signal) and a retry stops."""
    notifications = notifications_on(smtp, sqlite)
    smtp.refuse_next("550 5.1.1 User unknown")
    await run_send_email(notifications, activity_info("tichet-1_2026", "5", AT), confirmation())
    await run_send_email(notifications, activity_info("tichet-1_2026", "5", AT, attempt=2), confirmation())
    await asyncio.sleep(0.3)
    assert smtp.messages() == []
    (row,) = rows(sqlite, "tichet-1_2026")
    assert (row.status, row.attempts, row.detail) == ("permanent-failure", 1, "smtp: 550")


def test_a_permanent_failure_stays_whatever_comes_later(engine: Engine) -> None:
    log = SqlEmailDeliveries(engine)
    key = "<run-1.8@tichet-albastru>"
    log.begin(key, workflow_id="tichet-1_2026", kind="reminder", recipient_kind=RecipientKind.CITIZEN, at=AT)
    log.mark_delivered(key, at=AT + timedelta(seconds=1))
    found = log.mark_failed(key, DeliveryStatus.PERMANENT_FAILURE, at=AT + timedelta(minutes=5))
    assert found is not None and (found.workflow_id, found.kind) == ("tichet-1_2026", "reminder")
    # a late "delayed" report, a late `delivered` write: the bounce stays the news
    log.mark_failed(key, DeliveryStatus.TEMPORARY_FAILURE, at=AT + timedelta(minutes=6))
    log.mark_delivered(key, at=AT + timedelta(minutes=7))
    assert log.status(key) == DeliveryStatus.PERMANENT_FAILURE
    assert log.mark_failed("<nobody@tichet-albastru>", DeliveryStatus.PERMANENT_FAILURE, at=AT) is None
    with pytest.raises(ValueError, match="not a failure"):
        log.mark_failed(key, DeliveryStatus.DELIVERED, at=AT)

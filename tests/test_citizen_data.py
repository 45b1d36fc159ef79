"""The citizen's copy of their data and their erasure request (issue 9), from their link, on the
session's real system; and the store's erasure on SQLite and PostgreSQL."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import httpx
from sqlalchemy import Engine
from temporalio.client import Client

from domain.models import TicketStatus
from domain.retention import ErasureReason
from store.db import session_scope
from store.personal_data import SqlPersonalData
from store.tables import ArchiveEntry, Rating
from tests.conftest import wait_for_status
from tests.helpers import request_ticket


async def test_the_copy_holds_the_citizens_data_and_no_other_ticket(
    api: httpx.AsyncClient, client: Client, database_url: str
) -> None:
    mine = await request_ticket(api, client, database_url, phone="+40 711 000 111")
    other = await request_ticket(api, client, database_url, handler_id="c0002", phone="+40 722 999 888")
    await wait_for_status(mine.handle, TicketStatus.SCHEDULED)
    await wait_for_status(other.handle, TicketStatus.SCHEDULED)

    answer = await api.get(f"{mine.link.path}/date", params=mine.key)
    assert answer.status_code == 200, answer.text
    copy = answer.json()
    assert (
        copy["contact"]["email"] == mine.email
        and copy["contact"]["requester_name"] == mine.ref.requester_name
    )
    assert copy["contact"]["phone"].replace(" ", "").endswith("711000111")
    assert copy["ticket"]["status"] == "scheduled" and copy["ticket"]["timeline"]
    assert copy["file"]["registration_number"] == mine.ref.registration_number
    assert copy["contact_erasure"] is None
    whole = json.dumps(copy)
    assert (
        other.email not in whole and other.ref.registration_number not in whole and "722999888" not in whole
    )

    wrong = await api.get(f"{mine.link.path}/date", params=other.key)
    assert wrong.status_code == 404 and wrong.json()["code"] == "ticket_link_invalid"
    page = await api.get(f"{mine.link.path}/pagina", params=mine.key)
    assert f"{mine.link.path}/date?cheie=" in page.text


async def test_erasure_is_refused_before_closing_and_done_once_after(
    api: httpx.AsyncClient, client: Client, database_url: str
) -> None:
    mine = await request_ticket(api, client, database_url)
    await wait_for_status(mine.handle, TicketStatus.SCHEDULED)
    erase = f"{mine.link.path}/date/sterge"

    early = await api.post(erase, params=mine.key, headers={"accept-language": "en"})
    assert early.status_code == 409 and early.json()["code"] == "erasure_ticket_open"
    assert (await api.get(mine.link.path, params=mine.key)).status_code == 200, "a refusal changes nothing"

    cancelled = await api.post(
        f"{mine.link.path}/cancel", params=mine.key, json={"reason": "Nu mai am nevoie."}
    )
    assert cancelled.status_code == 200, cancelled.text
    await mine.handle.result()
    page = await api.get(f"{mine.link.path}/pagina", params=mine.key)
    assert "sterge-datele" in page.text, "a closed ticket's page offers the erasure"

    done = await api.post(erase, params=mine.key)
    assert done.status_code == 200, done.text
    first = done.json()
    assert first["erased"] is True and first["pseudonym"].startswith("Cetățean-")

    gone = await api.get(mine.link.path, params=mine.key)
    assert gone.status_code == 410 and gone.json()["code"] == "ticket_contact_erased"

    copy = (await api.get(f"{mine.link.path}/date", params=mine.key)).json()
    assert copy["contact"] is None and copy["ticket"] is None
    assert copy["contact_erasure"]["pseudonym"] == first["pseudonym"]
    assert copy["contact_erasure"]["reason"] == "citizen"
    assert [row["outcome"] for row in copy["archive"]] == ["cancelled"], "the archive stays"
    assert mine.email not in json.dumps(copy)

    again = await api.post(erase, params=mine.key)
    assert again.status_code == 200 and again.json() == first, "a second request changes nothing"


def test_the_store_erases_comments_once_and_finds_only_due_tickets(engine: Engine) -> None:
    ended = datetime(2026, 1, 10, 12, tzinfo=UTC)
    with session_scope(engine) as session:
        for ticket_id, closed in (("t-old", ended), ("t-new", ended + timedelta(days=2))):
            session.add(
                ArchiveEntry(
                    ticket_id=ticket_id,
                    level=0,
                    registration_number=f"{ticket_id}/2026",
                    staff_id="c1",
                    channel="webex",
                    outcome="held",
                    closed_at=closed,
                )
            )
            session.add(
                Rating(
                    ticket_id=ticket_id,
                    level=0,
                    registration_number=f"{ticket_id}/2026",
                    staff_id="c1",
                    stars=4,
                    comment="Sunați-mă la 0711 000 111",
                    created_at=closed,
                )
            )
        session.commit()
    data = SqlPersonalData(engine)
    cutoff = ended + timedelta(days=1)
    (due,) = data.due(cutoff)
    assert due.ticket_id == "t-old" and due.workflow_id == "tichet-t-old_2026"

    record, done = data.erase(due, ErasureReason.RETENTION, cutoff)
    assert done is True
    again, done_again = data.erase(due, ErasureReason.RETENTION, cutoff + timedelta(days=1))
    assert done_again is False and again.pseudonym == record.pseudonym and again.erased_at == record.erased_at
    assert data.due(cutoff + timedelta(days=5)) == data.due(cutoff + timedelta(days=5))
    assert [t.ticket_id for t in data.due(cutoff + timedelta(days=5))] == ["t-new"]
    records = data.records_of("t-old")
    assert records["ratings"][0]["comment"] == "" and records["ratings"][0]["stars"] == 4
    assert data.records_of("t-new")["ratings"][0]["comment"] == "Sunați-mă la 0711 000 111"
    assert records["archive"][0]["registration_number"] == "t-old/2026"

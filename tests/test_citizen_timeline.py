"""The citizen reads the timeline in their own words: never a vendor's error, a staff id or a
refusal meant for ops, on the JSON from their link or on the ticket's page."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime

import httpx
import pytest
from temporalio.client import Client

from domain.models import Channel, Language, TimelineEntry
from http_api.citizen_timeline import citizen_sentence, citizen_timeline
from tests.helpers import scheduled_ticket, steps

AT = datetime(2026, 12, 2, 9, 0, tzinfo=UTC)
VENDOR = "[401] Unauthorized - The request requires a valid access token [Tracking ID: ROUTER_ABC]"


@pytest.fixture
async def emulator(webex_url: str) -> AsyncIterator[httpx.AsyncClient]:
    async with httpx.AsyncClient(base_url=webex_url, timeout=10) as http:
        yield http
        await http.delete("/_control/faults")


async def test_a_webex_failure_reaches_the_citizen_in_plain_words(
    api: httpx.AsyncClient, client: Client, emulator: httpx.AsyncClient, database_url: str
) -> None:
    fault = {"path_prefix": "/v1/meetings", "method": "POST", "status": 401, "count": 20}
    await emulator.post("/_control/faults", json=fault)
    requested, view = await scheduled_ticket(api, client, database_url, handler_id="c0093")
    await emulator.delete("/_control/faults")
    assert view.channel == Channel.PHONE and "webex failed: switched to phone" in steps(view)

    ro = await api.get(requested.link.path, params=requested.key)
    en = await api.get(requested.link.path, params=requested.key, headers={"Accept-Language": "en"})
    page = await api.get(f"{requested.link.path}/pagina", params=requested.key)
    for body in (ro.text, en.text, page.text):
        assert "ROUTER_" not in body and "Tracking" not in body and "Unauthorized" not in body
        assert view.assignee is not None and view.assignee.id not in body, "no staff ids either"
    assert any(
        e["detail"] == "The video meeting could not be created; the clerk will phone you"
        for e in en.json()["timeline"]
    )
    assert "funcționarul vă va suna" in ro.text and "funcționarul vă va suna" in page.text


def test_old_entries_and_unknown_steps_keep_their_details_to_themselves() -> None:
    old = TimelineEntry(at=AT, step="webex failed: switched to phone", detail=VENDOR)
    unknown = TimelineEntry(at=AT, step="a step added later", detail="c0001: internal note")
    refused = TimelineEntry(at=AT, step="signal rejected", detail="record_outcome: not the ticket's clerk")
    ended = TimelineEntry(at=AT, step="ended", detail="no_slot_chosen")
    shown = citizen_timeline([old, unknown, refused, ended], Language.EN)
    assert [e.step for e in shown] == [old.step, unknown.step, ended.step]
    assert all("ROUTER_" not in e.detail and "c0001" not in e.detail for e in shown)
    assert citizen_sentence(unknown, Language.RO) == "a step added later"
    assert citizen_sentence(ended, Language.RO) == "Tichet încheiat: Nu a fost ales la timp un alt interval."

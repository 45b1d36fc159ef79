"""Issue 3 through the API: a full window offers later slots, and accepting one is recorded."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

import httpx
from temporalio.client import Client
from temporalio.testing import WorkflowEnvironment

from api import create_app
from core.settings import Settings
from domain.calendar import CityCalendar, add_working_days_time
from domain.models import TicketStatus
from store.stores import open_stores
from tests.conftest import bucharest_today, handle_for, wait_for_status
from tests.factories import add_file, file_params, ticket_body
from tests.servers import serve_in_loop


async def test_a_full_window_offers_later_slots_and_the_choice_is_recorded(
    api: httpx.AsyncClient, client: Client, database_url: str
) -> None:
    ref = add_file(database_url, bucharest_today(), handler_id="c0090")
    offered = (await api.get("/slots", params=file_params(ref))).json()
    assert offered["slots"] and offered["after_window"] == []
    ledger = open_stores(database_url).bookings
    for n, slot in enumerate(offered["slots"]):  # other citizens take every slot in the window
        start, end = datetime.fromisoformat(slot["start"]), datetime.fromisoformat(slot["end"])
        ledger.reserve(
            ticket_id=f"full-{uuid.uuid4().hex[:6]}-{n}",
            level=0,
            staff_id="c0090",
            start=start,
            end=end,
            at=datetime.now(UTC),
        )

    full = await api.get("/slots", params=file_params(ref), headers={"Accept-Language": "en"})
    assert full.status_code == 200
    body = full.json()
    assert body["slots"] == [] and body["after_window"], "a full window says so and offers what comes next"
    assert "no free slot within the 48-hour window" in body["notice"]
    last_in_window = max(datetime.fromisoformat(s["end"]) for s in offered["slots"])
    assert all(datetime.fromisoformat(s["start"]) >= last_in_window for s in body["after_window"])

    later = body["after_window"][0]["start"]
    email = f"later-{uuid.uuid4().hex[:6]}@example.ro"
    refused = await api.post("/tickets", json=ticket_body(ref, later, email))
    assert refused.status_code == 409, "a later slot needs the citizen's explicit acceptance"
    accepted = await api.post("/tickets", json=ticket_body(ref, later, email, accept_after_window=True))
    assert accepted.status_code == 202, accepted.text
    view = await wait_for_status(handle_for(client, accepted.json()["workflow_id"]), TicketStatus.SCHEDULED)
    assert view.slot_start == datetime.fromisoformat(later)
    assert any(e.step == "later slot accepted" for e in view.timeline)


async def test_a_deployment_can_choose_the_at_least_48_hours_notice_preset(
    env: WorkflowEnvironment, settings: Settings, database_url: str
) -> None:
    """R5: the city's own page asks for *at least* 48 h notice; one setting switches the preset."""
    at_least = settings.model_copy(update={"booking_window_mode": "at_least"})
    app = create_app(at_least, client=env.client)
    ref = add_file(database_url, bucharest_today(), handler_id="c0091")
    async with serve_in_loop(app) as url, httpx.AsyncClient(base_url=url, timeout=30) as http:
        body = (await http.get("/slots", params=file_params(ref))).json()
    starts = [datetime.fromisoformat(s["start"]) for s in body["slots"]]
    notice_ends = add_working_days_time(CityCalendar(), datetime.now(UTC), timedelta(hours=48))
    assert starts and min(starts) >= notice_ends - timedelta(minutes=1)
    assert max(starts) > notice_ends + timedelta(days=7), "offered for two weeks after the notice"

"""The citizen's rating (R11): the store on both databases (once, even under a race), the rule for
when a ticket can be rated, and the endpoint on real tickets.

The endpoint tests serve only the ratings router, in a small app that shares the session's Temporal
client, worker and database (`api.py` does not include the router yet); tickets are requested
through the full app (`api`) as every lifecycle test does.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest
from fastapi import FastAPI
from pydantic import ValidationError
from sqlalchemy import Engine
from temporalio.client import Client
from temporalio.testing import WorkflowEnvironment

from core.settings import Settings
from domain.models import Level, Outcome, StaffMember, TicketStatus, TicketView
from http_api import errors
from http_api import ratings as ratings_api
from http_api.deps import AppState
from store.db import engine_for
from store.ratings import AlreadyRated, RatingRecord, SqlRatings
from store.tables import Rating
from tests.concurrency import race
from tests.conftest import wait_for_status
from tests.db_fixtures import count_rows
from tests.helpers import Requested, met_ticket, past_the_meeting, scheduled_ticket, staff_action
from tests.samples import RESOLUTION_BODY, meeting_info, staff_member, ticket_view
from tests.servers import serve_in_loop

MEETING = datetime(2026, 12, 1, 8, 30, tzinfo=UTC)


def a_rating(stars: int = 5, **changes: Any) -> RatingRecord:
    values: dict[str, Any] = {
        "ticket_id": "t-1",
        "level": Level.CLERK,
        "registration_number": "104233/2026",
        "staff_id": "c1",
        "department_id": "urbanism",
        "meeting_start": MEETING,
        "stars": stars,
        "comment": "Funcționara a fost foarte amabilă.",
        "created_at": MEETING + timedelta(hours=1),
    }
    values.update(changes)
    return RatingRecord(**values)


# --- the store, on both databases ---------------------------------------------------------------------


def test_a_rating_is_stored_and_read_back(engine: Engine) -> None:
    ratings = SqlRatings(engine)
    stored = ratings.add(a_rating(4))
    assert ratings.get("t-1", 0) == stored
    assert stored.comment == "Funcționara a fost foarte amabilă."  # diacritics survive the round trip
    assert stored.meeting_start == MEETING and ratings.get("t-1", 1) is None


def test_an_audience_is_rated_once_but_each_level_has_its_own(engine: Engine) -> None:
    ratings = SqlRatings(engine)
    ratings.add(a_rating(5))
    with pytest.raises(AlreadyRated):
        ratings.add(a_rating(1, comment="changed my mind"))
    ratings.add(a_rating(3, level=Level.DIRECTOR, staff_id="dir"))
    first = ratings.get("t-1", 0)
    assert first is not None and first.stars == 5
    assert count_rows(engine, Rating) == 2


def test_racing_ratings_of_one_audience_store_exactly_one(engine: Engine) -> None:
    ratings = SqlRatings(engine)
    results = race(8, lambda i: ratings.add(a_rating(1 + i % 5)))
    stored = [r for r in results if isinstance(r, RatingRecord)]
    assert len(stored) == 1
    assert all(isinstance(r, AlreadyRated) for r in results if r not in stored)
    assert ratings.get("t-1", 0) == stored[0]
    assert count_rows(engine, Rating) == 1


@pytest.mark.parametrize("changes", [{"stars": 0}, {"stars": 6}, {"comment": "x" * 1001}])
def test_the_record_refuses_what_the_table_must_not_hold(changes: dict[str, Any]) -> None:
    with pytest.raises(ValidationError):
        a_rating(**changes)


# --- when a ticket may be rated (pure) ----------------------------------------------------------------

CLERK = staff_member("c1", name="Ioana Pop", email="c1@p.example", department_id="u")


def ticket(
    status: TicketStatus, outcome: Outcome | None = None, assignee: StaffMember | None = CLERK
) -> TicketView:
    return ticket_view(
        status=status,
        department_id="u",
        assignee=assignee,
        slot_start=MEETING,
        meeting=meeting_info(MEETING, meeting_id=None, join_url=None),
        outcome=outcome,
    )


S = TicketStatus
NOT_YET = "the meeting has not taken place yet"
NOT_HELD = "the meeting was not held"


@pytest.mark.parametrize(
    ("status", "outcome", "refusal"),
    [
        (S.AWAITING_OUTCOME, None, None),
        (S.AWAITING_OUTCOME, Outcome.HELD, None),  # Webex's provisional "held"
        (S.AWAITING_RESOLUTION, None, None),
        (S.AWAITING_RESOLUTION, Outcome.HELD, None),
        (S.RESOLVING, Outcome.HELD, None),
        (S.RESOLVED, Outcome.HELD, None),
        (S.CLOSED, Outcome.HELD, None),
        (S.VALIDATING, None, NOT_YET),
        (S.ASSIGNING, None, NOT_YET),
        (S.AWAITING_ASSIGNMENT, None, NOT_YET),
        (S.BOOKING, None, NOT_YET),
        (S.AWAITING_SLOT, None, NOT_YET),
        (S.SCHEDULED, None, NOT_YET),
        (S.AWAITING_OUTCOME, Outcome.CITIZEN_NO_SHOW, NOT_HELD),  # recorded, not yet closed
        (S.CLOSED, Outcome.CITIZEN_NO_SHOW, NOT_HELD),
        (S.CLOSED, Outcome.CLERK_NO_SHOW, NOT_HELD),
        (S.CANCELLED, Outcome.CANCELLED, NOT_HELD),
        (S.CANCELLED, None, NOT_HELD),
        (S.REJECTED, None, NOT_HELD),
    ],
)
def test_only_a_meeting_that_took_place_can_be_rated(
    status: TicketStatus, outcome: Outcome | None, refusal: str | None
) -> None:
    assert ratings_api.rating_refusal(ticket(status, outcome)) == refusal


def test_without_an_assignee_there_is_nobody_to_rate() -> None:
    assert ratings_api.rating_refusal(ticket(S.AWAITING_OUTCOME, assignee=None)) == NOT_YET


# --- the endpoint, on real tickets ----------------------------------------------------------------------


@pytest.fixture(scope="module")
async def rating_api(
    env: WorkflowEnvironment, settings: Settings, worker: None
) -> AsyncIterator[httpx.AsyncClient]:
    app = FastAPI()
    errors.install(app)
    app.include_router(ratings_api.router)
    app.state.tichet = AppState.build(settings, env.client)
    async with serve_in_loop(app) as url, httpx.AsyncClient(base_url=url, timeout=30) as http:
        yield http


async def rate(
    http: httpx.AsyncClient, requested: Requested, body: dict[str, Any], **params: str
) -> httpx.Response:
    return await http.post(
        f"/bilet/{requested.workflow_id}/rating", params=params or requested.key, json=body
    )


def refused(response: httpx.Response, status: int, code: str, detail: str | None = None) -> bool:
    body = response.json()
    return response.status_code == status and body["code"] == code and body.get("detail") == detail


async def test_the_citizen_rates_once_after_the_meeting(
    api: httpx.AsyncClient,
    client: Client,
    env: WorkflowEnvironment,
    database_url: str,
    rating_api: httpx.AsyncClient,
) -> None:
    requested, view = await scheduled_ticket(api, client, database_url, handler_id="c0061")
    early = await rate(rating_api, requested, {"stars": 5})
    assert refused(early, 409, "rating_not_open", NOT_YET), early.text

    await past_the_meeting(env, requested.handle, view)
    met = await wait_for_status(requested.handle, TicketStatus.AWAITING_OUTCOME)

    wrong_key = await rate(rating_api, requested, {"stars": 5}, cheie="A" * 24)
    assert refused(wrong_key, 404, "ticket_link_invalid"), wrong_key.text
    for bad in (
        {"stars": 6},
        {"stars": 0},
        {"stars": "5"},
        {"stars": 4.5},
        {},
        {"stars": 4, "comment": "x" * 1001},
    ):
        response = await rate(rating_api, requested, bad)
        assert response.status_code == 422 and response.json()["code"] == "invalid_input", (
            bad,
            response.text,
        )
    extra = await rate(rating_api, requested, {"stars": 4, "staff_id": "c0001"})
    assert extra.status_code == 422  # the citizen does not choose whom they rate

    response = await rate(rating_api, requested, {"stars": 4, "comment": "  Mulțumesc, m-ați lămurit.  "})
    assert response.status_code == 201, response.text
    body = response.json()
    assert (body["ticket_id"], body["level"], body["stars"], body["comment"]) == (
        requested.ticket_id,
        0,
        4,
        "Mulțumesc, m-ați lămurit.",
    )

    again = await rate(rating_api, requested, {"stars": 1})
    assert refused(again, 409, "already_rated"), again.text

    stored = SqlRatings(engine_for(database_url)).get(requested.ticket_id, 0)
    assert met.assignee is not None and stored is not None
    assert (stored.staff_id, stored.department_id, stored.meeting_start, stored.stars) == (
        met.assignee.id,
        met.department_id,
        met.slot_start,
        4,
    )
    assert stored.registration_number == requested.ref.registration_number


async def test_a_resolved_ticket_can_be_rated(
    api: httpx.AsyncClient,
    client: Client,
    env: WorkflowEnvironment,
    database_url: str,
    rating_api: httpx.AsyncClient,
) -> None:
    requested, _ = await met_ticket(api, client, env, database_url, handler_id="c0062")
    resolution = await staff_action(api, requested, "resolution", "c0062", RESOLUTION_BODY)
    assert resolution.status_code == 200, resolution.text
    await wait_for_status(requested.handle, TicketStatus.RESOLVED)

    response = await rate(rating_api, requested, {"stars": 5})
    assert response.status_code == 201, response.text


async def test_a_no_show_cannot_be_rated(
    api: httpx.AsyncClient,
    client: Client,
    env: WorkflowEnvironment,
    database_url: str,
    rating_api: httpx.AsyncClient,
) -> None:
    requested, _ = await met_ticket(api, client, env, database_url, handler_id="c0063")
    outcome = await staff_action(api, requested, "outcome", "c0063", {"outcome": "citizen_no_show"})
    assert outcome.status_code == 200, outcome.text
    await wait_for_status(requested.handle, TicketStatus.CLOSED)

    response = await rate(rating_api, requested, {"stars": 1, "comment": "Nu m-a sunat nimeni."})
    assert refused(response, 409, "rating_not_open", NOT_HELD), response.text
    assert SqlRatings(engine_for(database_url)).get(requested.ticket_id, 0) is None

"""Resolution consistency (issue 10, point 5), on real tickets: a resolution whose category
contradicts its documents is refused by the API (422 on `documents_needed`), by the workflow (an
update answered with the code, a Temporal UI signal written to the timeline as refused) and by the
clerk's page, and the ticket does not change. A Webex "meeting ended" that arrives before the slot
began is recorded but does not hold the meeting.
"""

from __future__ import annotations

import html
from datetime import UTC, datetime
from typing import Any

import httpx
import pytest
from temporalio.client import Client, WorkflowUpdateFailedError
from temporalio.exceptions import ApplicationError
from temporalio.testing import WorkflowEnvironment

from core.catalogs import say, text
from domain.models import Language, ResolutionAction, TicketStatus, WebexEvent
from tests.conftest import wait_for_status
from tests.factories import staff_headers
from tests.helpers import met_ticket, past_the_meeting, scheduled_ticket, staff_action, steps, wait_for_steps
from tests.test_staff_pages import browser, csrf_of, sign_in  # noqa: F401  (browser: the fixture)
from workflows.blue_ticket import BlueTicketWorkflow

RO, EN = Language.RO, Language.EN
CONCLUSIONS = "Dosarul este complet. Certificatul se emite în 5 zile lucrătoare."
A_DOCUMENT = {"title": "Plan de situație", "original": True}
WAITING_WITHOUT_DOCUMENTS: dict[str, Any] = {"conclusions": CONCLUSIONS, "category": "documents_requested"}
CLARIFIED_WITH_DOCUMENTS: dict[str, Any] = {
    "conclusions": CONCLUSIONS,
    "category": "clarified",
    "documents_needed": [A_DOCUMENT],
}
SENTENCES = {
    kind: {lang: say(f"field.documents_needed.{kind}", lang) for lang in (RO, EN)}
    for kind in ("documents_missing", "documents_unexpected")
}


@pytest.mark.parametrize(
    ("body", "kind"),
    [(WAITING_WITHOUT_DOCUMENTS, "documents_missing"), (CLARIFIED_WITH_DOCUMENTS, "documents_unexpected")],
    ids=["waiting-without-documents", "clarified-with-documents"],
)
async def test_the_api_refuses_a_category_that_contradicts_the_documents(
    api: httpx.AsyncClient,
    client: Client,
    env: WorkflowEnvironment,
    database_url: str,
    body: dict[str, Any],
    kind: str,
) -> None:
    clerk = "c0141" if kind == "documents_missing" else "c0142"
    requested, _ = await met_ticket(api, client, env, database_url, handler_id=clerk)
    before = await requested.handle.query(BlueTicketWorkflow.status)

    refused = await staff_action(api, requested, "resolution", clerk, body)
    english = await api.post(
        f"/staff/tickets/{requested.workflow_id}/resolution",
        json=body,
        headers={**staff_headers(clerk), "Accept-Language": "en"},
    )

    assert refused.status_code == 422, refused.text
    assert refused.json()["code"] == "invalid_input"
    assert refused.json()["fields"] == [{"field": "documents_needed", "problem": SENTENCES[kind][RO]}]
    assert english.status_code == 422
    assert english.json()["fields"] == [{"field": "documents_needed", "problem": SENTENCES[kind][EN]}]
    after = await requested.handle.query(BlueTicketWorkflow.status)
    assert after.status == before.status == TicketStatus.AWAITING_OUTCOME
    assert after.timeline == before.timeline and after.document_number is None

    fixed = {**body, "documents_needed": [A_DOCUMENT] if kind == "documents_missing" else []}
    accepted = await staff_action(api, requested, "resolution", clerk, fixed)
    assert accepted.status_code == 200, accepted.text
    await wait_for_status(requested.handle, TicketStatus.RESOLVED)


async def test_the_workflow_refuses_it_from_an_update_and_from_a_temporal_ui_signal(
    api: httpx.AsyncClient, client: Client, env: WorkflowEnvironment, database_url: str
) -> None:
    clerk = "c0143"
    requested, _ = await met_ticket(api, client, env, database_url, handler_id=clerk)
    handle = requested.handle
    waiting = ResolutionAction(staff_id=clerk, **WAITING_WITHOUT_DOCUMENTS).model_dump(mode="json")
    clarified = ResolutionAction(staff_id=clerk, **CLARIFIED_WITH_DOCUMENTS).model_dump(mode="json")

    # An update that bypasses the API's schema: refused by the validator, with the code.
    with pytest.raises(WorkflowUpdateFailedError) as failed:
        await handle.execute_update(BlueTicketWorkflow.submit_resolution, waiting)
    cause = failed.value.cause
    assert isinstance(cause, ApplicationError) and cause.type == "resolution_documents_missing"

    # The Temporal UI's signals: refused in the timeline, the ticket untouched.
    await handle.signal(BlueTicketWorkflow.submit_resolution_signal, waiting)
    await handle.signal(BlueTicketWorkflow.submit_resolution_signal, clarified)
    view = await wait_for_steps(handle, "signal rejected", 2)
    rejected = [e.detail for e in view.timeline if e.step == "signal rejected"]
    assert rejected == [
        "submit_resolution: documents_requested lists no document",
        "submit_resolution: a clarified resolution lists documents",
    ]
    assert view.status == TicketStatus.AWAITING_OUTCOME and view.document_number is None

    good = ResolutionAction(staff_id=clerk, **{**CLARIFIED_WITH_DOCUMENTS, "documents_needed": []})
    await handle.signal(BlueTicketWorkflow.submit_resolution_signal, good.model_dump(mode="json"))
    await wait_for_status(handle, TicketStatus.RESOLVED)
    assert text("resolution_documents_missing", EN) != text("resolution_documents_missing", RO)


async def test_the_clerks_page_says_it_next_to_the_field_and_keeps_the_ticket(
    api: httpx.AsyncClient,
    browser: httpx.AsyncClient,  # noqa: F811
    client: Client,
    env: WorkflowEnvironment,
    database_url: str,
) -> None:
    clerk = "c0144"
    requested, _ = await met_ticket(api, client, env, database_url, handler_id=clerk)
    await sign_in(browser, clerk)
    path = f"/personal/tichete/{requested.workflow_id}"
    page = await browser.get(path)
    form = {"csrf": csrf_of(page), "conclusions": CONCLUSIONS, "category": "documents_requested"}

    missing = await browser.post(f"{path}/rezolutie", data=form)
    clarified = await browser.post(
        f"{path}/rezolutie", data={**form, "category": "clarified", "doc_title_1": "Plan de situație"}
    )

    assert missing.status_code == 422
    assert html.escape(SENTENCES["documents_missing"][RO]) in missing.text
    assert 'id="doc_title_1" name="doc_title_1" maxlength="200" value="" aria-invalid="true"' in missing.text
    assert clarified.status_code == 422
    assert html.escape(SENTENCES["documents_unexpected"][RO]) in clarified.text
    assert 'name="category" required class="control" aria-invalid="true"' in clarified.text
    view = await requested.handle.query(BlueTicketWorkflow.status)
    assert view.status == TicketStatus.AWAITING_OUTCOME and view.document_number is None


async def test_a_meeting_ended_before_its_slot_is_recorded_but_does_not_hold_the_meeting(
    api: httpx.AsyncClient, client: Client, env: WorkflowEnvironment, database_url: str
) -> None:
    requested, view = await scheduled_ticket(api, client, database_url, handler_id="c0145")
    assert view.meeting is not None and view.meeting.meeting_id is not None and view.slot_start is not None
    handle = requested.handle
    early = WebexEvent(
        event_id="early-end-1",
        kind="meeting_ended",
        meeting_id=view.meeting.meeting_id,
        at=datetime.now(UTC),
    )
    assert early.at < view.slot_start

    await handle.signal(BlueTicketWorkflow.webex_event, early.model_dump(mode="json"))
    recorded = await wait_for_steps(handle, "webex event ignored")

    assert "meeting ended" in steps(recorded), "the event is in the timeline"
    assert recorded.status == TicketStatus.SCHEDULED and recorded.outcome is None
    await past_the_meeting(env, handle, view)
    after = await wait_for_status(handle, TicketStatus.AWAITING_OUTCOME)
    assert after.outcome is None, "the clerk, not the early event, says how the meeting went"

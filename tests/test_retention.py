"""Retention (issue 9): the daily purge schedule, and what the purge erases and keeps.

The purge runs on a database of its own (a fresh SQLite city, its own worker, task queue and API),
so the tickets it erases are this module's only. The schedule is the real one
(`core.retention_schedule`), created by the setup code and triggered with `ScheduleHandle.trigger`;
a triggered run's `workflow.now()` is the wall clock while these tickets live on skipped clocks, so
the test sets the schedule's argument `as_of` to 91 days after the first ticket ended (a schedule
update, as ops would replay a missed day) and then triggers the schedule.
"""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import httpx
import pytest
from sqlmodel import select
from temporalio.client import (
    Client,
    ScheduleActionExecutionStartWorkflow,
    ScheduleActionStartWorkflow,
    ScheduleUpdate,
    ScheduleUpdateInput,
)
from temporalio.testing import WorkflowEnvironment

from core.retention_schedule import ScheduleChange, ensure_purge_schedule
from core.settings import Settings
from domain.accessibility import FeedbackForm
from domain.models import TicketStatus
from domain.retention import PURGE_WORKFLOW, PurgeInput, PurgeReport
from store.accessibility_feedback import SqlAccessibilityFeedback
from store.db import engine_for, make_engine, session_scope
from store.personal_data import SqlPersonalData
from store.seed import seed_demo_city
from store.tables import ArchiveEntry, ContactErasureRow, OutgoingDocument
from tests.conftest import _serve_api, bucharest_today, wait_for_status
from tests.helpers import Requested, met_ticket, staff_action
from worker import create_worker


@dataclass(frozen=True)
class OwnCity:
    settings: Settings
    api: httpx.AsyncClient


@pytest.fixture(scope="module")
async def city(
    env: WorkflowEnvironment, settings: Settings, tmp_path_factory: pytest.TempPathFactory
) -> AsyncIterator[OwnCity]:
    url = f"sqlite:///{tmp_path_factory.mktemp('retention') / 'tichet.db'}"
    seeding = make_engine(url)
    seed_demo_city(seeding, bucharest_today(), files=5, reset=True)
    seeding.dispose()
    own = settings.model_copy(
        update={"database_url": url, "task_queue": f"tichet-ret-{uuid.uuid4().hex[:8]}"}
    )
    async with create_worker(env.client, own), _serve_api(own, env.client) as http:
        yield OwnCity(own, http)


def schedule_id() -> str:
    return f"test-purge-{uuid.uuid4().hex[:8]}"


async def test_the_schedule_is_created_once(client: Client, city: OwnCity) -> None:
    sid = schedule_id()
    ensure: dict[str, Any] = {
        "task_queue": city.settings.task_queue,
        "retention_days": 90,
        "schedule_id": sid,
    }
    handle = client.get_schedule_handle(sid)
    try:
        assert await ensure_purge_schedule(client, **ensure) == ScheduleChange.CREATED
        first = await handle.describe()
        assert await ensure_purge_schedule(client, **ensure) == ScheduleChange.UNCHANGED
        again = await handle.describe()
        assert again.info.last_updated_at == first.info.last_updated_at, "a second call changed the schedule"
        action = again.schedule.action
        assert isinstance(action, ScheduleActionStartWorkflow)
        assert action.workflow == PURGE_WORKFLOW and action.task_queue == city.settings.task_queue
        (argument,) = await client.data_converter.decode(action.args, [PurgeInput])
        assert argument == PurgeInput(retention_days=90)
        (calendar,) = again.schedule.spec.calendars
        assert [r.start for r in calendar.hour] == [2] and [r.start for r in calendar.minute] == [30]
        assert again.schedule.spec.time_zone_name == "Europe/Bucharest"
        ids = [s.id async for s in await client.list_schedules() if s.id == sid]
        assert ids == [sid]
        # a new setting is carried into the schedule, not into a second one
        assert (
            await ensure_purge_schedule(client, **{**ensure, "retention_days": 30}) == ScheduleChange.UPDATED
        )
        action = (await handle.describe()).schedule.action
        assert isinstance(action, ScheduleActionStartWorkflow)
        (argument,) = await client.data_converter.decode(action.args, [PurgeInput])
        assert argument.retention_days == 30
    finally:
        await handle.delete()


async def _resolved_and_closed(
    env: WorkflowEnvironment, client: Client, city: OwnCity
) -> tuple[Requested, datetime]:
    requested, _ = await met_ticket(city.api, client, env, city.settings.database_url)
    body = {"conclusions": "Dosarul este complet; certificatul se emite.", "category": "clarified"}
    assert (await staff_action(city.api, requested, "resolution", "c0001", body)).status_code == 200
    await wait_for_status(requested.handle, TicketStatus.RESOLVED)
    await env.fast_forward(requested.handle, timedelta(days=31))
    assert (await requested.handle.result()).status == TicketStatus.CLOSED
    return requested, _last_closed(city, requested.ticket_id)


def _last_closed(city: OwnCity, ticket_id: str) -> datetime:
    closed = SqlPersonalData(engine_for(city.settings.database_url)).last_closed(ticket_id)
    assert closed is not None
    return closed


async def _no_show_after(
    env: WorkflowEnvironment, client: Client, city: OwnCity, after: datetime
) -> tuple[Requested, datetime]:
    """A ticket whose citizen did not come, closed on its own clock later than `after`."""
    requested, _ = await met_ticket(city.api, client, env, city.settings.database_url)
    now = await env.get_current_time(requested.handle)
    if after > now:
        await env.fast_forward(requested.handle, after - now)
    response = await staff_action(city.api, requested, "outcome", "c0001", {"outcome": "citizen_no_show"})
    assert response.status_code == 200, response.text
    await requested.handle.result()
    return requested, _last_closed(city, requested.ticket_id)


async def _run_schedule(client: Client, sid: str, as_of: datetime) -> PurgeReport:
    handle = client.get_schedule_handle(sid)

    def with_as_of(update: ScheduleUpdateInput) -> ScheduleUpdate:
        action = update.description.schedule.action
        assert isinstance(action, ScheduleActionStartWorkflow)
        action.args = [PurgeInput(retention_days=90, as_of=as_of)]
        return ScheduleUpdate(schedule=update.description.schedule)

    await handle.update(with_as_of)
    before = len((await handle.describe()).info.recent_actions)
    await handle.trigger()
    for _ in range(200):
        actions = (await handle.describe()).info.recent_actions
        if len(actions) > before:
            started = actions[-1].action
            assert isinstance(started, ScheduleActionExecutionStartWorkflow)
            run = client.get_workflow_handle(
                started.workflow_id, run_id=started.first_execution_run_id, result_type=PurgeReport
            )
            report: PurgeReport = await run.result()
            return report
        await asyncio.sleep(0.1)
    raise AssertionError("the schedule never started the purge")


def _erasure(city: OwnCity, ticket_id: str) -> ContactErasureRow | None:
    return SqlPersonalData(engine_for(city.settings.database_url)).erasure(ticket_id)


async def test_the_scheduled_purge_erases_tickets_closed_over_90_days_ago(
    env: WorkflowEnvironment, client: Client, city: OwnCity
) -> None:
    old, old_closed = await _resolved_and_closed(env, client, city)
    recent, recent_closed = await _no_show_after(env, client, city, old_closed + timedelta(days=2, hours=1))
    as_of = old_closed + timedelta(days=91)
    assert as_of - recent_closed < timedelta(days=90), "the second ticket must be under 90 days old"
    page_before = await city.api.get(f"{old.link.path}/pagina", params=old.key)
    assert page_before.status_code == 200
    with session_scope(engine_for(city.settings.database_url)) as session:
        archived_before = (
            session.exec(select(ArchiveEntry).where(ArchiveEntry.ticket_id == old.ticket_id))
            .one()
            .model_dump()
        )

    # Accessibility feedback (issue 12) is purged on the same period, counted from its receipt.
    feedback = SqlAccessibilityFeedback(engine_for(city.settings.database_url))
    form = FeedbackForm(name="Ana Pop", email="ana@example.ro", page="cererea", message="Nu văd butonul.")
    old_feedback = feedback.add(form, as_of - timedelta(days=90, hours=1))
    new_feedback = feedback.add(form, as_of - timedelta(days=89))

    sid = schedule_id()
    assert (
        await ensure_purge_schedule(
            client, task_queue=city.settings.task_queue, retention_days=90, schedule_id=sid
        )
        == ScheduleChange.CREATED
    )
    try:
        report = await _run_schedule(client, sid, as_of)
        assert report.erased == [old.ticket_id] and report.as_of == as_of
        assert report.feedback_erased == 1
        gone, kept = feedback.get(old_feedback), feedback.get(new_feedback)
        assert gone is not None and (gone.name, gone.email, gone.message) == ("", "", "")
        assert gone.page == "cererea" and gone.erased_at == as_of
        assert kept is not None and (kept.email, kept.erased_at) == ("ana@example.ro", None)
        erased = _erasure(city, old.ticket_id)
        assert erased is not None and erased.reason == "retention" and erased.erased_at == as_of
        assert erased.pseudonym.startswith("Cetățean-")
        assert _erasure(city, recent.ticket_id) is None

        # the archive keeps the audience and its registered resolution (R10)
        with session_scope(engine_for(city.settings.database_url)) as session:
            row = session.exec(select(ArchiveEntry).where(ArchiveEntry.ticket_id == old.ticket_id)).one()
            assert row.registration_number == old.ref.registration_number and row.staff_id == "c0001"
            assert row.resolution_document_number is not None
            assert row.model_dump() == archived_before, "the archive row must survive unchanged"
            document = session.exec(
                select(OutgoingDocument).where(
                    OutgoingDocument.registration_number == row.resolution_document_number
                )
            ).one()
            assert document.content.startswith(b"%PDF")

        # the link says so, in JSON and on the page, in both languages; the other ticket still opens
        answer = await city.api.get(old.link.path, params=old.key)
        assert answer.status_code == 410 and answer.json()["code"] == "ticket_contact_erased"
        english = await city.api.get(old.link.path, params=old.key, headers={"accept-language": "en"})
        assert "erased" in english.json()["message"]
        page = await city.api.get(f"{old.link.path}/pagina", params=old.key)
        assert page.status_code == 410 and "au fost șterse" in page.text
        assert (await city.api.get(recent.link.path, params=recent.key)).status_code == 200

        # twice changes nothing
        again = await _run_schedule(client, sid, as_of)
        assert again.erased == [] and again.already_erased == [] and again.feedback_erased == 0
        assert _erasure(city, old.ticket_id) == erased
        assert _erasure(city, recent.ticket_id) is None
    finally:
        await client.get_schedule_handle(sid).delete()

"""The clerk's two reading pages: `GET /personal/tichete` (my open tickets) and
`GET /personal/tichete/{workflow_id}` (one ticket, its history, and the forms its status allows).

Both call the staff API's own route functions (`my_tickets`, `ticket`), so the page shows exactly what
the API would answer and `_own_ticket` decides who may see a ticket (403 page for anyone else's).
The forms themselves post to `staff_actions`, which re-renders this page when an action is refused.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from urllib.parse import quote

from fastapi import APIRouter, Request, Response

from core import search_attributes as sa
from domain.models import Language, Outcome, ResolutionCategory, Role, StaffMember, TicketStatus
from http_api import staff as staff_api
from http_api import tickets
from http_api.deps import AppState, StateDep, TicketStateDep
from http_api.pages import staff_steps, staff_words
from http_api.pages.rendering import query_with
from http_api.pages.staff_forms import MAX_DOCUMENT_ROWS, clerk_choices, reschedule_offer
from http_api.pages.staff_session import LIST_PATH, SessionDep, StaffPageRoute, StaffSession, staff_render
from http_api.pages.words import moment, page_language, sentence
from http_api.schemas import StaffTicketSummary, StaffTicketView
from workflows.guards import AFTER_MEETING

router = APIRouter(route_class=StaffPageRoute, include_in_schema=False)

# `?mesaj=` codes a redirect may carry, and the staff word each shows; anything else shows nothing.
DONE = {
    "rezultat": "done_outcome",
    "rezolutie": "done_resolution",
    "mutat": "done_reschedule",
    "sediu": "done_in_person",
    "repartizat": "done_assign",
}


def ticket_path(workflow_id: str, tail: str = "") -> str:
    return f"{LIST_PATH}/{quote(workflow_id, safe='')}{tail}"


def local_when(instant: datetime | None, state: AppState, lang: Language) -> str:
    """The day written out and the time, in the city's zone whatever zone the server runs in
    (a bare date is easy to misread across a weekend)."""
    if instant is None:
        return staff_words.word("no_meeting_time", lang)
    return moment(instant, lang, state.settings.time_zone)


@dataclass(frozen=True)
class ListRow:
    href: str
    registration_number: str
    status: str
    when: str


def _rows(found: list[StaffTicketSummary], state: AppState, lang: Language) -> list[ListRow]:
    """Soonest meeting first; tickets without a time (still booking, awaiting a pick) last."""
    last = datetime.max.replace(tzinfo=UTC)
    ordered = sorted(found, key=lambda t: t.meeting_time or last)
    return [
        ListRow(
            href=query_with(ticket_path(t.workflow_id), {"lang": lang.value}),
            registration_number=t.registration_number or t.workflow_id,
            status=staff_words.status_phrase(t.status, lang),
            when=local_when(t.meeting_time, state, lang),
        )
        for t in ordered
    ]


async def _to_assign(state: AppState, me: StaffMember) -> list[StaffTicketSummary]:
    """A director's department tickets waiting for their pick: they are nobody's yet, so
    `my_tickets` (by TicketClerk) cannot list them."""
    if me.role != Role.DIRECTOR or not me.department_id or "'" in me.department_id:
        return []
    query = (
        f"{sa.TICKET_DEPARTMENT.name} = '{me.department_id}' AND "
        f"{sa.TICKET_STATUS.name} = '{TicketStatus.AWAITING_ASSIGNMENT.value}' AND "
        "ExecutionStatus = 'Running'"
    )
    return await tickets.find(state, query, limit=100)


def _flash(request: Request, lang: Language) -> tuple[str, str]:
    done = request.query_params.get("mesaj", "")
    return ("ok", staff_words.word(DONE[done], lang)) if done in DONE else ("", "")


@router.get(LIST_PATH, response_class=Response)
async def my_tickets_page(request: Request, state: StateDep, session: SessionDep) -> Response:
    lang = page_language(request)
    mine = await staff_api.my_tickets(state, session.me)
    picks = await _to_assign(state, session.me)
    kind, flash = _flash(request, lang)
    return staff_render(
        request,
        "staff_tickets.html",
        lang,
        session=session,
        rows=_rows(mine, state, lang),
        to_assign=_rows(picks, state, lang),
        flash=flash,
        flash_kind=kind,
    )


def _current_level(view: StaffTicketView) -> list[str]:
    """The steps of this level only: an escalated ticket carries the earlier levels' timeline."""
    steps = [entry.step for entry in view.timeline]
    starts = [i for i, step in enumerate(steps) if step in ("started", "escalated")]
    return steps[starts[-1] :] if starts else steps


@dataclass(frozen=True)
class Allowed:
    """Which forms the page shows: those that fit the ticket's status and the viewer. Only a
    courtesy (no form that is sure to be refused); the workflow's validators still decide."""

    join: bool
    outcome: bool
    resolution: bool
    in_person: bool
    reschedule: bool
    assign: bool


def allowed(view: StaffTicketView, me: StaffMember, now: datetime) -> Allowed:
    steps = _current_level(view)
    mine = view.assignee is not None and view.assignee.id == me.id
    after = mine and view.status in AFTER_MEETING
    return Allowed(
        join=mine and view.status in (TicketStatus.SCHEDULED, TicketStatus.AWAITING_OUTCOME),
        outcome=after and "outcome recorded" not in steps,
        resolution=after and view.outcome in (None, Outcome.HELD) and "resolution submitted" not in steps,
        in_person=mine and view.status == TicketStatus.AWAITING_CLERK_ACCEPTANCE,
        reschedule=mine
        and view.status == TicketStatus.SCHEDULED
        and view.slot_start is not None
        and view.slot_start > now,
        assign=view.status == TicketStatus.AWAITING_ASSIGNMENT
        and me.role == Role.DIRECTOR
        and view.department_id is not None
        and view.department_id == me.department_id,
    )


async def ticket_page(
    request: Request,
    state: AppState,
    session: StaffSession,
    workflow_id: str,
    *,
    flash: tuple[str, str] = ("", ""),
    values: Mapping[str, str] | None = None,
    bad_fields: tuple[str, ...] = (),
    field_errors: Mapping[str, str] | None = None,
    status_code: int = 200,
) -> Response:
    """The ticket page; also how a refused action answers, with the typed values kept in the forms."""
    lang = page_language(request)
    view = await staff_api.ticket(state, session.me, workflow_id)
    can = allowed(view, session.me, datetime.now(UTC))
    values = dict(values or {})
    kind, text = flash if flash[1] else _flash(request, lang)
    offer = (
        await reschedule_offer(state, view, session.me, lang, values.get("slot_start", ""))
        if can.reschedule
        else None
    )
    return staff_render(
        request,
        "staff_ticket.html",
        lang,
        status_code,
        session=session,
        t=view,
        can=can,
        path=ticket_path(workflow_id),
        status_phrase=staff_words.status_phrase(view.status, lang),
        level_name=staff_words.level_name(view.level, lang),
        channel_phrase=staff_words.channel_phrase(view.channel, lang),
        outcome_phrase=staff_words.outcome_phrase(view.outcome, lang) if view.outcome else "",
        when=local_when(view.slot_start, state, lang) if view.slot_start else "",
        email_failed_when=(
            moment(view.citizen_email_failure.at, lang, state.settings.time_zone)
            if view.citizen_email_failure
            else ""
        ),
        timeline=[
            (moment(e.at, lang, state.settings.time_zone), staff_steps.step_phrase(e.step, lang), e.detail)
            for e in view.timeline
        ],
        outcomes=[(o.value, staff_words.outcome_phrase(o, lang)) for o in Outcome if o != Outcome.CANCELLED],
        categories=[(c.value, staff_words.category_label(c, lang)) for c in ResolutionCategory],
        document_rows=range(1, MAX_DOCUMENT_ROWS + 1),
        offer=offer,
        no_slots=sentence("no_free_slots", lang),
        clerks=await clerk_choices(state, view) if can.assign else [],
        values=values,
        bad_fields=list(bad_fields),
        problems=[(field, staff_words.field_label(field, lang)) for field in bad_fields],
        field_errors=dict(field_errors or {}),
        flash=text,
        flash_kind=kind,
    )


@router.get(f"{LIST_PATH}/{{workflow_id}}", response_class=Response)
async def ticket(request: Request, state: TicketStateDep, session: SessionDep, workflow_id: str) -> Response:
    return await ticket_page(request, state, session, workflow_id)

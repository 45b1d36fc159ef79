"""The citizen's ticket in a browser, opened with the secret key (no account): what is happening,
when and how they meet, the history, and the actions the ticket's state allows.

Actions post a small form, run the API's own route function (so the key check and the workflow's
refusal mapping are the API's), and redirect back with a message code (POST-redirect-GET): a reload
never repeats an action, and the message text comes only from our word lists, never from the URL.
"""

from __future__ import annotations

import re
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import timedelta
from typing import Any
from urllib.parse import quote

from fastapi import APIRouter, Request, Response
from fastapi.responses import RedirectResponse
from pydantic import ValidationError
from starlette.concurrency import run_in_threadpool

from core.links import key_matches
from domain.models import Channel, Language, Outcome, TicketStatus, TicketView
from http_api import citizen, citizen_data, ratings, tickets
from http_api.citizen_timeline import citizen_sentence
from http_api.deps import AppState, StateDep, TicketStateDep
from http_api.errors import ApiError
from http_api.pages import words
from http_api.pages.rendering import PageRoute, query_with, read_form, render, slot_offer
from http_api.schemas import CancelRequest, ChooseSlotRequest, EscalateRequest, SlotPublic
from store.ratings import ratings_for
from workflows.guards import BEFORE_MEETING

router = APIRouter(route_class=PageRoute, include_in_schema=False)

# The shape `core.links.citizen_key` produces; anything else cannot match, and
# `hmac.compare_digest` raises on non-ASCII text, so it is refused before the comparison.
_KEY = re.compile(r"^[A-Za-z0-9_-]{8,64}$")
DONE = {
    "anulat": "done_cancel",
    "interval": "done_slot",
    "escaladat": "done_escalate",
    "evaluat": "done_rating",
}


def _checked_key(key: str) -> str:
    if not _KEY.match(key):
        raise ApiError(404, "ticket_link_invalid")
    return key


def _page_path(workflow_id: str, tail: str = "") -> str:
    return f"/bilet/{quote(workflow_id, safe='')}/pagina{tail}"


@dataclass(frozen=True)
class TimelineRow:
    when: str
    what: str


def _timeline(ticket: TicketView, lang: Language, zone: str) -> list[TimelineRow]:
    shown = ((entry, citizen_sentence(entry, lang)) for entry in ticket.timeline)
    return [
        TimelineRow(words.moment(entry.at, lang, zone), what) for entry, what in shown if what is not None
    ]


def _when(ticket: TicketView, lang: Language, state: AppState) -> str | None:
    """The meeting's day and time; none while a new slot is awaited (the old one was lost)."""
    if ticket.slot_start is None or ticket.status == TicketStatus.AWAITING_SLOT:
        return None
    end = (ticket.meeting.end if ticket.meeting else ticket.slot_start + timedelta(minutes=15)).astimezone(
        state.calendar.tz
    )
    return f"{words.moment(ticket.slot_start, lang, state.settings.time_zone)}–{end:%H:%M}"


async def _slot_offer(state: AppState, ticket: TicketView, workflow_id: str, key: str) -> list[SlotPublic]:
    """Slots to offer on the page: another one at the same level while a choice is pending, or the
    next level's once the resolution is out (the same lists the JSON API gives)."""
    if ticket.status == TicketStatus.AWAITING_SLOT:
        file = await run_in_threadpool(state.stores.registry.find_file, ticket.registration_number)
        if file is None:
            return []
        offered = await run_in_threadpool(citizen._slots, state, file, ticket.level)
        return citizen._public(offered, state.calendar)
    if ticket.status == TicketStatus.RESOLVED and ticket.next_level is not None:
        try:
            return (await citizen.escalation_slots(state, workflow_id, key)).slots
        except ApiError:  # e.g. the file left the registry: the page still shows the ticket
            return []
    return []


async def _can_rate(state: AppState, ticket: TicketView) -> bool:
    """The rating form shows while the API would take a rating: the meeting happened and this
    level has none yet (the API's `rating_refusal` and the store's once-per-level rule)."""
    if ratings.rating_refusal(ticket) is not None:
        return False
    stored = await run_in_threadpool(
        ratings_for(state.settings.database_url, state.municipality.id).get, ticket.ticket_id, ticket.level
    )
    return stored is None


def _flash(request: Request, ticket: TicketView, lang: Language) -> tuple[str, str]:
    """(kind, text) for the message a redirect asked for: codes only, looked up in our own lists."""
    done = request.query_params.get("mesaj", "")
    if done in DONE:
        return "ok", words.word(DONE[done], lang)
    error = request.query_params.get("eroare", "")
    if error:
        return "error", words.sentence(error, lang, detail=words.status_phrase(ticket.status, lang))
    return "", ""


@router.get("/bilet/{workflow_id}/pagina", response_class=Response)
async def ticket_page(request: Request, state: TicketStateDep, workflow_id: str, cheie: str = "") -> Response:
    key = _checked_key(cheie)
    ticket = await tickets.citizen_view(state, workflow_id, key)
    lang = words.page_language(request, ticket.citizen_language)
    slots = await _slot_offer(state, ticket, workflow_id, key)
    offer = slot_offer(slots, lang)
    flash_kind, flash = _flash(request, ticket, lang)
    rejection = ticket.rejection_code
    return render(
        request,
        "ticket.html",
        lang,
        city=state.municipality,
        t=ticket,
        key=key,
        path=_page_path(workflow_id),
        status_phrase=words.status_phrase(ticket.status, lang),
        level_name=words.level_name(ticket.level, lang),
        next_level_name=words.level_name(ticket.next_level, lang) if ticket.next_level else "",
        channel_phrase=words.channel_phrase(ticket.channel, lang),
        # a cancelled ticket's outcome only repeats its status
        outcome_phrase=(
            words.outcome_phrase(ticket.outcome, lang)
            if ticket.outcome and ticket.outcome != Outcome.CANCELLED
            else ""
        ),
        rejection=words.sentence(rejection, lang) if rejection else "",
        when=_when(ticket, lang, state),
        deadline=(
            words.moment(ticket.escalation_deadline, lang, state.settings.time_zone)
            if ticket.escalation_deadline
            else ""
        ),
        timeline=_timeline(ticket, lang, state.settings.time_zone),
        can_cancel=ticket.status in BEFORE_MEETING,
        can_choose=ticket.status == TicketStatus.AWAITING_SLOT,
        can_escalate=ticket.status == TicketStatus.RESOLVED and ticket.next_level is not None,
        can_rate=await _can_rate(state, ticket),
        offer=offer,
        show_join=ticket.status in (TicketStatus.SCHEDULED, TicketStatus.AWAITING_OUTCOME),
        message_no_slots=words.sentence("no_free_slots", lang),
        channels=list(Channel),
        flash=flash,
        flash_kind=flash_kind,
        data_url=query_with(f"/bilet/{quote(workflow_id, safe='')}/date", {"cheie": key}),
        # closed for good: the workflow has ended (a resolved ticket waits for the escalation window)
        can_erase=ticket.status in (TicketStatus.CLOSED, TicketStatus.CANCELLED, TicketStatus.REJECTED),
    )


@router.get("/{municipality}/bilet/{workflow_id}/pagina", response_class=Response)
async def city_ticket_page(
    request: Request, state: StateDep, municipality: str, workflow_id: str, cheie: str = ""
) -> Response:
    """The ticket page under its municipality's prefix. Another municipality's ticket there is a
    ticket that does not exist: the same 404 page."""
    city = state.for_municipality(municipality)
    if not city.owns(workflow_id):
        raise ApiError(404, "ticket_link_invalid")
    return await ticket_page(request, city, workflow_id, cheie)


@router.get("/bilet/{workflow_id}/confirmare", response_class=Response)
async def confirmation(
    request: Request, state: TicketStateDep, workflow_id: str, bilet: str = "", cheie: str = ""
) -> Response:
    """Right after the request. It checks the key against the ticket id in the URL instead of
    querying the workflow, whose first task may not have run yet at this instant."""
    key = _checked_key(cheie)
    if not key_matches(state.settings.link_secret, workflow_id, bilet, key):
        raise ApiError(404, "ticket_link_invalid")
    lang = words.page_language(request)
    path = query_with(_page_path(workflow_id), {"cheie": key})
    return render(
        request,
        "confirmation.html",
        lang,
        city=state.municipality,
        secret_link=state.settings.public_base_url.rstrip("/") + path,
        page_url=query_with(_page_path(workflow_id), {"cheie": key, "lang": lang.value}),
    )


async def _act(
    request: Request, workflow_id: str, key: str, done: str, action: Callable[[], Awaitable[Any]]
) -> Response:
    """Run one citizen action and redirect back to the page with its outcome as a code.
    A wrong key is still the not-found page; any other refusal becomes a message on the page."""
    lang = words.page_language(request)
    params = {"cheie": key, "lang": lang.value}
    try:
        await action()
        params["mesaj"] = done
    except ApiError as err:
        if err.code == "ticket_link_invalid":
            raise
        params["eroare"] = err.code
    except ValidationError:
        params["eroare"] = "invalid_input"
    return RedirectResponse(query_with(_page_path(workflow_id), params), status_code=303)


@router.post("/bilet/{workflow_id}/pagina/anuleaza", response_class=Response)
async def cancel(request: Request, state: TicketStateDep, workflow_id: str, cheie: str = "") -> Response:
    key = _checked_key(cheie)
    form = await read_form(request)

    async def run() -> None:
        body = CancelRequest.model_validate({"reason": form.get("reason", "")})
        await citizen.cancel(state, workflow_id, key, body)

    return await _act(request, workflow_id, key, "anulat", run)


@router.post("/bilet/{workflow_id}/pagina/alege", response_class=Response)
async def choose_slot(request: Request, state: TicketStateDep, workflow_id: str, cheie: str = "") -> Response:
    key = _checked_key(cheie)
    form = await read_form(request)

    async def run() -> None:
        body = ChooseSlotRequest.model_validate({"slot_start": form.get("slot_start", "")})
        await citizen.choose_slot(state, workflow_id, key, body)

    return await _act(request, workflow_id, key, "interval", run)


@router.post("/bilet/{workflow_id}/pagina/escaladeaza", response_class=Response)
async def escalate(request: Request, state: TicketStateDep, workflow_id: str, cheie: str = "") -> Response:
    key = _checked_key(cheie)
    form = await read_form(request)

    async def run() -> None:
        body = EscalateRequest.model_validate(
            {"slot_start": form.get("slot_start", ""), "channel": form.get("channel") or Channel.WEBEX}
        )
        await citizen.escalate(state, workflow_id, key, body)

    return await _act(request, workflow_id, key, "escaladat", run)


@router.post("/bilet/{workflow_id}/pagina/evalueaza", response_class=Response)
async def rate(request: Request, state: TicketStateDep, workflow_id: str, cheie: str = "") -> Response:
    """The rating form: the API's own `rate` (its refusals become a message on the page)."""
    key = _checked_key(cheie)
    form = await read_form(request)
    stars = form.get("stars", "")

    async def run() -> None:
        body = ratings.RatingRequest.model_validate(
            {"stars": int(stars) if stars.isdecimal() else stars, "comment": form.get("comment", "")}
        )
        await ratings.rate(state, workflow_id, key, body)

    return await _act(request, workflow_id, key, "evaluat", run)


@router.post("/bilet/{workflow_id}/pagina/sterge-datele", response_class=Response)
async def erase_my_data(
    request: Request, state: TicketStateDep, workflow_id: str, cheie: str = ""
) -> Response:
    """The erasure request (issue 9); afterwards the page itself answers that the data is erased."""
    key = _checked_key(cheie)

    async def run() -> None:
        await citizen_data.erase_my_data(state, workflow_id, key)

    return await _act(request, workflow_id, key, "sters", run)

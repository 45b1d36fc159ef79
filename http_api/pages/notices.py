"""The two public notices every page links to from its footer (issue 12): the accessibility statement
(`/accesibilitate`, with its feedback form) and the privacy notice (`/confidentialitate`).

Every fact that differs between cities or deployments (the city, its contacts, the retention periods)
comes from the settings, so the pages say what the system does. A valid feedback message is stored
first (nothing typed is lost) and then handed to the `AccessibilityFeedback` workflow, which emails
it to `TICHET_ACCESSIBILITY_CONTACT_EMAIL`; the web request never talks to SMTP.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime

from fastapi import APIRouter, Request, Response
from fastapi.responses import RedirectResponse
from pydantic import ValidationError
from starlette.concurrency import run_in_threadpool
from temporalio.service import RPCError

from core.settings import Settings
from domain.accessibility import FEEDBACK_WORKFLOW, FeedbackDelivery, FeedbackForm, feedback_workflow_id
from domain.models import Language
from http_api.deps import StateDep
from http_api.field_messages import count, form_sentences
from http_api.pages.rendering import PageRoute, form_errors, query_with, read_form, render
from http_api.pages.words import day_heading, page_language, sentence, word
from store.accessibility_feedback import feedback_for

log = logging.getLogger(__name__)
router = APIRouter(route_class=PageRoute, include_in_schema=False)

FEEDBACK_FIELDS = ("name", "email", "page", "message")
STATEMENT_PATH = "/accesibilitate"
PRIVACY_PATH = "/confidentialitate"


@dataclass(frozen=True)
class Facts:
    """What the notices say about this deployment, in the page's language."""

    city: str
    contact_email: str
    contact_phone: str
    postal_address: str
    dpo_email: str
    statement_date: str
    contact_days: str
    temporal_days: str
    feedback_days: str


def _or_placeholder(value: str, what: str, lang: Language) -> str:
    return value.strip() or word("to_fill", lang, what=word(what, lang))


def facts(settings: Settings, lang: Language) -> Facts:
    contact_days = count(settings.contact_retention_days, "days", lang)
    return Facts(
        city=settings.city_name,
        contact_email=settings.accessibility_contact_email,
        contact_phone=_or_placeholder(settings.accessibility_contact_phone, "fill_phone", lang),
        postal_address=_or_placeholder(settings.city_postal_address, "fill_postal_address", lang),
        dpo_email=settings.dpo_email,
        statement_date=day_heading(settings.accessibility_statement_date, lang),
        contact_days=contact_days,
        temporal_days=count(settings.temporal_retention_days, "days", lang),
        feedback_days=contact_days,  # the daily purge erases feedback on the contact data's period
    )


@dataclass(frozen=True)
class Kept:
    """One kind of data the privacy notice lists: what, why (legal basis), how long."""

    key: str
    what: str
    why: str
    how_long: str


def kept(f: Facts, lang: Language) -> list[Kept]:
    """In the order a citizen meets them. The periods come from `f` (the settings); the two the
    system does not decide (the Webex site's, the log rotation's) are the city's to fill in."""
    days = {"contact_days": f.contact_days, "temporal_days": f.temporal_days}
    city_decides = {"recording": "fill_recording_retention", "logs": "fill_log_rotation"}
    found = []
    for key in ("ticket", "archive", "recording", "rating", "feedback", "registry", "logs"):
        if key in city_decides:
            how_long = word("to_fill", lang, what=word(city_decides[key], lang))
        else:
            how_long = word(f"privacy_{key}_how_long", lang, **days)
        found.append(Kept(key, word(f"privacy_{key}_what", lang), word(f"privacy_{key}_why", lang), how_long))
    return found


def _statement(
    request: Request,
    settings: Settings,
    lang: Language,
    values: Mapping[str, str],
    *,
    sent: str = "",
    message: str = "",
    bad_fields: Mapping[str, str] | None = None,
    status_code: int = 200,
) -> Response:
    return render(
        request,
        "accessibility.html",
        lang,
        status_code,
        facts=facts(settings, lang),
        values=dict(values),
        sent=sent,
        message=message,
        **form_errors(bad_fields),
    )


@router.get(STATEMENT_PATH, response_class=Response)
async def accessibility_statement(request: Request, state: StateDep, trimis: str = "") -> Response:
    """The statement; `?trimis=1` after a message was received (POST-redirect-GET)."""
    lang = page_language(request)
    sent = word("a11y_sent", lang) if trimis == "1" else ""
    return _statement(request, state.settings, lang, {}, sent=sent)


@router.post(STATEMENT_PATH, response_class=Response)
async def send_feedback(request: Request, state: StateDep) -> Response:
    """Validate field by field (a 422 re-renders the form with each sentence next to its field and
    stores nothing), store, start the workflow that emails it, redirect."""
    lang = page_language(request)
    form = await read_form(request)
    values = {f: form.get(f, "") for f in FEEDBACK_FIELDS}
    try:
        feedback = FeedbackForm.model_validate({**values, "language": lang})
    except ValidationError as err:
        named = form_sentences(err.errors(), lang)
        bad = {f: named[f] for f in FEEDBACK_FIELDS if f in named}
        return _statement(
            request,
            state.settings,
            lang,
            values,
            message=sentence("invalid_input", lang),
            bad_fields=bad,
            status_code=422,
        )
    store = feedback_for(state.settings.database_url)
    feedback_id = await run_in_threadpool(store.add, feedback, datetime.now(UTC))
    try:
        await state.client.start_workflow(
            FEEDBACK_WORKFLOW,
            FeedbackDelivery(feedback_id=feedback_id),
            id=feedback_workflow_id(feedback_id),
            task_queue=state.settings.task_queue,
        )
    except RPCError as err:  # stored all the same: the city finds it in the table (emailed_at empty)
        log.warning("accessibility feedback %s stored but not handed to Temporal: %s", feedback_id, err)
    url = query_with(STATEMENT_PATH, {"lang": lang.value, "trimis": "1"})
    return RedirectResponse(f"{url}#feedback-form", status_code=303)


@router.get(PRIVACY_PATH, response_class=Response)
async def privacy_notice(request: Request, state: StateDep) -> Response:
    lang = page_language(request)
    found = facts(state.settings, lang)
    return render(request, "privacy.html", lang, facts=found, kept=kept(found, lang))

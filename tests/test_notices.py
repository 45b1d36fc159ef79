"""The accessibility statement and the privacy notice (issue 12) over real HTTP: both pages in both
languages with the sections the EU model statement and the GDPR ask for, linked from every page's
footer, their figures taken from the settings; the feedback form refused field by field (422, each
sentence at its field, nothing stored) and a valid message stored (SQLite and PostgreSQL) and
delivered by the worker to the configured address on the real SMTP server."""

from __future__ import annotations

import html
import re
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from html.parser import HTMLParser
from typing import Any

import httpx
import pytest
from temporalio.client import Client
from temporalio.testing import WorkflowEnvironment

from api import create_app
from core.catalogs import known, text
from core.settings import Settings
from devstack.mailbox import Mailbox
from domain.accessibility import feedback_workflow_id
from domain.models import Language
from http_api.field_messages import field_sentence
from integrations.templates import TEMPLATES
from store.accessibility_feedback import SqlAccessibilityFeedback
from store.db import engine_for
from tests.conftest import Stack, bucharest_today
from tests.factories import add_file, file_params
from tests.servers import serve_in_loop
from tests.test_staff_pages import sign_in

RO, EN = Language.RO, Language.EN
STATEMENT, PRIVACY = "/accesibilitate", "/confidentialitate"


def feedback_rows(database_url: str) -> SqlAccessibilityFeedback:
    return SqlAccessibilityFeedback(engine_for(database_url))


@asynccontextmanager
async def own_api(
    env: WorkflowEnvironment, settings: Settings, **changes: Any
) -> AsyncIterator[httpx.AsyncClient]:
    """An API of its own over real HTTP, with the session's city and these settings changed."""
    app = create_app(settings.model_copy(update=changes), client=env.client)
    async with serve_in_loop(app) as url, httpx.AsyncClient(base_url=url, timeout=30) as http:
        yield http


def headings(page: str) -> list[str]:
    return [html.unescape(h) for h in re.findall(r"<h[12][^>]*>([^<]+)</h[12]>", page)]


async def test_the_statement_has_the_model_statements_sections_in_both_languages(
    api: httpx.AsyncClient, settings: Settings
) -> None:
    ro = await api.get(STATEMENT)
    assert ro.status_code == 200 and '<html lang="ro">' in ro.text
    assert headings(ro.text) == [
        "Declarație de accesibilitate",
        "Stadiul conformității",
        "Conținut care nu este accesibil",
        "Întocmirea declarației",
        "Feedback și date de contact",
        "Procedura de asigurare a respectării",
    ]
    page = html.unescape(ro.text)
    assert f"{settings.city_name} se angajează" in page and "OUG 112/2018" in page
    assert "parțial conform" in page and "WCAG 2.1 nivelul AA" in page and "EN 301 549" in page
    assert "/personal" in page and "Temporal" in page  # the scope, and what is not ours
    assert "Autorității pentru Digitalizarea României (ADR)" in page
    assert "axe-core" in page and "doar cu tastatura" in page
    assert "joi, 3 decembrie 2026" in page  # the statement's date, from the settings
    assert f'href="mailto:{settings.accessibility_contact_email}"' in ro.text
    assert '<form method="post" action="/accesibilitate?lang=ro">' in ro.text

    for en in (
        await api.get(STATEMENT, params={"lang": "en"}),
        await api.get(STATEMENT, headers={"Accept-Language": "en"}),
    ):
        assert en.status_code == 200 and '<html lang="en">' in en.text
        assert headings(en.text) == [
            "Accessibility statement",
            "Compliance status",
            "Non-accessible content",
            "Preparation of this statement",
            "Feedback and contact information",
            "Enforcement procedure",
        ]
        assert "partially compliant" in en.text and "Thursday, 3 December 2026" in en.text
        assert "Romanian Digitalisation Authority" in en.text


async def test_the_privacy_notice_says_what_why_and_how_long_in_both_languages(
    api: httpx.AsyncClient, settings: Settings
) -> None:
    ro = html.unescape((await api.get(PRIVACY)).text)
    assert "Ce păstrăm, de ce și cât timp" in ro and "Drepturile dumneavoastră" in ro
    assert f"{settings.contact_retention_days} de zile după ultima întâlnire" in ro
    assert f"după {settings.temporal_retention_days} de zile" in ro
    assert "art. 6 alin. (1) lit. e) GDPR" in ro and "Legii nr. 190/2018" in ro
    assert "Descarcă datele mele" in ro and "Șterge datele mele de contact" in ro  # the rights, and how
    assert f"mailto:{settings.dpo_email}" in ro

    en = html.unescape((await api.get(PRIVACY, params={"lang": "en"})).text)
    assert '<html lang="en">' in en and "What we keep, why, and for how long" in en
    assert f"erased {settings.contact_retention_days} days after the last meeting" in en
    assert "Download my data" in en and "Art. 6(1)(e) GDPR" in en


async def test_the_figures_and_contacts_follow_the_settings(
    env: WorkflowEnvironment, settings: Settings
) -> None:
    changed = {
        "contact_retention_days": 45,
        "temporal_retention_days": 21,
        "accessibility_contact_phone": "+40 264 596 030",
        "city_postal_address": "Str. Moților nr. 3, Cluj-Napoca",
        "dpo_email": "dpo@primariaclujnapoca.ro",
        "city_name": "Municipiul Exemplu",
    }
    async with own_api(env, settings, **changed) as http:
        privacy = html.unescape((await http.get(PRIVACY)).text)
        statement = html.unescape((await http.get(STATEMENT)).text)
        english = html.unescape((await http.get(PRIVACY, params={"lang": "en"})).text)
    assert "45 de zile după ultima întâlnire" in privacy and "după 21 de zile" in privacy
    assert "90 de zile" not in privacy and "60 de zile" not in privacy
    assert "erased 45 days after the last meeting" in english and "after 21 days" in english
    assert "le ștergem după 45 de zile" in statement  # the form's own notice, same period
    assert "Municipiul Exemplu, Str. Moților nr. 3, Cluj-Napoca" in privacy
    assert "mailto:dpo@primariaclujnapoca.ro" in privacy
    assert "+40 264 596 030" in statement and "de completat" not in statement
    # What the city has not filled in is said to be missing, never invented:
    assert "[de completat de primărie: cât păstrează site-ul Webex înregistrările]" in privacy


async def test_the_placeholders_show_what_a_city_must_fill_in(api: httpx.AsyncClient) -> None:
    statement = html.unescape((await api.get(STATEMENT)).text)
    assert "[de completat de primărie: telefonul]" in statement
    assert "[de completat de primărie: adresa poștală]" in statement
    english = html.unescape((await api.get(STATEMENT, params={"lang": "en"})).text)
    assert "[to be filled in by the city hall: postal address]" in english


async def test_every_page_links_both_notices_from_its_footer(
    api: httpx.AsyncClient, database_url: str
) -> None:
    """The citizen pages, an error page, the clerk's sign-in page (signed out) and their list
    (signed in): each in both languages, the links in the footer and in the page's language."""
    ref = add_file(database_url, bucharest_today(), handler_id="c0004")
    pages = {
        "/": {},
        "/alege": file_params(ref),
        STATEMENT: {},
        PRIVACY: {},
        "/personal": {},
        "/bilet/tichet-nu-exista/pagina": {"cheie": "AAAAAAAAAAAAAAAAAAAAAAAA"},  # the error page
    }
    async with httpx.AsyncClient(base_url=api.base_url, timeout=30) as browser:
        seen = [
            (path, lang, await browser.get(path, params={**params, "lang": lang}))
            for path, params in pages.items()
            for lang in ("ro", "en")
        ]
        await sign_in(browser, "c0004")
        for lang in ("ro", "en"):
            mine = await browser.get("/personal/tichete", params={"lang": lang})
            assert "/personal/iesire" in mine.text  # the clerk's own, signed-in page
            seen.append(("/personal/tichete", lang, mine))
    for path, lang, page in seen:
        assert page.headers["content-type"].startswith("text/html"), path
        footer = page.text.split("<footer>", 1)[-1]
        assert f'href="/accesibilitate?lang={lang}"' in footer, (path, lang)
        assert f'href="/confidentialitate?lang={lang}"' in footer, (path, lang)


class _Fields(HTMLParser):
    """The attributes of every input and textarea, as a browser would read them."""

    def __init__(self) -> None:
        super().__init__()
        self.fields: dict[str, dict[str, str | None]] = {}

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        found = dict(attrs)
        if tag in ("input", "textarea") and found.get("name"):
            self.fields[str(found["name"])] = found


def form_fields(page: str) -> dict[str, dict[str, str | None]]:
    parser = _Fields()
    parser.feed(page)
    return parser.fields


async def test_the_form_marks_required_and_optional_fields_for_browsers(api: httpx.AsyncClient) -> None:
    fields = form_fields((await api.get(STATEMENT)).text)
    assert set(fields) == {"name", "email", "page", "message"}
    assert "required" in fields["email"] and "required" in fields["message"]
    assert "required" not in fields["name"] and "required" not in fields["page"]
    assert fields["name"]["autocomplete"] == "name" and fields["email"]["autocomplete"] == "email"
    assert fields["page"]["aria-describedby"] == "page-hint"
    assert not [
        attr for f in fields.values() for attr in f if attr.startswith("required") and attr != "required"
    ]
    # The same macro draws the request form: its fields stay required, their attributes apart.
    request = form_fields((await api.get("/")).text)
    assert "required" in request["requester_name"] and request["requester_name"]["autocomplete"] == "name"


def test_every_word_of_the_notices_exists_in_both_languages_with_the_same_placeholders() -> None:
    used = {
        key
        for name in ("accessibility.html", "privacy.html", "base.html")
        for key in re.findall(r'\bw\([\'"]([a-z0-9_]+)[\'"]', (TEMPLATES / "web" / name).read_text())
    }
    missing = {key for key in used if not known(f"page.{key}")}
    assert used and not missing, missing  # placeholders and other languages: tests/test_catalogs.py


async def test_a_wrong_feedback_is_refused_field_by_field_and_nothing_is_stored(
    api: httpx.AsyncClient, database_url: str
) -> None:
    before = len(feedback_rows(database_url).all())
    form = {"name": "N" * 121, "email": "nu-e-o-adresa", "page": "p" * 301, "message": "scurt"}

    refused = await api.post(STATEMENT, data=form)

    assert refused.status_code == 422
    page = refused.text
    assert html.escape(text("invalid_input", RO)) in page
    for name, kind in (("name", "string_too_long"), ("email", "value_error"), ("page", "string_too_long")):
        sentence = html.escape(field_sentence(name, kind, RO))
        assert f'<span class="field-error" id="{name}-error">{sentence}</span>' in page, name
        assert f'<a href="#{name}">{sentence}</a>' in page  # the summary at the top links to the field
    short = html.escape(field_sentence("message", "string_too_short", RO, {"min_length": 10}))
    assert f'<span class="field-error" id="message-error">{short}</span>' in page
    assert re.search(r'<textarea id="message"[^>]*aria-describedby="message-hint message-error"', page)
    assert re.search(r'<textarea id="message"[^>]*aria-invalid="true"', page)
    assert re.search(r'id="email"[^>]*value="nu-e-o-adresa"[^>]*aria-describedby="email-error"', page)
    assert ">scurt</textarea>" in page  # what was typed stays
    assert page.count('aria-invalid="true"') == 4
    assert len(feedback_rows(database_url).all()) == before

    empty = await api.post(f"{STATEMENT}?lang=en", data={})
    assert empty.status_code == 422 and '<html lang="en">' in empty.text
    assert html.escape(field_sentence("email", "value_error", EN)) in empty.text
    assert html.escape(field_sentence("message", "string_too_short", EN, {"min_length": 10})) in empty.text
    assert 'id="name-error"' not in empty.text and 'id="page-error"' not in empty.text  # optional
    assert len(feedback_rows(database_url).all()) == before


async def test_a_feedback_is_stored_and_reaches_the_city_by_email(
    stack: Stack, client: Client, mailbox: Mailbox
) -> None:
    marker = uuid.uuid4().hex[:10]
    message = f"Butonul „Trimite cererea” nu se vede în modul contrast ridicat ({marker})."
    form = {
        "name": "Ana Pop",
        "email": f"ana.{marker}@example.ro",
        "page": "pagina de cerere",
        "message": message,
    }

    sent = await stack.api.post(f"{STATEMENT}?lang=en", data=form)

    assert sent.status_code == 303
    assert sent.headers["location"] == f"{STATEMENT}?lang=en&trimis=1#feedback-form"
    thanks = await stack.api.get(sent.headers["location"])
    assert "Your message was sent to the city hall." in thanks.text and 'role="status"' in thanks.text
    (row,) = [r for r in feedback_rows(stack.database_url).all() if marker in r.message]
    assert (row.name, row.email, row.page, row.language) == (
        "Ana Pop",
        form["email"],
        "pagina de cerere",
        "en",
    )
    assert row.erased_at is None and row.id is not None

    to = stack.settings.accessibility_contact_email
    mail = await mailbox.wait_for(lambda m: to in m.recipients and marker in m.text, timeout=20)
    assert f"(nr. {row.id})" in mail.subject
    assert mail.message["Reply-To"] == form["email"]
    assert "Ana Pop" in mail.text and "pagina de cerere" in mail.text and "engleză" in mail.text
    assert f"după {stack.settings.contact_retention_days} de zile" in mail.text

    # The workflow carried the row id only; it finished and marked the row.
    handle = client.get_workflow_handle(feedback_workflow_id(row.id))
    await handle.result()
    history = (await handle.fetch_history()).to_json()
    assert marker not in history and "Ana Pop" not in history
    emailed = [r for r in feedback_rows(stack.database_url).all() if r.id == row.id]
    assert emailed[0].emailed_at is not None


async def test_the_feedback_form_is_rate_limited_per_address(
    env: WorkflowEnvironment, settings: Settings
) -> None:
    async with own_api(env, settings, rate_limit_feedback_per_address="2/minute") as http:
        for _ in range(2):
            assert (await http.post(STATEMENT, data={"message": "x"})).status_code == 422
        refused = await http.post(STATEMENT, data={"message": "x"}, headers={"Accept-Language": "en"})
    assert refused.status_code == 429 and refused.headers["content-type"].startswith("text/html")
    assert text("too_many_requests", EN, detail=refused.headers["Retry-After"]) in html.unescape(refused.text)


@pytest.mark.parametrize("path", [STATEMENT, PRIVACY])
async def test_the_notices_are_not_in_the_api_description(api: httpx.AsyncClient, path: str) -> None:
    """Pages like the other pages: the OpenAPI document (checked by Schemathesis) stays the API's."""
    assert path not in (await api.get("/openapi.json")).json()["paths"]

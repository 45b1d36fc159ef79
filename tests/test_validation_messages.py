"""Bad input is answered in people's words (RO by default, EN on request), and sloppy but right
input is accepted: registration numbers as copied from a slip, phone numbers as people write them.

The 422 cases go over real HTTP to the real app; the sentences come from `http_api/field_messages.py`
and each case checks both languages and that nothing of the validator's own wording (or a regular
expression) reaches the body.
"""

from __future__ import annotations

import html
import re
import uuid
from datetime import datetime
from typing import Any

import httpx
import pytest
from hypothesis import given
from hypothesis import strategies as st
from temporalio.client import Client

from core.catalogs import ids, languages, translations
from domain.models import Citizen, FileRef, Language, TicketInput, TicketStatus
from domain.phone_numbers import dialable_e164
from domain.registration_numbers import (
    INPUT_PATTERN,
    NORMAL_PATTERN,
    is_acceptable_input,
    normalise_registration_number,
)
from http_api import field_messages
from http_api.field_messages import count
from http_api.pages.staff_forms import FormInvalid, in_person_request, resolution_request
from http_api.schemas import TicketRequest
from store.ratings import MAX_COMMENT
from tests.conftest import bucharest_today, handle_for, wait_for_status
from tests.factories import add_file, file_params, staff_headers, ticket_body
from tests.helpers import scheduled_ticket
from tests.test_staff_pages import sign_in
from workflows.blue_ticket import BlueTicketWorkflow

# Clerk no other test books and the seed never draws absent.
CLERK = "c0077"
STAFF_PAGE_CLERK = "c0078"
EN = {"Accept-Language": "en"}
# What pydantic (or a pattern) would have said; none of it may reach a person.
FOREIGN = (
    "String should",
    "Input should",
    "Field required",
    "Extra inputs",
    "value is not a valid",
    "JSON decode",
    "Value error",
    "should have",
    "pattern",
    "regex",
    "^",
    "[0-9",
    "{",
)

# --- sloppy registration numbers ---------------------------------------------------------------------

SLOPPY = ["100001 / 2026", " 100001/2026 ", "100001-2026", "100001.2026", "100001 2026", "100001 \\ 2026"]


@pytest.mark.parametrize("typed", [*SLOPPY, "100001/2026", "\t100001 /2026\n"])
def test_sloppy_registration_numbers_mean_the_registry_form(typed: str) -> None:
    assert normalise_registration_number(typed) == "100001/2026"
    assert is_acceptable_input(typed)
    assert FileRef(registration_number=typed, requester_name="Ioana Pop", filing_date="2026-11-19")


@pytest.mark.parametrize(
    ("typed", "kept"),
    [
        ("TA-2026-000001", "TA-2026-000001"),
        ("104233", "104233"),
        ("1.2.3", "1.2.3"),
        (" AB-12 / X ", "AB-12/X"),
    ],
)
def test_other_numbers_keep_their_dots_and_dashes(typed: str, kept: str) -> None:
    assert normalise_registration_number(typed) == kept


@pytest.mark.parametrize("typed", ["100001 abc", "100001 / 2026 / x y", "/2026", "", "   ", "1" * 41])
def test_what_is_no_registration_number_is_not_accepted(typed: str) -> None:
    assert not is_acceptable_input(typed)


@given(st.from_regex(INPUT_PATTERN, fullmatch=True).filter(lambda s: len(s) <= 40))
def test_every_accepted_input_normalises_to_the_registry_form(typed: str) -> None:
    normal = normalise_registration_number(typed)
    assert re.match(NORMAL_PATTERN, normal), (typed, normal)
    assert normalise_registration_number(normal) == normal


# --- phones ------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "typed",
    ["+40 712 345 678", "+40-712-345-678", "(0712) 345 678", "0712 345 678", "0040712345678", "0712345678"],
)
def test_romanian_mobiles_in_any_usual_writing_are_one_e164_number(typed: str) -> None:
    assert dialable_e164(typed) == "+40712345678"


def test_landlines_and_numbers_from_abroad_are_accepted() -> None:
    assert dialable_e164("0264 596 030") == "+40264596030"
    assert dialable_e164("+44 20 7946 0958") == "+442079460958"


@pytest.mark.parametrize(
    "typed",
    ["      ", "+        ", "000000", "0712", "0712 345 6789", "abc", "0712 345 678 ext. 5", "1" * 31],
)
def test_numbers_that_cannot_be_dialled_are_refused(typed: str) -> None:
    assert dialable_e164(typed) is None


def test_the_api_stores_e164_while_the_domain_still_loads_recorded_numbers() -> None:
    """The API's request turns any usual writing into E.164; the domain `Citizen` keeps accepting
    what recorded tickets hold (tests/histories/*.json: "+40 712 345 678"), so they still replay."""
    request = TicketRequest.model_validate({**GOOD_TICKET, "phone": "+40 712 345 678"})
    assert request.phone == "+40712345678"
    assert Citizen(email="a@example.ro", phone="+40 712 345 678").phone == "+40 712 345 678"
    assert Citizen(email="a@example.ro", phone=request.phone).phone == "+40712345678"


# --- the catalogue -----------------------------------------------------------------------------------


def _placeholders(template: str) -> set[str]:
    return set(re.findall(r"%\((\w+)\)s", template))


def _pairs() -> list[tuple[str, dict[Language, str]]]:
    """Every field sentence of the catalogs (`field.`), in Romanian and English."""
    return [
        (
            key.removeprefix("field.").replace("label.", "label:"),
            {lang: translations(lang).gettext(key) for lang in (Language.RO, Language.EN)},
        )
        for key in ids("field.")
        if key != "field.or"
    ]


@pytest.mark.parametrize(("name", "pair"), _pairs(), ids=[name for name, _ in _pairs()])
def test_every_sentence_has_romanian_and_english_with_the_same_placeholders(
    name: str, pair: dict[Language, str]
) -> None:
    ro, en = pair[Language.RO], pair[Language.EN]
    assert ro.strip() and en.strip() and (ro != en or name.startswith("label:"))
    assert _placeholders(ro) == _placeholders(en)
    assert "ş" not in ro and "ţ" not in ro, "comma-below ș/ț, not the cedilla forms"
    assert not set("ăâîșțĂÂÎȘȚ") & set(en)


@pytest.mark.parametrize(
    ("n", "ro", "en"),
    [
        (1, "1 caracter", "1 character"),
        (3, "3 caractere", "3 characters"),
        (19, "19 caractere", "19 characters"),
        (20, "20 de caractere", "20 characters"),
        (101, "101 caractere", "101 characters"),
        (120, "120 de caractere", "120 characters"),
        (8000, "8.000 de caractere", "8,000 characters"),
    ],
)
def test_counts_read_as_romanian_and_english(n: int, ro: str, en: str) -> None:
    assert count(n, "characters", Language.RO) == ro
    assert count(n, "characters", Language.EN) == en


def test_allowed_values_are_listed_in_the_language() -> None:
    expected = "'webex', 'phone' or 'in_person'"
    assert field_messages.allowed_values(expected, Language.RO) == "webex, phone sau in_person"
    assert field_messages.allowed_values(expected, Language.EN) == "webex, phone or in_person"


# --- the 422 answers over HTTP -----------------------------------------------------------------------

SLOT = "2030-01-07T08:30:00+02:00"
GOOD_TICKET: dict[str, Any] = {
    "registration_number": "100001/2026",
    "requester_name": "Ioana Pop",
    "filing_date": "2026-11-19",
    "slot_start": SLOT,
    "phone": "0712 345 678",
    "email": "ioana.pop@example.ro",
}
GOOD_RESOLUTION: dict[str, Any] = {"conclusions": "Dosarul este complet.", "category": "clarified"}
STAFF = "/staff/tickets/tichet-nu-exista"
RATING = "/bilet/tichet-nu-exista/rating?cheie=xxxxxxxxxxxx"
REG_RO = "Numărul de înregistrare are forma 100001/2026: numărul, o bară și anul"
REG_EN = "The registration number looks like 100001/2026: the number, a slash and the year"
PHONE_RO = "Scrieți un număr de telefon la care vă putem suna, de exemplu 0712 345 678"
PHONE_EN = "Write a phone number we can call, for example 0712 345 678"


def ticket(**changes: Any) -> dict[str, Any]:
    body = {**GOOD_TICKET, **changes}
    return {k: v for k, v in body.items() if v is not None}


# (id, method, path, json body or query, field, Romanian sentence (or its start), English one)
CASES: list[tuple[str, str, str, Any, str, str, str]] = [
    (
        "number-word",
        "POST",
        "/tickets",
        ticket(registration_number="100001 abc"),
        "registration_number",
        REG_RO,
        REG_EN,
    ),
    (
        "number-long",
        "POST",
        "/tickets",
        ticket(registration_number="1" * 41),
        "registration_number",
        REG_RO,
        REG_EN,
    ),
    (
        "number-int",
        "POST",
        "/tickets",
        ticket(registration_number=100001),
        "registration_number",
        REG_RO,
        REG_EN,
    ),
    (
        "name-short",
        "POST",
        "/tickets",
        ticket(requester_name="I"),
        "requester_name",
        "Scrieți numele complet al solicitantului, ca pe cerere (între 2 și 120 de caractere).",
        "Write the applicant's full name as on the application (2 to 120 characters).",
    ),
    (
        "filing-date",
        "POST",
        "/tickets",
        ticket(filing_date="ieri"),
        "filing_date",
        "Data depunerii este ziua în care ați depus cererea, scrisă 2026-11-19 (an-lună-zi)",
        "The filing date is the day you filed the application, written 2026-11-19 (year-month-day)",
    ),
    (
        "slot",
        "POST",
        "/tickets",
        ticket(slot_start="mâine"),
        "slot_start",
        "Alegeți unul dintre intervalele oferite",
        "Choose one of the slots offered",
    ),
    (
        "email",
        "POST",
        "/tickets",
        ticket(email="nu-e-email"),
        "email",
        "Adresa de e-mail are forma nume@exemplu.ro",
        "An email address looks like name@example.ro",
    ),
    ("phone-blank", "POST", "/tickets", ticket(phone="      "), "phone", PHONE_RO, PHONE_EN),
    ("phone-plus", "POST", "/tickets", ticket(phone="+        "), "phone", PHONE_RO, PHONE_EN),
    ("phone-zeros", "POST", "/tickets", ticket(phone="000000"), "phone", PHONE_RO, PHONE_EN),
    ("phone-short", "POST", "/tickets", ticket(phone="0712"), "phone", PHONE_RO, PHONE_EN),
    ("phone-letters", "POST", "/tickets", ticket(phone="abc"), "phone", PHONE_RO, PHONE_EN),
    (
        "channel",
        "POST",
        "/tickets",
        ticket(channel="fax"),
        "channel",
        "Alegeți cum are loc întâlnirea: webex (online), phone (la telefon) sau in_person (la sediu).",
        "Choose how you meet: webex (online), phone, or in_person (at the city hall).",
    ),
    (
        "language",
        "POST",
        "/tickets",
        ticket(language="fr"),
        "language",
        # the catalogs present, whatever they are: ro and en always, hu as shipped
        f"Limba poate fi: {', '.join(languages()[:-1])} sau {languages()[-1]}.",
        f"The language can be: {', '.join(languages()[:-1])} or {languages()[-1]}.",
    ),
    (
        "after-window",
        "POST",
        "/tickets",
        ticket(accept_after_window="poate"),
        "accept_after_window",
        "Acceptarea unui interval de după fereastra de 48 de ore este true (da) sau false (nu).",
        "Accepting a slot after the 48-hour window is true (yes) or false (no).",
    ),
    (
        "missing",
        "POST",
        "/tickets",
        ticket(email=None),
        "email",
        "Completați câmpul „E-mail”.",
        "Please fill in “Email”.",
    ),
    (
        "extra",
        "POST",
        "/tickets",
        ticket(level=1),
        "level",
        "Câmpul „level” nu face parte din această cerere; nu îl trimiteți.",
        "“level” is not part of this request; leave it out.",
    ),
    (
        "slots-number",
        "GET",
        "/slots",
        {"registration_number": "100001 abc", "requester_name": "Ioana Pop", "filing_date": "2026-11-19"},
        "registration_number",
        REG_RO,
        REG_EN,
    ),
    (
        "slots-date",
        "GET",
        "/slots",
        {"registration_number": "100001/2026", "requester_name": "Ioana Pop", "filing_date": "19.11.2026"},
        "filing_date",
        "Data depunerii este ziua",
        "The filing date is the day",
    ),
    (
        "slots-missing-name",
        "GET",
        "/slots",
        {"registration_number": "100001/2026", "filing_date": "2026-11-19"},
        "requester_name",
        "Completați câmpul „Numele solicitantului”.",
        "Please fill in “Applicant's name”.",
    ),
    (
        "conclusions-short",
        "POST",
        f"{STAFF}/resolution",
        {**GOOD_RESOLUTION, "conclusions": "Scurt"},
        "conclusions",
        "Concluziile au cel puțin 10 caractere: scrieți ce s-a stabilit la întâlnire.",
        "The conclusions need at least 10 characters: write what the meeting settled.",
    ),
    (
        "conclusions-long",
        "POST",
        f"{STAFF}/resolution",
        {**GOOD_RESOLUTION, "conclusions": "x" * 8001},
        "conclusions",
        "Concluziile au cel mult 8.000 de caractere; textul trimis are 8.001 caractere.",
        "The conclusions have at most 8,000 characters; the text sent has 8,001 characters.",
    ),
    (
        "category",
        "POST",
        f"{STAFF}/resolution",
        {**GOOD_RESOLUTION, "category": "bun"},
        "category",
        "Alegeți categoria rezoluției, una dintre: clarified, documents_requested, in_progress, "
        "redirected sau not_possible.",
        "Choose the resolution's category, one of: clarified, documents_requested, in_progress, "
        "redirected or not_possible.",
    ),
    (
        "documents-many",
        "POST",
        f"{STAFF}/resolution",
        {**GOOD_RESOLUTION, "documents_needed": [{"title": f"Act {n}", "original": True} for n in range(31)]},
        "documents_needed",
        "O rezoluție poate cere cel mult 30 de documente.",
        "A resolution can ask for at most 30 documents.",
    ),
    (
        "document-title",
        "POST",
        f"{STAFF}/resolution",
        {**GOOD_RESOLUTION, "documents_needed": [{"title": "X", "original": True}]},
        "documents_needed.0.title",
        "Titlul fiecărui document are între 2 și 200 de caractere.",
        "Each document's title has 2 to 200 characters.",
    ),
    (
        "outcome",
        "POST",
        f"{STAFF}/outcome",
        {"outcome": "poate"},
        "outcome",
        "Alegeți ce s-a întâmplat la întâlnire, una dintre: held, citizen_no_show, clerk_no_show sau "
        "cancelled.",
        "Choose what happened at the meeting, one of: held, citizen_no_show, clerk_no_show or cancelled.",
    ),
    (
        "note",
        "POST",
        f"{STAFF}/outcome",
        {"outcome": "held", "note": "x" * 2001},
        "note",
        "Nota este un text de cel mult 2 000 de caractere.",
        "The note is a text of at most 2,000 characters.",
    ),
    (
        "reason",
        "POST",
        f"{STAFF}/reschedule",
        {"slot_start": SLOT, "reason": "ok"},
        "reason",
        "Scrieți motivul în câteva cuvinte (cel puțin 3 caractere); cetățeanul îl va citi.",
        "Give the reason in a few words (at least 3 characters); the citizen will read it.",
    ),
    (
        "assignee",
        "POST",
        f"{STAFF}/assign",
        {"assignee_id": ""},
        "assignee_id",
        "Alegeți funcționarul din direcție care preia tichetul.",
        "Choose the department's clerk who takes the ticket.",
    ),
    (
        "in-person",
        "POST",
        f"{STAFF}/in-person",
        {"accept": "poate"},
        "accept",
        "Răspundeți cu true (întâlnirea are loc la sediu) sau false (are loc pe Webex).",
        "Answer true (meet at the city hall) or false (meet on Webex).",
    ),
    (
        "stars-range",
        "POST",
        RATING,
        {"stars": 6},
        "stars",
        "Nota este un număr întreg de stele, de la 1 la 5.",
        "The rating is a whole number of stars, from 1 to 5.",
    ),
    (
        "stars-text",
        "POST",
        RATING,
        {"stars": "5"},
        "stars",
        "Nota este un număr întreg de stele, de la 1 la 5.",
        "The rating is a whole number of stars, from 1 to 5.",
    ),
    (
        "comment",
        "POST",
        RATING,
        {"stars": 5, "comment": "x" * (MAX_COMMENT + 1)},
        "comment",
        f"Comentariul are cel mult {count(MAX_COMMENT, 'characters', Language.RO)}.",
        f"The comment has at most {count(MAX_COMMENT, 'characters', Language.EN)}.",
    ),
    (
        "key",
        "GET",
        "/bilet/tichet-nu-exista",
        {"cheie": "abc"},
        "cheie",
        "Linkul nu este complet: deschideți-l sau copiați-l întreg din e-mail.",
        "The link is incomplete: open it, or copy all of it, from the email.",
    ),
]


async def _send(
    api: httpx.AsyncClient, method: str, path: str, data: Any, headers: dict[str, str]
) -> httpx.Response:
    headers = {**headers, **(staff_headers("c0001") if path.startswith("/staff/") else {})}
    if method == "GET":
        return await api.get(path, params=data, headers=headers)
    return await api.post(path, json=data, headers=headers)


@pytest.mark.parametrize(
    ("case", "method", "path", "data", "field", "ro", "en"), CASES, ids=[c[0] for c in CASES]
)
async def test_each_mistake_gets_a_human_sentence_in_romanian_and_english(
    api: httpx.AsyncClient, case: str, method: str, path: str, data: Any, field: str, ro: str, en: str
) -> None:
    for headers, sentence, message in (
        ({}, ro, "Datele trimise nu sunt valide."),
        (EN, en, "The data you sent is not valid."),
    ):
        response = await _send(api, method, path, data, headers)
        assert response.status_code == 422, response.text
        body = response.json()
        assert set(body) == {"code", "message", "fields"}, body
        assert body["code"] == "invalid_input" and body["message"] == message
        problems = {f["field"]: f["problem"] for f in body["fields"]}
        assert field in problems, body
        assert problems[field].startswith(sentence), (problems[field], sentence)
        for foreign in FOREIGN:
            assert all(foreign not in p for p in problems.values()), (foreign, problems)
        assert "String should" not in response.text and "pattern" not in response.text


async def test_a_broken_json_body_is_said_so(api: httpx.AsyncClient) -> None:
    for headers, sentence in (
        ({}, "Datele trimise nu sunt un JSON valid: verificați acoladele, ghilimelele și virgulele."),
        (EN, "The data sent is not valid JSON: check the braces, quotes and commas."),
    ):
        response = await api.post(
            "/tickets",
            content=b'{"registration_number": ',
            headers={**headers, "Content-Type": "application/json"},
        )
        assert response.status_code == 422
        assert response.json()["fields"] == [{"field": "body", "problem": sentence}]
        assert "JSON decode" not in response.text and "Expecting" not in response.text


# --- sloppy but right input over HTTP: accepted and stored in the normal form ---------------------


async def test_a_sloppy_number_and_phone_book_a_ticket_holding_the_normal_forms(
    api: httpx.AsyncClient, client: Client, database_url: str
) -> None:
    ref = add_file(database_url, bucharest_today(), handler_id=CLERK)
    number, year = ref.registration_number.split("/")
    sloppy = f"  {number} - {year} "
    slots = await api.get("/slots", params={**file_params(ref), "registration_number": sloppy})
    assert slots.status_code == 200, slots.text
    assert slots.json()["registration_number"] == ref.registration_number
    start = slots.json()["slots"][0]["start"]

    email = f"sloppy-{uuid.uuid4().hex[:6]}@example.ro"
    body = ticket_body(ref, start, email, registration_number=sloppy, phone="(0712) 345-678")
    accepted = await api.post("/tickets", json=body)

    assert accepted.status_code == 202, accepted.text
    assert accepted.json()["workflow_id"] == f"tichet-{number}_{year}"
    history = await handle_for(client, accepted.json()["workflow_id"]).fetch_history()
    started = history.events[0].workflow_execution_started_event_attributes
    [stored] = await client.data_converter.decode(started.input.payloads, [TicketInput])
    assert isinstance(stored, TicketInput)
    assert stored.file.registration_number == ref.registration_number
    assert stored.citizen.phone == "+40712345678"
    view = await wait_for_status(handle_for(client, accepted.json()["workflow_id"]), TicketStatus.SCHEDULED)
    assert (
        view.slot_start == datetime.fromisoformat(start)
        and view.registration_number == ref.registration_number
    )


# --- the web forms: the same sentence next to the field --------------------------------------------


async def test_the_request_form_says_next_to_each_field_what_is_wrong(
    api: httpx.AsyncClient, database_url: str
) -> None:
    ref = add_file(database_url, bucharest_today(), handler_id=CLERK)
    bad = await api.get(
        "/alege", params={**file_params(ref), "registration_number": "100001 abc", "lang": "ro"}
    )
    assert bad.status_code == 422
    assert f'<span class="field-error" id="registration_number-error">{html.escape(REG_RO)}' in bad.text
    assert 'aria-describedby="registration_number-hint registration_number-error"' in bad.text
    assert 'value="100001 abc"' in bad.text, "what was typed stays"

    number, year = ref.registration_number.split("/")
    sloppy = await api.get("/alege", params={**file_params(ref), "registration_number": f"{number} {year}"})
    assert sloppy.status_code == 200, "a sloppy copy of the right number finds the file"
    slot = re.findall(r'name="slot_start" value="([^"]+)"', sloppy.text)[0]

    form = {**file_params(ref), "slot_start": slot, "channel": "webex", "email": "a@example.ro"}
    for phone in ("000000", "+        "):
        refused = await api.post("/cerere?lang=en", data={**form, "phone": phone})
        assert refused.status_code == 422
        assert f'<span class="field-error" id="phone-error">{html.escape(PHONE_EN)}' in refused.text
        assert "String should" not in refused.text


def test_the_clerks_forms_carry_the_same_sentences() -> None:
    form = {"conclusions": "Scurt", "category": "", "doc_title_1": "X"}
    with pytest.raises(FormInvalid) as refused:
        resolution_request(form)
    ro, en = refused.value.sentences(Language.RO), refused.value.sentences(Language.EN)
    assert refused.value.fields == ["conclusions", "category", "doc_title_1"]
    assert ro["conclusions"] == "Concluziile au cel puțin 10 caractere: scrieți ce s-a stabilit la întâlnire."
    assert en["conclusions"] == "The conclusions need at least 10 characters: write what the meeting settled."
    assert ro["category"] == "Alegeți categoria rezoluției din listă."
    assert ro["doc_title_1"] == "Titlul fiecărui document are între 2 și 200 de caractere."
    with pytest.raises(FormInvalid) as undecided:
        in_person_request({"accept": "poate"})
    assert undecided.value.sentences(Language.EN) == {
        "accept": "Choose whether to meet at the city hall or on Webex."
    }


async def test_the_clerks_page_says_next_to_each_field_what_is_wrong(
    api: httpx.AsyncClient, client: Client, database_url: str
) -> None:
    requested, view = await scheduled_ticket(api, client, database_url, handler_id=STAFF_PAGE_CLERK)
    async with httpx.AsyncClient(base_url=api.base_url, timeout=30) as browser:
        await sign_in(browser, STAFF_PAGE_CLERK)
        path = f"/personal/tichete/{requested.workflow_id}"
        page = await browser.get(path)
        csrf = re.search(r'name="csrf" value="([^"]+)"', page.text)
        assert csrf is not None

        refused = await browser.post(
            f"{path}/muta?lang=ro", data={"csrf": csrf.group(1), "slot_start": "", "reason": "ok"}
        )

    assert refused.status_code == 422
    reason = "Scrieți motivul în câteva cuvinte (cel puțin 3 caractere); cetățeanul îl va citi."
    slot = "Alegeți unul dintre intervalele libere."
    assert f'<span class="field-error" id="reason-error">{html.escape(reason)}</span>' in refused.text
    assert f'<span class="field-error" id="slot_start-error">{html.escape(slot)}</span>' in refused.text
    assert ">ok</textarea>" in refused.text, "what was typed stays"
    assert "String should" not in refused.text
    assert (await requested.handle.query(BlueTicketWorkflow.status)).slot_start == view.slot_start

"""Every word the citizen pages print, in Romanian and English, and how a page picks its language.

The sentences the API already returns (refusals, "no matching file") stay in `domain.messages`, so a
citizen reads the same sentence on the page as in the API's JSON; only page furniture lives here.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Final
from zoneinfo import ZoneInfo

from fastapi import Request

from domain.messages import MESSAGES, text
from domain.models import Channel, Language, Level, Outcome, TicketStatus
from http_api.pages.notice_words import NOTICE_WORDS

_RO, _EN = Language.RO, Language.EN

WORDS: Final[dict[str, tuple[str, str]]] = {
    "app_name": ("Tichet albastru", "Blue ticket"),
    "tagline": (
        "O discuție online de 15 minute cu funcționarul care se ocupă de dosarul dumneavoastră.",
        "A 15-minute online talk with the clerk who handles your file.",
    ),
    "switch_to": ("English", "Română"),
    "skip": ("Salt la conținut", "Skip to content"),
    "no_account": (
        "Nu aveți nevoie de cont. Introduceți datele dosarului exact cum apar pe numărul de înregistrare.",
        "You need no account. Enter your file's details exactly as on its registration slip.",
    ),
    "step1_title": ("Cereți un tichet albastru", "Ask for a blue ticket"),
    "step2_title": ("Alegeți ora și modul de întâlnire", "Choose a time and how to meet"),
    "registration_number": ("Număr de înregistrare", "Registration number"),
    "registration_number_hint": ("de exemplu 100001/2026", "for example 100001/2026"),
    "requester_name": ("Numele complet al solicitantului", "Full name of the applicant"),
    "filing_date": ("Data depunerii", "Filing date"),
    "see_slots": ("Vezi intervalele libere", "See free slots"),
    "file_for": ("Dosarul nr.", "File no."),
    "change_file": ("Alt dosar", "Another file"),
    "free_slots": ("Intervale libere (ora României)", "Free slots (Romanian time)"),
    "slot_with": ("cu", "with"),
    "channel": ("Cum doriți să vă întâlniți", "How would you like to meet"),
    "channel_webex": ("Video, pe Webex (recomandat)", "Video, on Webex (recommended)"),
    "channel_phone": ("Telefonic", "By phone"),
    "channel_in_person": ("La sediul primăriei", "At the city hall"),
    "in_person_note": (
        "Întâlnirea la sediu este o ultimă soluție: alegeți-o doar dacă nu puteți folosi video "
        "sau telefonul.",
        "Meeting at the city hall is a last resort: choose it only if you cannot use video or the phone.",
    ),
    "phone": ("Telefon", "Phone"),
    "phone_hint": (
        "Vă sunăm la acest număr dacă alegeți telefonul sau dacă apare o problemă.",
        "We call this number if you choose the phone, or if something goes wrong.",
    ),
    "email": ("E-mail", "Email"),
    "email_hint": (
        "Aici primiți confirmarea, linkul secret și rezoluția.",
        "Your confirmation, secret link and resolution are sent here.",
    ),
    "submit_request": ("Trimite cererea", "Send the request"),
    "recording_note": (
        "Întâlnirile sunt înregistrate și arhivate, conform regulamentului.",
        "Meetings are recorded and archived, as the rules require.",
    ),
    "check_fields": ("Verificați câmpurile:", "Please check:"),
    "slot_start": ("Intervalul", "Slot"),
    "confirm_title": ("Cererea a fost primită", "Your request was received"),
    "confirm_body": (
        "Vă trimitem imediat pe e-mail confirmarea programării, cu linkul întâlnirii și o invitație "
        "de calendar.",
        "We are emailing you the booking confirmation right away, with the meeting link and a "
        "calendar invitation.",
    ),
    "secret_link": ("Linkul dumneavoastră secret", "Your secret link"),
    "secret_link_note": (
        "Oricine are acest link poate vedea și anula tichetul. Nu îl trimiteți altcuiva.",
        "Anyone with this link can see and cancel the ticket. Do not share it.",
    ),
    "open_ticket": ("Vedeți tichetul", "See your ticket"),
    "ticket_title": ("Tichetul dumneavoastră", "Your ticket"),
    "status": ("Stare", "Status"),
    "file": ("Dosar", "File"),
    "meet_with": ("Vă întâlniți cu", "You meet"),
    "with_whom": ("Cu cine", "With whom"),
    "when": ("Când", "When"),
    "how": ("Cum", "How"),
    "join_webex": ("Intrați în întâlnirea Webex", "Join the Webex meeting"),
    "webex_pending": ("Linkul Webex apare aici după programare.", "The Webex link appears here once booked."),
    "we_call": ("Vă sunăm la numărul", "We will call you at"),
    "at_city_hall": ("La sediul primăriei.", "At the city hall."),
    "outcome": ("Rezultatul întâlnirii", "Meeting outcome"),
    "document_number": ("Numărul rezoluției", "Resolution number"),
    "document_note": ("Rezoluția v-a fost trimisă pe e-mail.", "The resolution was emailed to you."),
    "timeline": ("Istoric", "History"),
    "cancel_title": ("Anulați programarea", "Cancel the booking"),
    "cancel_reason": ("Motivul (opțional)", "Reason (optional)"),
    "cancel_button": ("Anulează tichetul", "Cancel the ticket"),
    "choose_title": ("Alegeți un alt interval", "Choose another slot"),
    "choose_button": ("Rezervă intervalul ales", "Book the chosen slot"),
    "escalate_title": ("Nu sunteți mulțumit(ă)?", "Not satisfied?"),
    "escalate_intro": (
        "Puteți cere o întâlnire cu {level}, până la {deadline}.",
        "You can ask to meet {level}, until {deadline}.",
    ),
    "escalate_button": ("Cere întâlnirea", "Ask for the meeting"),
    "done_cancel": ("Am primit anularea.", "We received your cancellation."),
    "done_slot": ("Am primit intervalul ales.", "We received your chosen slot."),
    "done_escalate": ("Am primit cererea de escaladare.", "We received your escalation request."),
    "done_rating": ("Vă mulțumim pentru evaluare.", "Thank you for your rating."),
    "rate_title": ("Cum a fost întâlnirea?", "How was the meeting?"),
    "rate_stars": ("Nota (1 = slab, 5 = foarte bine)", "Your rating (1 = poor, 5 = excellent)"),
    "rate_star": ("{n} din 5", "{n} out of 5"),
    "rate_comment": ("Comentariu (opțional)", "Comment (optional)"),
    "rate_button": ("Trimite evaluarea", "Send the rating"),
    "my_data_title": ("Datele dumneavoastră", "Your data"),
    "my_data_intro": (
        "Puteți descărca tot ce păstrează primăria despre acest tichet (JSON).",
        "You can download everything the city hall keeps about this ticket (JSON).",
    ),
    "my_data_download": ("Descarcă datele mele", "Download my data"),
    "erase_intro": (
        "Tichetul este închis: puteți cere ștergerea datelor de contact (nume, e-mail, telefon). "
        "Dosarul, rezoluția înregistrată și înregistrarea întâlnirii rămân în arhivă, cum cere legea; "
        "după ștergere acest link nu mai deschide tichetul.",
        "The ticket is closed: you can ask for your contact data (name, email, phone) to be erased. "
        "The file, the registered resolution and the meeting's recording stay in the archive, as the "
        "law requires; after erasure this link no longer opens the ticket.",
    ),
    "erase_button": ("Șterge datele mele de contact", "Erase my contact data"),
    "back_home": ("Înapoi la prima pagină", "Back to the first page"),
    "error_title": ("Nu am putut afișa pagina", "We could not show this page"),
    "refresh_note": ("Starea se actualizează când reîncărcați pagina.", "Reload the page to see updates."),
    "rejected_because": ("Motivul", "Reason"),
    **NOTICE_WORDS,  # the accessibility statement and the privacy notice (issue 12)
}

STATUS: Final[dict[TicketStatus, tuple[str, str]]] = {
    TicketStatus.VALIDATING: ("Verificăm dosarul", "We are checking your file"),
    TicketStatus.REJECTED: ("Cererea nu a putut fi primită", "The request could not be accepted"),
    TicketStatus.ASSIGNING: ("Căutăm funcționarul care are dosarul", "Finding the clerk who has your file"),
    TicketStatus.AWAITING_ASSIGNMENT: (
        "Directorul desemnează un funcționar",
        "The director is choosing a clerk",
    ),
    TicketStatus.BOOKING: ("Rezervăm intervalul ales", "Booking your slot"),
    TicketStatus.AWAITING_SLOT: (
        "Așteptăm să alegeți un alt interval",
        "Waiting for you to choose another slot",
    ),
    TicketStatus.AWAITING_CLERK_ACCEPTANCE: (
        "Funcționarul decide dacă vă poate primi la sediu (altfel: Webex)",
        "The clerk is deciding whether to meet you at the city hall (otherwise: Webex)",
    ),
    TicketStatus.SCHEDULED: ("Programat", "Scheduled"),
    TicketStatus.AWAITING_OUTCOME: (
        "Întâlnirea este în curs sau tocmai s-a încheiat",
        "The meeting is under way or has just ended",
    ),
    TicketStatus.AWAITING_RESOLUTION: ("Funcționarul scrie rezoluția", "The clerk is writing the resolution"),
    TicketStatus.RESOLVING: ("Rezoluția se înregistrează", "The resolution is being registered"),
    TicketStatus.RESOLVED: ("Rezoluția a fost emisă", "The resolution was issued"),
    TicketStatus.CANCELLED: ("Anulat", "Cancelled"),
    TicketStatus.CLOSED: ("Încheiat", "Closed"),
}

CHANNELS: Final[dict[Channel, str]] = {
    Channel.WEBEX: "channel_webex",
    Channel.PHONE: "channel_phone",
    Channel.IN_PERSON: "channel_in_person",
}

LEVELS: Final[dict[Level, tuple[str, str]]] = {
    Level.CLERK: ("funcționarul care are dosarul", "the clerk handling the file"),
    Level.DIRECTOR: ("directorul de serviciu", "the service director"),
    Level.DEPUTY_MAYOR: ("viceprimarul", "the deputy mayor"),
    Level.MAYOR: ("primarul", "the mayor"),
}

OUTCOMES: Final[dict[Outcome, tuple[str, str]]] = {
    Outcome.HELD: ("Întâlnirea a avut loc", "The meeting took place"),
    Outcome.CITIZEN_NO_SHOW: ("Nu v-ați prezentat", "You did not attend"),
    Outcome.CLERK_NO_SHOW: ("Funcționarul nu s-a prezentat", "The clerk did not attend"),
    Outcome.CANCELLED: ("Anulată", "Cancelled"),
}

# Timeline steps: `http_api.citizen_timeline` (shared with the JSON from the link).

_WEEKDAYS = (
    ("luni", "marți", "miercuri", "joi", "vineri", "sâmbătă", "duminică"),
    ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"),
)
_MONTHS = (
    ("ianuarie", "februarie", "martie", "aprilie", "mai", "iunie", "iulie", "august", "septembrie",
     "octombrie", "noiembrie", "decembrie"),
    ("January", "February", "March", "April", "May", "June", "July", "August", "September", "October",
     "November", "December"),
)  # fmt: skip


def _pick(pair: tuple[str, str], lang: Language) -> str:
    return pair[1] if lang == _EN else pair[0]


def word(key: str, lang: Language) -> str:
    return _pick(WORDS[key], lang)


def status_phrase(status: TicketStatus, lang: Language) -> str:
    return _pick(STATUS[status], lang)


def channel_phrase(channel: Channel, lang: Language) -> str:
    return word(CHANNELS[channel], lang)


def level_name(level: Level, lang: Language) -> str:
    return _pick(LEVELS[level], lang)


def outcome_phrase(outcome: Outcome, lang: Language) -> str:
    return _pick(OUTCOMES[outcome], lang)


def day_heading(day: date, lang: Language) -> str:
    """Written out ("joi, 3 decembrie 2026"): a bare date is easy to misread across a weekend."""
    i = 1 if lang == _EN else 0
    return f"{_WEEKDAYS[i][day.weekday()]}, {day.day} {_MONTHS[i][day.month - 1]} {day.year}"


def moment(instant: datetime, lang: Language, zone: str) -> str:
    """An instant as the pages write it, in the city's time: "joi, 3 decembrie 2026, 10:30"."""
    local = instant.astimezone(ZoneInfo(zone))
    return f"{day_heading(local.date(), lang)}, {local:%H:%M}"


def sentence(code: str, lang: Language, detail: str = "") -> str:
    """A `domain.messages` sentence; codes outside it (a crafted `?eroare=`) fall back to the
    generic invalid-input sentence, so a URL can never put arbitrary text on the page."""
    if code not in MESSAGES:
        code = "invalid_input"
    return text(code, lang, detail=detail) if "{detail}" in MESSAGES[code][_RO] else text(code, lang)


def page_language(request: Request, default: Language = _RO) -> Language:
    """`?lang=` (what the switch link sets, carried in every form action and redirect) wins over the
    browser's Accept-Language, which wins over `default` (a ticket's page: the language the citizen
    asked in)."""
    asked = request.query_params.get("lang", "").lower()
    if asked in (_RO.value, _EN.value):
        return Language(asked)
    header = request.headers.get("accept-language", "").strip().lower()
    if header.startswith("en"):
        return _EN
    return _RO if header.startswith("ro") else default

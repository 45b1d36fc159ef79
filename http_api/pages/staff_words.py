"""Every word the clerks' pages print, in Romanian and English.

Kept apart from `words.py` (the citizen's furniture) because the two audiences need different
sentences for the same thing: a citizen reads "The clerk is writing the resolution", the clerk reads
"Waiting for the resolution". Refusals and errors still come from `domain.messages`, like the API's.
"""

from __future__ import annotations

from typing import Final

from domain.models import Channel, Language, Level, Outcome, ResolutionCategory, TicketStatus

Pair = tuple[str, str]

WORDS: Final[dict[str, Pair]] = {
    "staff_area": ("Spațiul personalului", "Staff area"),
    "login_title": ("Intrare pentru personalul primăriei", "Sign in for city hall staff"),
    "login_intro": (
        "Introduceți tokenul personal primit de la administratorul aplicației. Sesiunea durează 8 ore.",
        "Enter the personal token you received from the app's administrator. The session lasts 8 hours.",
    ),
    "token": ("Token personal", "Personal token"),
    "login_button": ("Intră", "Sign in"),
    "logout_button": ("Ieșire", "Sign out"),
    "signed_in_as": ("Conectat(ă) ca", "Signed in as"),
    "signed_out": ("Ați ieșit din aplicație.", "You have signed out."),
    "my_tickets": ("Tichetele mele", "My tickets"),
    "my_tickets_intro": (
        "Tichetele deschise care vă sunt repartizate. Un tichet tocmai cerut apare după câteva secunde.",
        "The open tickets assigned to you. A ticket requested just now appears after a few seconds.",
    ),
    "no_tickets": ("Nu aveți tichete deschise.", "You have no open tickets."),
    "to_assign": ("De repartizat în direcția dumneavoastră", "To assign in your department"),
    "no_meeting_time": ("fără oră stabilită", "no time set"),
    "back_to_list": ("Înapoi la tichetele mele", "Back to my tickets"),
    "ticket_title": ("Tichet albastru", "Blue ticket"),
    "status": ("Starea", "Status"),
    "file": ("Dosarul", "File"),
    "level": ("Nivelul", "Level"),
    "when": ("Întâlnirea", "Meeting"),
    "how": ("Modul", "How"),
    "assignee": ("Repartizat lui", "Assigned to"),
    "outcome": ("Rezultatul", "Outcome"),
    "document_number": ("Nr. rezoluției", "Resolution no."),
    "join_webex": ("Intră în întâlnirea Webex", "Join the Webex meeting"),
    "phone": ("Telefon", "Phone"),
    # A citizen's email that bounced or was refused (issue 12).
    "email_failed": (
        "E-mailul către cetățean nu a putut fi livrat.",
        "The email to the citizen could not be delivered.",
    ),
    "email_failed_call": (
        "Sunați cetățeanul și spuneți-i ce conținea; numărul dat în cerere:",
        "Phone the citizen and tell them what it said; the number they gave:",
    ),
    "email_failed_no_phone": (
        "Cererea nu are un număr de telefon: anunțați serviciul relații cu publicul.",
        "The request has no phone number: tell the public relations office.",
    ),
    "timeline": ("Istoric", "History"),
    "refresh_note": ("Starea se actualizează când reîncărcați pagina.", "Reload the page to see updates."),
    "outcome_title": ("Cum a decurs întâlnirea", "How the meeting went"),
    "outcome_note": ("Observații (opțional)", "Note (optional)"),
    "outcome_button": ("Înregistrează rezultatul", "Record the outcome"),
    "resolution_title": ("Rezoluția", "Resolution"),
    "conclusions": ("Concluziile întâlnirii", "What the meeting concluded"),
    "conclusions_hint": (
        "Între 10 și 8 000 de caractere. Cetățeanul le primește în documentul PDF.",
        "10 to 8,000 characters. The citizen receives them in the PDF document.",
    ),
    "category": ("Rezultatul pentru dosar", "Result for the file"),
    "documents": (
        "Documente pe care cetățeanul trebuie să le aducă (opțional)",
        "Documents still needed (optional)",
    ),
    "document_title": ("Documentul {n}: denumirea", "Document {n}: title"),
    "document_form": ("Documentul {n}: forma", "Document {n}: form"),
    "documents_hint": (
        "Originalul se depune la registratură sau la funcționar; o copie se poate trimite pe e-mail.",
        "An original goes to the registry or the clerk; a copy may be sent by email.",
    ),
    "document_original": ("Original", "Original"),
    "document_copy": ("Copie", "Copy"),
    "resolution_button": ("Emite rezoluția", "Issue the resolution"),
    "reschedule_title": ("Mutați întâlnirea", "Move the meeting"),
    "new_slot": ("Noul interval (ora României)", "New slot (Romanian time)"),
    "reason": ("Motivul (îl citește cetățeanul)", "Reason (the citizen reads it)"),
    "reschedule_button": ("Mută întâlnirea", "Move the meeting"),
    "in_person_title": ("Cetățeanul cere întâlnirea la sediu", "The citizen asks to meet at the city hall"),
    "in_person_intro": (
        "Dacă refuzați, întâlnirea are loc pe Webex.",
        "If you decline, the meeting is held on Webex.",
    ),
    "accept_in_person": ("Accept întâlnirea la sediu", "Accept meeting in person"),
    "decline_in_person": ("Refuz: întâlnirea are loc pe Webex", "Decline: meet on Webex"),
    "assign_title": ("Alegeți funcționarul", "Pick the clerk"),
    "assign_intro": (
        "Funcționarul care are dosarul lipsește în ziua cerută și nu are înlocuitor.",
        "The clerk handling the file is absent on the requested day and has no substitute.",
    ),
    "clerk": ("Funcționarul", "Clerk"),
    "absent_that_day": ("absent(ă) în ziua întâlnirii", "absent on the meeting's day"),
    "assign_button": ("Repartizează", "Assign"),
    "done_outcome": ("Rezultatul întâlnirii a fost înregistrat.", "The meeting's outcome was recorded."),
    "done_resolution": (
        "Rezoluția a fost trimisă: documentul se înregistrează și pleacă la cetățean.",
        "The resolution was submitted: the document is being registered and sent to the citizen.",
    ),
    "done_reschedule": (
        "Întâlnirea a fost mutată; cetățeanul primește invitația nouă.",
        "The meeting was moved; the citizen receives the new invitation.",
    ),
    "done_in_person": ("Răspunsul a fost înregistrat.", "Your answer was recorded."),
    "done_assign": ("Tichetul a fost repartizat.", "The ticket was assigned."),
    "csrf_refused": (
        "Formularul nu a putut fi verificat (a expirat sau nu provine din această aplicație). "
        "Reîncărcați pagina și încercați din nou.",
        "The form could not be verified (it expired or did not come from this app). "
        "Reload the page and try again.",
    ),
    "error_title": ("Nu am putut afișa pagina", "We could not show this page"),
    "choose": ("— alegeți —", "— choose —"),
}

STATUS: Final[dict[TicketStatus, Pair]] = {
    TicketStatus.VALIDATING: ("Se verifică dosarul", "Checking the file"),
    TicketStatus.REJECTED: ("Respins", "Rejected"),
    TicketStatus.ASSIGNING: ("Se caută funcționarul", "Finding the clerk"),
    TicketStatus.AWAITING_ASSIGNMENT: ("Așteaptă repartizarea de către director", "Waiting for the director"),
    TicketStatus.BOOKING: ("Se rezervă intervalul", "Booking the slot"),
    TicketStatus.AWAITING_SLOT: ("Cetățeanul alege alt interval", "The citizen is choosing another slot"),
    TicketStatus.AWAITING_CLERK_ACCEPTANCE: (
        "Așteaptă răspunsul dvs. pentru întâlnirea la sediu",
        "Waiting for your answer on meeting in person",
    ),
    TicketStatus.SCHEDULED: ("Programat", "Scheduled"),
    TicketStatus.AWAITING_OUTCOME: ("Așteaptă rezultatul întâlnirii", "Waiting for the meeting's outcome"),
    TicketStatus.AWAITING_RESOLUTION: ("Așteaptă rezoluția", "Waiting for the resolution"),
    TicketStatus.RESOLVING: ("Rezoluția se înregistrează", "The resolution is being registered"),
    TicketStatus.RESOLVED: ("Rezolvat", "Resolved"),
    TicketStatus.CANCELLED: ("Anulat", "Cancelled"),
    TicketStatus.CLOSED: ("Încheiat", "Closed"),
}

LEVELS: Final[dict[Level, Pair]] = {
    Level.CLERK: ("funcționar", "clerk"),
    Level.DIRECTOR: ("director de serviciu", "service director"),
    Level.DEPUTY_MAYOR: ("viceprimar", "deputy mayor"),
    Level.MAYOR: ("primar", "mayor"),
}

CHANNELS: Final[dict[Channel, Pair]] = {
    Channel.WEBEX: ("Webex (video)", "Webex (video)"),
    Channel.PHONE: ("Telefonic", "By phone"),
    Channel.IN_PERSON: ("La sediul primăriei", "At the city hall"),
}

OUTCOMES: Final[dict[Outcome, Pair]] = {
    Outcome.HELD: ("Întâlnirea a avut loc", "The meeting took place"),
    Outcome.CITIZEN_NO_SHOW: ("Cetățeanul nu s-a prezentat", "The citizen did not attend"),
    Outcome.CLERK_NO_SHOW: ("Funcționarul nu s-a prezentat", "The clerk did not attend"),
    Outcome.CANCELLED: ("Anulată", "Cancelled"),
}

# The same wording as the resolution document (templates/documents/resolution.html.j2).
CATEGORIES: Final[dict[ResolutionCategory, Pair]] = {
    ResolutionCategory.CLARIFIED: ("Situația a fost lămurită", "The matter was clarified"),
    ResolutionCategory.DOCUMENTS_REQUESTED: (
        "Dosarul așteaptă documente de la cetățean",
        "The file waits for documents from the citizen",
    ),
    ResolutionCategory.IN_PROGRESS: ("Dosarul este în lucru la primărie", "The city still works on the file"),
    ResolutionCategory.REDIRECTED: (
        "Competența aparține altei instituții sau direcții",
        "Another institution or department is competent",
    ),
    ResolutionCategory.NOT_POSSIBLE: (
        "Cererea nu poate fi admisă în forma depusă",
        "The request cannot be granted as filed",
    ),
}


def pick(pair: Pair, lang: Language) -> str:
    return pair[1] if lang == Language.EN else pair[0]


def word(key: str, lang: Language) -> str:
    return pick(WORDS[key], lang)


def status_phrase(status: str | None, lang: Language) -> str:
    """Also takes the raw search-attribute value of the ticket list, which may be empty or new."""
    try:
        return pick(STATUS[TicketStatus(status or "")], lang)
    except ValueError:
        return status or "—"


def level_name(level: Level, lang: Language) -> str:
    return pick(LEVELS[level], lang)


def channel_phrase(channel: Channel, lang: Language) -> str:
    return pick(CHANNELS[channel], lang)


def outcome_phrase(outcome: Outcome, lang: Language) -> str:
    return pick(OUTCOMES[outcome], lang)


def category_label(category: ResolutionCategory, lang: Language) -> str:
    return pick(CATEGORIES[category], lang)


# Form fields a refusal can point at → the staff word that labels them (documents: `document_title`).
FIELDS: Final[dict[str, str]] = {
    "conclusions": "conclusions",
    "category": "category",
    "reason": "reason",
    "slot_start": "new_slot",
    "note": "outcome_note",
    "outcome": "outcome",
    "assignee_id": "clerk",
    "accept": "in_person_title",
}


def field_label(field: str, lang: Language) -> str:
    if field.startswith("doc_title_"):
        return word("document_title", lang).format(n=field.removeprefix("doc_title_"))
    return word(FIELDS[field], lang) if field in FIELDS else field

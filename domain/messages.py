"""Every sentence a citizen or clerk can read, in Romanian first and English second.

Codes are stable: the API returns them beside the text, and tests assert on codes, not wording.
"""

from __future__ import annotations

from typing import Final

from domain.models import Language

MESSAGES: Final[dict[str, dict[Language, str]]] = {
    "no_matching_file": {
        Language.RO: "Nu am găsit un dosar care să corespundă datelor introduse, sau dosarul nu mai "
        "poate primi un tichet albastru. Verificați numărul de înregistrare, numele și data depunerii.",
        Language.EN: "We found no file matching the details you entered, or the file can no longer get "
        "a blue ticket. Check the registration number, the name and the filing date.",
    },
    "ticket_already_open": {
        Language.RO: "Pentru acest dosar există deja un tichet albastru deschis. Folosiți linkul primit "
        "pe e-mail pentru a-l vedea sau anula.",
        Language.EN: "This file already has an open blue ticket. Use the link in your email to see or "
        "cancel it.",
    },
    "slot_taken": {
        Language.RO: "Intervalul ales tocmai a fost ocupat. Alegeți unul dintre intervalele libere.",
        Language.EN: "The slot you chose was just taken. Please choose one of the free slots.",
    },
    "slot_day_off": {
        Language.RO: "În ziua aleasă primăria nu lucrează cu publicul (weekend sau sărbătoare legală).",
        Language.EN: "The city hall is closed on the chosen day (weekend or public holiday).",
    },
    "slot_outside_hours": {
        Language.RO: "Ora aleasă nu este un interval de 15 minute din programul de lucru.",
        Language.EN: "The chosen time is not a 15-minute slot within working hours.",
    },
    "slot_outside_window": {
        Language.RO: "Întâlnirea trebuie să aibă loc în cel mult 48 de ore lucrătoare de la cerere, "
        "cu un preaviz minim. Alegeți unul dintre intervalele libere.",
        Language.EN: "The meeting must take place within 48 working hours of the request, after a "
        "minimum notice. Please choose one of the free slots.",
    },
    "slot_person_absent": {
        Language.RO: "Funcționarul nu este prezent în ziua aleasă.",
        Language.EN: "The clerk is not at work on the chosen day.",
    },
    "ticket_link_invalid": {
        Language.RO: "Linkul nu este valid sau tichetul nu mai există.",
        Language.EN: "The link is not valid or the ticket no longer exists.",
    },
    "action_not_allowed": {
        Language.RO: "Acțiunea nu este permisă în starea actuală a tichetului: {detail}",
        Language.EN: "This action is not allowed in the ticket's current state: {detail}",
    },
    "not_your_ticket": {
        Language.RO: "Acest tichet este repartizat altei persoane.",
        Language.EN: "This ticket is assigned to someone else.",
    },
    "unauthenticated": {
        Language.RO: "Autentificare necesară: trimiteți tokenul personal în antetul Authorization.",
        Language.EN: "Authentication required: send your personal token in the Authorization header.",
    },
    "invalid_input": {
        Language.RO: "Datele trimise nu sunt valide.",
        Language.EN: "The data you sent is not valid.",
    },
    "not_found": {
        Language.RO: "Resursa cerută nu există.",
        Language.EN: "The requested resource does not exist.",
    },
    "service_unavailable": {
        Language.RO: "Serviciul este temporar indisponibil. Încercați din nou în câteva minute.",
        Language.EN: "The service is temporarily unavailable. Please try again in a few minutes.",
    },
    "no_free_slots": {
        Language.RO: "Nu mai există intervale libere în fereastra de 48 de ore.",
        Language.EN: "There are no free slots left in the 48-hour window.",
    },
}


def text(code: str, language: Language = Language.RO, **values: str) -> str:
    template = MESSAGES.get(code, MESSAGES["invalid_input"])[language]
    return template.format(**values) if values else template

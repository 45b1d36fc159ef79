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
        Language.RO: "Intervalul ales nu se află în fereastra de programare (termenul de 48 de ore, "
        "socotit în zile lucrătoare, și preavizul minim). Alegeți unul dintre intervalele libere.",
        Language.EN: "The chosen slot is outside the booking window (the 48-hour term, counted on "
        "working days, and the minimum notice). Please choose one of the free slots.",
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
    "staff_token_invalid": {
        Language.RO: "Tokenul personal nu este valid. Verificați-l și încercați din nou.",
        Language.EN: "The personal token is not valid. Check it and try again.",
    },
    "invalid_input": {
        Language.RO: "Datele trimise nu sunt valide.",
        Language.EN: "The data you sent is not valid.",
    },
    "not_found": {
        Language.RO: "Resursa cerută nu există.",
        Language.EN: "The requested resource does not exist.",
    },
    "method_not_allowed": {
        Language.RO: "Această adresă nu acceptă metoda folosită; antetul Allow arată metodele acceptate.",
        Language.EN: "This address does not accept that method; the Allow header lists the ones it does.",
    },
    "service_unavailable": {
        Language.RO: "Serviciul este temporar indisponibil. Încercați din nou în câteva minute.",
        Language.EN: "The service is temporarily unavailable. Please try again in a few minutes.",
    },
    "no_free_slots": {
        Language.RO: "Nu mai există intervale libere în fereastra de programare.",
        Language.EN: "There are no free slots left in the booking window.",
    },
    "already_rated": {
        Language.RO: "Ați evaluat deja această întâlnire. Vă mulțumim!",
        Language.EN: "You have already rated this meeting. Thank you!",
    },
    "rating_not_open": {
        Language.RO: "Întâlnirea poate fi evaluată doar după ce a avut loc.",
        Language.EN: "The meeting can be rated only after it has taken place.",
    },
    "report_not_allowed": {
        Language.RO: "Nu aveți acces la acest raport: {detail}",
        Language.EN: "You do not have access to this report: {detail}",
    },
    "slot_daily_cap": {
        Language.RO: "Persoana a atins numărul maxim de audiențe pentru ziua aleasă. Alegeți altă zi.",
        Language.EN: "This person has reached the maximum number of audiences for the chosen day. "
        "Please choose another day.",
    },
    "no_slot_in_window": {
        Language.RO: "Nu există intervale libere în fereastra de 48 de ore. Vă propunem primele intervale "
        "libere de după aceasta; alegând unul, acceptați o întâlnire mai târzie.",
        Language.EN: "There is no free slot within the 48-hour window. Here are the first free slots after "
        "it; choosing one means accepting a later meeting.",
    },
    "no_clerk_assigned": {
        Language.RO: "Nu a putut fi desemnat la timp un funcționar pentru ziua aleasă.",
        Language.EN: "No clerk could be assigned in time for the chosen day.",
    },
    "no_slot_chosen": {
        Language.RO: "Nu a fost ales la timp un alt interval.",
        Language.EN: "No other slot was chosen in time.",
    },
    "cancelled_by_citizen": {
        Language.RO: "Ați anulat cererea.",
        Language.EN: "You cancelled the request.",
    },
}


def text(code: str, language: Language = Language.RO, **values: str) -> str:
    template = MESSAGES.get(code, MESSAGES["invalid_input"])[language]
    return template.format(**values) if values else template

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
    "unknown_municipality": {
        Language.RO: "Nu cunoaștem această primărie. Verificați adresa: numele primăriei se scrie cu "
        "litere mici și cratime, de exemplu cluj-napoca sau huedin.",
        Language.EN: "We do not know this municipality. Check the address: the municipality's name is "
        "written in lowercase with hyphens, for example cluj-napoca or huedin.",
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
    "reschedule_in_progress": {
        Language.RO: "Mutarea cerută anterior este încă în curs. Încercați din nou peste un minut.",
        Language.EN: "The move you asked for earlier is still being carried out. Please try again in a "
        "minute.",
    },
    "cancelled_by_citizen": {
        Language.RO: "Ați anulat cererea.",
        Language.EN: "You cancelled the request.",
    },
    # --- the workflow's refusals (workflows/guards.py): the code is the ApplicationError's type ----
    # Citizen: cancel, choose a slot, escalate, reschedule. Clerk or director: the others.
    "meeting_not_held_yet": {
        Language.RO: "Întâlnirea nu a avut loc încă.",
        Language.EN: "The meeting has not taken place yet.",
    },
    "meeting_not_held": {
        Language.RO: "Întâlnirea nu a avut loc, deci nu se poate redacta o rezoluție.",
        Language.EN: "The meeting was not held, so no resolution can be written.",
    },
    "outcome_already_recorded": {
        Language.RO: "Rezultatul întâlnirii este deja înregistrat.",
        Language.EN: "The meeting's outcome is already recorded.",
    },
    "outcome_cancel_by_citizen": {
        Language.RO: "Doar cetățeanul poate anula întâlnirea.",
        Language.EN: "Only the citizen can cancel the meeting.",
    },
    "resolution_already_submitted": {
        Language.RO: "Rezoluția a fost deja trimisă.",
        Language.EN: "The resolution is already submitted.",
    },
    "resolution_documents_missing": {
        Language.RO: "O rezoluție „dosarul așteaptă documente” trebuie să spună ce documente mai are de "
        "depus cetățeanul: adăugați cel puțin unul.",
        Language.EN: "A “the file waits for documents” resolution must say which documents the citizen "
        "still has to file: add at least one.",
    },
    "resolution_clarified_with_documents": {
        Language.RO: "O situație lămurită nu mai cere documente: scoateți documentele din listă sau alegeți "
        "categoria „dosarul așteaptă documente”.",
        Language.EN: "A clarified matter needs no more documents: remove them from the list or choose the "
        "category “the file waits for documents”.",
    },
    "pick_not_needed": {
        Language.RO: "Tichetul nu așteaptă desemnarea unui funcționar.",
        Language.EN: "The ticket is not waiting for a clerk to be picked.",
    },
    "pick_director_only": {
        Language.RO: "Doar directorul direcției desemnează funcționarul.",
        Language.EN: "Only the department's director picks the clerk.",
    },
    "cancel_too_late": {
        Language.RO: "Tichetul nu mai poate fi anulat: întâlnirea a început sau s-a încheiat.",
        Language.EN: "The ticket can no longer be cancelled: the meeting has started or is over.",
    },
    "cancel_already_requested": {
        Language.RO: "Ați cerut deja anularea acestui tichet.",
        Language.EN: "You have already asked to cancel this ticket.",
    },
    "reschedule_not_booked": {
        Language.RO: "Se poate muta doar o întâlnire programată care nu a început.",
        Language.EN: "Only a booked meeting that has not started can be moved.",
    },
    "meeting_already_started": {
        Language.RO: "Întâlnirea a început deja.",
        Language.EN: "The meeting has already started.",
    },
    "reschedule_same_time": {
        Language.RO: "Întâlnirea este deja programată la această oră.",
        Language.EN: "The meeting is already booked at this time.",
    },
    "reschedule_reason_required": {
        Language.RO: "Scrieți motivul mutării: cetățeanul îl va citi.",
        Language.EN: "Write why the meeting moves: the citizen will read it.",
    },
    "in_person_not_pending": {
        Language.RO: "Nu există o cerere de întâlnire la sediu în așteptare.",
        Language.EN: "No in-person meeting request is waiting for an answer.",
    },
    "slot_choice_not_pending": {
        Language.RO: "Tichetul nu așteaptă alegerea unui alt interval.",
        Language.EN: "The ticket is not waiting for you to choose another slot.",
    },
    "escalation_last_level": {
        Language.RO: "Primarul este ultimul nivel: nu se mai poate escalada.",
        Language.EN: "The mayor is the last level: there is no one further to ask.",
    },
    "escalation_not_open": {
        Language.RO: "Puteți cere nivelul următor după ce primiți rezoluția.",
        Language.EN: "You can ask for the next level once you have received the resolution.",
    },
    "escalation_already_requested": {
        Language.RO: "Ați cerut deja întâlnirea cu nivelul următor.",
        Language.EN: "You have already asked to meet the next level.",
    },
    "escalation_window_closed": {
        Language.RO: "Termenul de 30 de zile pentru a cere nivelul următor a expirat.",
        Language.EN: "The 30 days in which you could ask for the next level are over.",
    },
    "action_failed": {
        Language.RO: "Acțiunea nu a putut fi finalizată. Încercați din nou mai târziu.",
        Language.EN: "The action could not be completed. Please try again later.",
    },
    # Issue 8, staff side: the director's pick refusals, the webhook's and the sign-in form's.
    "pick_absent": {
        Language.RO: "Funcționarul ales este absent în ziua audienței. Alegeți alt funcționar al direcției.",
        Language.EN: "The clerk you picked is absent on the day of the audience. Pick another clerk of "
        "the department.",
    },
    "pick_not_director": {
        Language.RO: "Doar directorul direcției care are dosarul poate repartiza tichetul.",
        Language.EN: "Only the director of the file's department can pick the clerk.",
    },
    "pick_not_in_department": {
        Language.RO: "Puteți repartiza tichetul doar unui funcționar al direcției care are dosarul.",
        Language.EN: "You can only pick a clerk of the file's department.",
    },
    "webhook_signature_invalid": {
        Language.RO: "Semnătura cererii nu este validă.",
        Language.EN: "The request's signature is not valid.",
    },
    "login_form_expired": {
        Language.RO: "Formularul de autentificare a expirat sau nu a fost deschis în acest browser. "
        "Introduceți din nou tokenul personal.",
        Language.EN: "The sign-in form has expired or was not opened in this browser. Enter your "
        "personal token again.",
    },
    "ticket_contact_erased": {
        Language.RO: "Datele de contact ale acestui tichet au fost șterse, iar linkul nu mai deschide "
        "tichetul. Dosarul, rezoluția înregistrată și înregistrarea întâlnirii rămân în arhiva primăriei; "
        "pentru ele vă puteți adresa registraturii.",
        Language.EN: "This ticket's contact data has been erased and the link no longer opens the "
        "ticket. The file, the registered resolution and the meeting's recording stay in the city "
        "hall's archive; ask the registry office about them.",
    },
    "erasure_ticket_open": {
        Language.RO: "Datele de contact se pot șterge doar după închiderea tichetului (inclusiv termenul "
        "de escaladare). Până atunci sunt necesare pentru a vă anunța.",
        Language.EN: "Contact data can be erased only once the ticket is closed (escalation window "
        "included). Until then it is needed to keep you informed.",
    },
    # Issue 9: the codec server that decrypts Temporal payloads for the Temporal UI and CLI.
    "codec_forbidden": {
        Language.RO: "Doar personalul de operațiuni și conducerea (de la director în sus) pot citi "
        "datele tichetelor din Temporal.",
        Language.EN: "Only operations staff and management (director and above) can read the tickets' "
        "data in Temporal.",
    },
    "codec_origin_refused": {
        Language.RO: "Serverul de codec răspunde în browser doar interfeței Temporal configurate.",
        Language.EN: "In a browser, the codec server answers only the configured Temporal UI.",
    },
    "codec_invalid_payloads": {
        Language.RO: "Corpul cererii nu este o listă de payload-uri Temporal în format JSON: {detail}",
        Language.EN: "The request body is not a list of Temporal payloads in JSON format: {detail}",
    },
    "codec_undecodable": {
        Language.RO: "Un payload nu poate fi decriptat: {detail}",
        Language.EN: "A payload cannot be decrypted: {detail}",
    },
    # Issue 10: abuse limits (http_api/rate_limits.py) and request size limits (http_api/body_limits.py).
    "too_many_requests": {
        Language.RO: "Prea multe cereri într-un timp scurt. Așteptați puțin și încercați din nou "
        "(după {detail} secunde).",
        Language.EN: "Too many requests in a short time. Please wait a little and try again "
        "(after {detail} seconds).",
    },
    "request_too_large": {
        Language.RO: "Cererea este prea mare: serverul acceptă cel mult {detail} octeți.",
        Language.EN: "The request is too large: the server accepts at most {detail} bytes.",
    },
}


def text(code: str, language: Language = Language.RO, **values: str) -> str:
    template = MESSAGES.get(code, MESSAGES["invalid_input"])[language]
    return template.format(**values) if values else template

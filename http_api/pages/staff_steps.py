"""What the workflow writes, in the clerk's language: its timeline steps and its refusals.

The workflow logs and refuses in English, for ops and the Temporal UI (`workflows/guards.py`,
`workflows/blue_ticket.py`); the clerk's page translates what it knows and shows anything new as
written, so a step added to the workflow later still appears, untranslated, rather than vanishing.
"""

from __future__ import annotations

from typing import Final

from domain.models import Language
from http_api.pages.staff_words import Pair, pick

# Timeline steps as the workflow logs them (English, for ops); the detail is shown beside, as logged.
STEPS: Final[dict[str, Pair]] = {
    "started": ("Cerere primită", "Request received"),
    "escalated": ("Escaladat la nivelul următor", "Escalated to the next level"),
    "later slot accepted": ("Cetățeanul a acceptat un interval mai târziu", "Citizen accepted a later slot"),
    "validated": ("Dosar verificat", "File checked"),
    "rejected": ("Cerere respinsă", "Request rejected"),
    "assigned": ("Funcționar desemnat", "Clerk assigned"),
    "awaiting assignment": ("Directorul trebuie să repartizeze", "The director must pick a clerk"),
    "awaiting slot": ("Intervalul nu mai era liber", "The slot was no longer free"),
    "booked": ("Interval rezervat", "Slot booked"),
    "in person requested": ("Cerere de întâlnire la sediu", "In-person meeting requested"),
    "in person accepted": ("Întâlnire la sediu acceptată", "In-person meeting accepted"),
    "in person declined": ("Întâlnire la sediu refuzată", "In-person meeting declined"),
    "in person declined: webex": ("Întâlnirea rămâne pe Webex", "The meeting stays on Webex"),
    "meeting created": ("Întâlnire creată", "Meeting created"),
    "webex failed: switched to phone": ("Webex indisponibil: întâlnire telefonică", "Webex failed: by phone"),
    "reminder sent": ("Memento trimis cetățeanului", "Reminder sent to the citizen"),
    "rescheduled": ("Întâlnire mutată", "Meeting moved"),
    "cancelled by the citizen": ("Anulat de cetățean", "Cancelled by the citizen"),
    "meeting started": ("Webex: întâlnirea a început", "Webex: meeting started"),
    "meeting ended": ("Webex: întâlnirea s-a încheiat", "Webex: meeting ended"),
    "recording created": ("Webex: înregistrare disponibilă", "Webex: recording available"),
    "outcome request": ("Vi s-a cerut rezultatul", "You were asked for the outcome"),
    "resolution reminder": ("Memento pentru rezoluție", "Resolution reminder"),
    "resolution late": ("Rezoluție întârziată: directorul a fost anunțat", "Resolution late: director told"),
    "clerk no-show": ("Funcționarul nu s-a prezentat", "The clerk did not attend"),
    "outcome recorded": ("Rezultatul întâlnirii înregistrat", "Meeting outcome recorded"),
    "resolution submitted": ("Rezoluție redactată", "Resolution written"),
    "document registered": ("Rezoluție înregistrată", "Resolution registered"),
    "escalation requested": ("Escaladare cerută", "Escalation requested"),
    "signal rejected": ("Semnal respins", "Signal rejected"),
    "webex event ignored": ("Eveniment Webex ignorat", "Webex event ignored"),
    # Delivery status (issue 12): the detail is the email's template, its status code, and how.
    "citizen email failed": ("E-mail către cetățean nelivrat", "Email to the citizen not delivered"),
    "citizen email delayed": ("E-mail către cetățean întârziat", "Email to the citizen delayed"),
    "staff email failed": ("E-mail către personal nelivrat", "Email to staff not delivered"),
    "staff email delayed": ("E-mail către personal întârziat", "Email to staff delayed"),
    "closed": ("Tichet închis", "Ticket closed"),
    "ended": ("Tichet încheiat", "Ticket ended"),
}

# The workflow's refusals carry their own codes and sentences (domain/messages.py, since issue 8).
# What still arrives as an English detail of `action_not_allowed` is the API's own, translated here;
# any other detail is shown as written.
REFUSALS: Final[dict[str, Pair]] = {
    "the ticket has ended": ("tichetul s-a încheiat", "the ticket has ended"),
}


def step_phrase(step: str, lang: Language) -> str:
    return pick(STEPS[step], lang) if step in STEPS else step


def refusal(reason: str, lang: Language) -> str:
    return pick(REFUSALS[reason], lang) if reason in REFUSALS else reason

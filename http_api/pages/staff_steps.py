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
    "closed": ("Tichet închis", "Ticket closed"),
    "ended": ("Tichet încheiat", "Ticket ended"),
}

# The workflow's refusals (workflows/guards.py) are English, for ops; a clerk reads them translated.
# A reason missing here is shown as the workflow wrote it.
REFUSALS: Final[dict[str, Pair]] = {
    "not the ticket's clerk": ("nu sunteți funcționarul tichetului", "you are not the ticket's clerk"),
    "the meeting has not taken place yet": (
        "întâlnirea nu a avut loc încă",
        "the meeting has not taken place yet",
    ),
    "the outcome is already recorded": (
        "rezultatul este deja înregistrat",
        "the outcome is already recorded",
    ),
    "the resolution is already submitted": (
        "rezoluția a fost deja trimisă",
        "the resolution is already submitted",
    ),
    "the meeting was not held": ("întâlnirea nu a avut loc", "the meeting was not held"),
    "the ticket does not need a pick": (
        "tichetul nu așteaptă repartizarea",
        "the ticket does not need a pick",
    ),
    "only the department's director picks": (
        "doar directorul direcției repartizează",
        "only the department's director picks",
    ),
    "only a booked meeting that has not started can move": (
        "se poate muta doar o întâlnire programată care nu a început",
        "only a booked meeting that has not started can move",
    ),
    "the meeting has already started": ("întâlnirea a început deja", "the meeting has already started"),
    "that is already the meeting's time": (
        "aceasta este deja ora întâlnirii",
        "that is already the meeting's time",
    ),
    "no in-person request is pending": (
        "nu există o cerere de întâlnire la sediu",
        "no in-person request is pending",
    ),
    "the ticket has ended": ("tichetul s-a încheiat", "the ticket has ended"),
}


def step_phrase(step: str, lang: Language) -> str:
    return pick(STEPS[step], lang) if step in STEPS else step


def refusal(reason: str, lang: Language) -> str:
    return pick(REFUSALS[reason], lang) if reason in REFUSALS else reason

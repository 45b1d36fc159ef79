"""The ticket's timeline as its citizen reads it (the JSON from the link and the ticket's page).

The workflow logs each step in English for ops and clerks, with details written for them: staff
ids, refusal reasons, a vendor's error. A citizen reads a sentence of their own per step, in their
language, and a detail only where it is written for them (a `domain.messages` code, the document's
number). Steps meant for ops are left out; a step nobody listed here yet (a new one in the
workflow, an old ticket's) shows its name without its detail, so nothing internal ever leaks.

To add a step: its sentence in the catalogs, `timeline.<step>` (or a line in `HIDDEN`), and, if its
detail is for the citizen, in `CODE_DETAIL` (the detail is a message code) or `AS_LOGGED` (shown as written).
"""

from __future__ import annotations

from typing import Final

from core.catalogs import has_detail, known, say, text
from domain.messages import CODES
from domain.models import Language, TimelineEntry

# For ops and clerks only: refusals, chasing the clerk, Webex's bookkeeping.
HIDDEN: Final = frozenset(
    {
        "signal rejected",
        "webex event ignored",
        "recording created",
        "outcome request",
        "resolution reminder",
        "resolution late",
        "meeting moved",
        "webex message not sent",
        "old webex meeting left",
        # Delivery status (issue 12): for the clerk, who phones the citizen instead.
        "citizen email failed",
        "citizen email delayed",
        "staff email failed",
        "staff email delayed",
    }
)
CODE_DETAIL: Final = frozenset({"awaiting slot", "ended", "rejected"})
AS_LOGGED: Final = frozenset({"document registered"})


def citizen_sentence(entry: TimelineEntry, lang: Language) -> str | None:
    """What the citizen reads for `entry`, or None when the step is not for them."""
    if entry.step in HIDDEN:
        return None
    if not known(f"timeline.{entry.step}"):
        return entry.step  # a step not listed yet: its name, never its detail
    phrase = say(f"timeline.{entry.step}", lang)
    detail = _detail(entry, lang)
    return f"{phrase}: {detail}" if detail else phrase


def citizen_timeline(entries: list[TimelineEntry], lang: Language) -> list[TimelineEntry]:
    """The JSON's timeline: the step as logged (a stable key), its detail the citizen's sentence."""
    shown = ((entry, citizen_sentence(entry, lang)) for entry in entries)
    return [TimelineEntry(at=e.at, step=e.step, detail=line) for e, line in shown if line is not None]


def _detail(entry: TimelineEntry, lang: Language) -> str:
    if entry.step in AS_LOGGED:
        return entry.detail
    if entry.step in CODE_DETAIL and entry.detail in CODES and not has_detail(entry.detail):
        return text(entry.detail, lang)
    return ""

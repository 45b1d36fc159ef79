"""What the workflow writes, in the clerk's language: its timeline steps and its refusals.

The workflow logs and refuses in English, for ops and the Temporal UI (`workflows/guards.py`,
`workflows/blue_ticket.py`); the clerk's page translates what it knows and shows anything new as
written, so a step added to the workflow later still appears, untranslated, rather than vanishing.
"""

from __future__ import annotations

from core.catalogs import known, say
from domain.models import Language


def step_phrase(step: str, lang: Language) -> str:
    """Timeline steps as the workflow logs them (English, for ops): `staff.step.<step>`; the detail
    is shown beside, as logged."""
    key = f"staff.step.{step}"
    return say(key, lang) if known(key) else step


def refusal(reason: str, lang: Language) -> str:
    """The workflow's refusals carry their own codes and sentences (`message.` entries, since issue
    8). What still arrives as an English detail of `action_not_allowed` is the API's own, translated
    here (`staff.refusal.<reason>`); any other detail is shown as written."""
    key = f"staff.refusal.{reason}"
    return say(key, lang) if known(key) else reason

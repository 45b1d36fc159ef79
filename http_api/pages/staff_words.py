"""The words the clerks' pages print: the catalogs' `staff.` entries (`core.catalogs`).

Kept apart from `words.py` (the citizen's furniture) because the two audiences need different
sentences for the same thing: a citizen reads "The clerk is writing the resolution", the clerk reads
"Waiting for the resolution". Refusals and errors still come from `domain.messages`, like the API's.
"""

from __future__ import annotations

from typing import Final

from core.catalogs import known, say
from domain.models import Channel, Language, Level, Outcome, ResolutionCategory


def word(key: str, lang: Language, /, **values: object) -> str:
    return say(f"staff.{key}", lang, **values)


def status_phrase(status: str | None, lang: Language) -> str:
    """Also takes the raw search-attribute value of the ticket list, which may be empty or new."""
    key = f"staff.status.{status or ''}"
    return say(key, lang) if status and known(key) else status or "—"


def level_name(level: Level, lang: Language) -> str:
    return say(f"staff.level.{level.name.lower()}", lang)


def channel_phrase(channel: Channel, lang: Language) -> str:
    return say(f"staff.channel.{channel.value}", lang)


def outcome_phrase(outcome: Outcome, lang: Language) -> str:
    return say(f"staff.outcome.{outcome.value}", lang)


def category_label(category: ResolutionCategory, lang: Language) -> str:
    """The same wording as the resolution document (templates/documents/resolution.html.j2)."""
    return say(f"staff.category.{category.value}", lang)


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
        return word("document_title", lang, n=field.removeprefix("doc_title_"))
    return word(FIELDS[field], lang) if field in FIELDS else field

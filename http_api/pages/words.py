"""The words the citizen pages print, and how a page picks its language.

Every word is in the gettext catalogs (`locales/`, `core.catalogs`): page furniture under `page.`,
the accessibility statement and privacy notice too. The sentences the API already returns
(refusals, "no matching file") are its `message.` entries, so a citizen reads the same sentence on
the page as in the API's JSON.
"""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

from fastapi import Request

from core import catalogs
from core.catalogs import has_detail, say, text
from domain.models import Channel, Language, Level, Outcome, TicketStatus

_RO = Language.RO


def word(key: str, lang: Language, /, **values: object) -> str:
    return say(f"page.{key}", lang, **values)


def status_phrase(status: TicketStatus, lang: Language) -> str:
    return say(f"page.status.{status.value}", lang)


def channel_phrase(channel: Channel, lang: Language) -> str:
    return word(f"channel_{channel.value}", lang)


def level_name(level: Level, lang: Language) -> str:
    return say(f"page.level.{level.name.lower()}", lang)


def outcome_phrase(outcome: Outcome, lang: Language) -> str:
    return say(f"page.outcome.{outcome.value}", lang)


def day_heading(day: date, lang: Language) -> str:
    """Written out ("joi, 3 decembrie 2026"): a bare date is easy to misread across a weekend."""
    return catalogs.day(day, lang)


def moment(instant: datetime, lang: Language, zone: str) -> str:
    """An instant as the pages write it, in the city's time: "joi, 3 decembrie 2026, 10:30"."""
    return catalogs.moment(instant.astimezone(ZoneInfo(zone)), lang)


def sentence(code: str, lang: Language, detail: str = "") -> str:
    """A `domain.messages` sentence; codes outside it (a crafted `?eroare=`) fall back to the
    generic invalid-input sentence, so a URL can never put arbitrary text on the page."""
    return text(code, lang, detail=detail) if has_detail(code) else text(code, lang)


def page_language(request: Request, default: Language = _RO) -> Language:
    """`?lang=` (what the switch link sets, carried in every form action and redirect) wins over the
    browser's Accept-Language (its first language, when a catalog has it), which wins over `default`
    (a ticket's page: the language the citizen asked in)."""
    asked = catalogs.supported(request.query_params.get("lang", ""))
    if asked:
        return Language(asked)
    header = catalogs.supported(request.headers.get("accept-language", "").split(",")[0].split(";")[0])
    return Language(header) if header else default

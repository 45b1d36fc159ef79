"""The one Jinja2 environment: emails and documents are rendered only in activities, from here."""

from __future__ import annotations

from datetime import datetime
from functools import lru_cache
from pathlib import Path
from zoneinfo import ZoneInfo

from jinja2 import Environment, FileSystemLoader, StrictUndefined, pass_context, select_autoescape
from jinja2.runtime import Context

from core.catalogs import DEFAULT, short_moment, text
from domain.models import Language

TEMPLATES = Path(__file__).resolve().parent.parent / "templates"


def local_time(instant: datetime | None, zone: str = "Europe/Bucharest", lang: str = DEFAULT) -> str:
    """An instant in the city's time, in figures, as `lang` writes them (Babel, `format.short_moment`)."""
    if instant is None:
        return "—"
    return short_moment(instant.astimezone(ZoneInfo(zone)), lang)


@pass_context
def _local_time(context: Context, instant: datetime | None) -> str:
    """`{{ t.slot_start | local_time }}`: in the language of the email being rendered (`lang`)."""
    return local_time(instant, lang=str(context.get("lang") or DEFAULT))


@lru_cache
def environment() -> Environment:
    env = Environment(
        loader=FileSystemLoader(TEMPLATES),
        autoescape=select_autoescape(enabled_extensions=("html", "html.j2")),
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        extensions=["jinja2.ext.i18n"],  # `_` is given per email, bound to its language (emails.compose)
    )
    env.filters["local_time"] = _local_time
    env.globals["message"] = lambda code, lang="ro": text(code, Language(lang))
    return env

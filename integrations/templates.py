"""The one Jinja2 environment: emails and documents are rendered only in activities, from here."""

from __future__ import annotations

from datetime import datetime
from functools import lru_cache
from pathlib import Path
from zoneinfo import ZoneInfo

from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape

from core.catalogs import text
from domain.models import Language

TEMPLATES = Path(__file__).resolve().parent.parent / "templates"


def local_time(instant: datetime | None, zone: str = "Europe/Bucharest") -> str:
    if instant is None:
        return "—"
    return instant.astimezone(ZoneInfo(zone)).strftime("%d.%m.%Y %H:%M")


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
    env.filters["local_time"] = local_time
    env.globals["message"] = lambda code, lang="ro": text(code, Language(lang))
    return env

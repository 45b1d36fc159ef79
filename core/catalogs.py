"""Every sentence a citizen or clerk reads, from the gettext catalogs in `locales/` (Babel).

A catalog is `locales/<lang>/LC_MESSAGES/messages.po`; the languages offered are the catalogs
present, Romanian first (the default and the fallback of every other), found when the process
starts. A city adds a language by adding one `.po` file (`pybabel init -i locales/messages.pot -d
locales -l de`, then translate): it is read as it is, compiled in memory on first use, so there is
no `.mo` to build or forget.

Message ids are stable keys (`message.slot_taken`, `page.step1_title`, `field.generic.missing`),
not English sentences: the API's codes are keys already, tests assert on keys, and a wording change
in one language never orphans the others. `locales/messages.pot` lists them with the Romanian text
as the translator's note (`python -m core.catalogs` rewrites it from `ro` and updates every catalog
with Babel). Placeholders are Python's `%(name)s`, as Jinja2's i18n extension formats them; a
literal percent sign is `%%`.

Workflow code never imports this module: workflows keep codes (`domain.messages.CODES`); the
activities, the API and the pages turn them into sentences here. Nothing is read at import time.
"""

from __future__ import annotations

import re
import sys
from datetime import date, datetime
from functools import lru_cache
from io import BytesIO
from pathlib import Path
from typing import Final

from babel import Locale
from babel.dates import format_date, format_datetime
from babel.messages.catalog import Catalog, Message
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po, write_po
from babel.numbers import format_decimal
from babel.support import Translations

from domain.messages import CODES

LOCALES: Final = Path(__file__).resolve().parent.parent / "locales"
DEFAULT: Final = "ro"
DOMAIN: Final = "messages"
POT: Final = LOCALES / f"{DOMAIN}.pot"


def po_path(lang: str, root: Path | None = None) -> Path:
    return (root or LOCALES) / lang / "LC_MESSAGES" / f"{DOMAIN}.po"


@lru_cache
def languages() -> tuple[str, ...]:
    """The catalogs present: Romanian first, then the others by code."""
    found = {path.parent.parent.name for path in LOCALES.glob(f"*/LC_MESSAGES/{DOMAIN}.po")}
    return (DEFAULT, *sorted(found - {DEFAULT}))


def supported(lang: str) -> str | None:
    """`lang` ("hu", "HU", "hu-HU") as the code of a catalog present, or None."""
    code = lang.strip().lower().replace("-", "_").split("_")[0]
    return code if code in languages() else None


def read_catalog(path: Path, lang: str) -> Catalog:
    with path.open("rb") as fh:
        return read_po(fh, locale=lang, domain=DOMAIN)


@lru_cache
def catalog(lang: str) -> Catalog:
    return read_catalog(po_path(lang), lang)


@lru_cache
def translations(lang: str) -> Translations:
    """The catalog compiled in memory; an untranslated id falls back to Romanian."""
    lang = supported(lang) or DEFAULT
    compiled = BytesIO()
    write_mo(compiled, catalog(lang))
    compiled.seek(0)
    found = Translations(compiled, domain=DOMAIN)
    if lang != DEFAULT:
        found.add_fallback(translations(DEFAULT))
    return found


def ids(prefix: str = "") -> list[str]:
    """The message ids of the source catalog (Romanian) that start with `prefix`, in file order."""
    return [key(m) for m in catalog(DEFAULT) if m.id and key(m).startswith(prefix)]


def known(key: str) -> bool:
    """Whether the source catalog (Romanian) has `key`: the tables' shape lives in the catalogs."""
    return key in catalog(DEFAULT)


def say(key: str, lang: str = DEFAULT, /, **values: object) -> str:
    """The sentence `key` in `lang`, its `%(name)s` placeholders filled from `values`."""
    template = translations(lang).gettext(key)
    return template % values if values else template.replace("%%", "%")


def text(code: str, lang: str = DEFAULT, /, **values: object) -> str:
    """The sentence of a `domain.messages` code (an unknown code reads as `invalid_input`)."""
    return say(f"message.{code if code in CODES else 'invalid_input'}", lang, **values)


def has_detail(code: str) -> bool:
    """Whether the code's sentence says the refusal's detail (`%(detail)s`)."""
    return code in CODES and "%(detail)s" in translations(DEFAULT).gettext(f"message.{code}")


def say_count(key: str, n: int, lang: str = DEFAULT, /, **values: object) -> str:
    """A plural entry (`unit.characters`): the form for `n`, with `%(n)s` written for `lang`."""
    template = translations(lang).ngettext(key, f"{key}.plural", n)
    return template % {"n": number(n, lang), **values}


def number(n: int, lang: str = DEFAULT) -> str:
    return format_decimal(n, locale=_locale(lang))


def day(value: date, lang: str = DEFAULT) -> str:
    """A day written out ("joi, 3 decembrie 2026"), in the catalog's own pattern (`format.day`)."""
    return format_date(value, say("format.day", lang), locale=_locale(lang))


def moment(local: datetime, lang: str = DEFAULT) -> str:
    """A local day and time ("joi, 3 decembrie 2026, 10:30"), in the pattern `format.moment`."""
    return format_datetime(local, say("format.moment", lang), tzinfo=local.tzinfo, locale=_locale(lang))


def short_moment(local: datetime, lang: str = DEFAULT) -> str:
    """A local day and time in figures, as emails, invites and letters write them ("30.03.2026
    08:30"; Hungarian "2026. 03. 30. 08:30"): the pattern `format.short_moment`."""
    return format_datetime(local, say("format.short_moment", lang), tzinfo=local.tzinfo, locale=_locale(lang))


def language_name(lang: str, in_language: str | None = None) -> str:
    """The language's own name, from its own catalog ("Magyar"); or, `in_language` given, its name
    in that language, from Babel ("maghiară")."""
    if in_language is None:
        return say("language.name", lang)
    return Locale.parse(lang).get_language_name(_locale(in_language)) or lang


@lru_cache
def _locale(lang: str) -> Locale:
    return Locale.parse(supported(lang) or DEFAULT)


def write_template(root: Path = LOCALES) -> Catalog:
    """`messages.pot` from the Romanian catalog (the source language: its notes plus its text), then
    every other catalog updated from it with Babel: new ids appear empty, ids gone are dropped."""
    source = read_catalog(po_path(DEFAULT, root), DEFAULT)
    template = Catalog(domain=DOMAIN, project="Tichet Albastru", version="1", fuzzy=False)
    for message in source:
        if message.id:
            plural = message.pluralizable
            source_text = str(
                message.string[-1] if isinstance(message.string, tuple | list) else message.string
            )
            note = [*message.auto_comments, f"ro: {source_text}"]
            template.add(message.id, ("", "") if plural else "", auto_comments=note)
    with (root / POT.name).open("wb") as fh:
        write_po(fh, template, width=100, omit_header=False)
    for path in sorted(root.glob(f"*/LC_MESSAGES/{DOMAIN}.po")):
        lang = path.parent.parent.name
        if lang == DEFAULT:  # the source: its ids are the template's
            continue
        found = read_catalog(path, lang)
        found.update(template, no_fuzzy_matching=True)
        with path.open("wb") as fh:
            write_po(fh, found, width=100, ignore_obsolete=True)
    return template


_PLACEHOLDER = re.compile(r"%\((\w+)\)s")


def _forms(message: Message) -> list[str]:
    return [
        str(form)
        for form in (message.string if isinstance(message.string, tuple | list) else [message.string])
    ]


def placeholders(text_: str) -> set[str]:
    return set(_PLACEHOLDER.findall(text_))


def problems(root: Path = LOCALES) -> list[str]:
    """What is wrong with the catalogs under `root`, one line each; empty when every catalog has every
    id of `messages.pot`, translated (not fuzzy, no empty form), with the same placeholders as the
    Romanian source, and each form formats (a stray `%%` breaks it)."""
    found: list[str] = []
    template = read_catalog(root / POT.name, DEFAULT)
    wanted = {m.id if isinstance(m.id, str) else m.id[0] for m in template if m.id}
    langs = sorted(path.parent.parent.name for path in root.glob(f"*/LC_MESSAGES/{DOMAIN}.po"))
    if DEFAULT not in langs:
        return [f"{DEFAULT}: no catalog"]
    source = {key(m): m for m in read_catalog(po_path(DEFAULT, root), DEFAULT) if m.id}
    for lang in langs:
        messages = {key(m): m for m in read_catalog(po_path(lang, root), lang) if m.id}
        for missing in sorted(wanted - set(messages)):
            found.append(f"{lang}: {missing} is missing")
        for mid, message in messages.items():
            forms = _forms(message)
            if mid not in wanted:
                found.append(f"{lang}: {mid} is not in {DOMAIN}.pot")
            if message.fuzzy or not all(form.strip() for form in forms):
                found.append(f"{lang}: {mid} is not translated")
                continue
            expected = (
                set().union(*(placeholders(f) for f in _forms(source[mid]))) if mid in source else set()
            )
            for form in forms:
                if placeholders(form) != expected:
                    found.append(f"{lang}: {mid} has {sorted(placeholders(form))}, ro has {sorted(expected)}")
                try:
                    form % dict.fromkeys(placeholders(form) | {"n"}, "1")
                except (ValueError, TypeError, KeyError) as err:
                    found.append(f"{lang}: {mid} does not format ({err})")
    return found


def key(message: Message) -> str:
    return str(message.id if isinstance(message.id, str) else message.id[0])


if __name__ == "__main__":  # python -m core.catalogs [locales-dir]: messages.pot, then the check
    where = Path(sys.argv[1]) if len(sys.argv) > 1 else LOCALES
    write_template(where)
    print("\n".join(problems(where)) or "every catalog is complete")
    sys.exit(1 if problems(where) else 0)

"""The translation catalogs (`locales/`, `core.catalogs`): every shipped catalog has every message id
of `messages.pot`, translated, with the placeholders of the Romanian source; and the check that says
so does fail on a broken catalog (a copy of the shipped ones, broken on purpose in a temporary
directory)."""

from __future__ import annotations

import re
import shutil
from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from babel.messages.pofile import read_po, write_po

from core import catalogs
from core.catalogs import LOCALES, languages, po_path, problems, say, say_count, text
from domain.messages import CODES
from domain.models import Language
from http_api.pages.words import day_heading, moment
from integrations.templates import TEMPLATES

SHIPPED = ("ro", "en", "hu")
ROMANIAN = re.compile("[ăâîșțĂÂÎȘȚ]")


def test_the_shipped_catalogs_are_offered_romanian_first() -> None:
    assert languages() == SHIPPED


def test_every_shipped_catalog_has_every_id_translated_with_the_same_placeholders() -> None:
    assert problems() == []


def test_the_template_lists_the_romanian_ids() -> None:
    with (LOCALES / "messages.pot").open("rb") as fh:
        template = {catalogs.key(m) for m in read_po(fh) if m.id}
    assert template == set(catalogs.ids())


def test_every_message_code_has_a_sentence_and_every_sentence_a_code() -> None:
    assert {key.removeprefix("message.") for key in catalogs.ids("message.")} == set(CODES)


def _copy(tmp_path: Path) -> Path:
    root = tmp_path / "locales"
    shutil.copytree(LOCALES, root)
    return root


def _edit(root: Path, lang: str, change: str, into: str | None) -> None:
    """Give `change` the translation `into` in `lang`'s catalog (None: remove the id)."""
    path = po_path(lang, root)
    with path.open("rb") as fh:
        found = read_po(fh, locale=lang)
    if into is None:
        del found[change]
    else:
        found[change].string = into
    with path.open("wb") as fh:
        write_po(fh, found)


def test_the_check_fails_on_a_missing_id(tmp_path: Path) -> None:
    root = _copy(tmp_path)
    assert problems(root) == []
    _edit(root, "hu", "page.step1_title", None)
    assert problems(root) == ["hu: page.step1_title is missing"]


def test_the_check_fails_on_a_placeholder_that_differs(tmp_path: Path) -> None:
    root = _copy(tmp_path)
    _edit(root, "hu", "page.escalate_intro", "Kérhet találkozót: %(level)s, eddig: %(date)s.")
    assert problems(root) == ["hu: page.escalate_intro has ['date', 'level'], ro has ['deadline', 'level']"]


def test_the_check_fails_on_an_empty_translation_and_a_stray_percent(tmp_path: Path) -> None:
    root = _copy(tmp_path)
    _edit(root, "en", "page.tagline", "")
    _edit(root, "hu", "page.skip", "100% tartalom")
    found = problems(root)
    assert "en: page.tagline is not translated" in found
    assert any(line.startswith("hu: page.skip does not format") for line in found), found


def test_a_city_adds_a_language_with_one_po_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A new catalog (here a copy of the English one called `de`) is offered and read as it is."""
    root = _copy(tmp_path)
    po_path("de", root).parent.mkdir(parents=True)
    shutil.copy(po_path("en", root), po_path("de", root))
    _edit(root, "de", "page.step1_title", "Ein blaues Ticket anfordern")
    monkeypatch.setattr(catalogs, "LOCALES", root)
    for cached in (catalogs.languages, catalogs.catalog, catalogs.translations, catalogs._locale):
        cached.cache_clear()
    try:
        assert languages() == ("ro", "de", "en", "hu")
        assert say("page.step1_title", "de") == "Ein blaues Ticket anfordern"
        assert problems(root) == []
    finally:
        for cached in (catalogs.languages, catalogs.catalog, catalogs.translations, catalogs._locale):
            cached.cache_clear()


@pytest.mark.parametrize(
    ("lang", "day", "instant"),
    [
        ("ro", "joi, 3 decembrie 2026", "joi, 3 decembrie 2026, 10:30"),
        ("en", "Thursday, 3 December 2026", "Thursday, 3 December 2026, 10:30"),
        ("hu", "2026. december 3., csütörtök", "2026. december 3., csütörtök, 10:30"),
    ],
)
def test_days_and_times_are_written_by_babel_for_each_language(lang: str, day: str, instant: str) -> None:
    assert day_heading(date(2026, 12, 3), Language(lang)) == day
    assert moment(datetime(2026, 12, 3, 8, 30, tzinfo=UTC), Language(lang), "Europe/Bucharest") == instant


def test_counts_take_each_language_plural_forms() -> None:
    assert [say_count("unit.characters", n, "ro") for n in (1, 19, 20, 101)] == [
        "1 caracter",
        "19 caractere",
        "20 de caractere",
        "101 caractere",
    ]
    assert say_count("unit.characters", 8000, "hu") == "8\xa0000 karakter"


def test_hungarian_is_hungarian_and_an_unknown_language_reads_romanian() -> None:
    assert text("slot_taken", "hu").startswith("A választott időpontot")
    assert re.search("[áéíóöőúüű]", text("no_matching_file", "hu"))
    assert text("slot_taken", "xx") == text("slot_taken", "ro")


def test_no_template_holds_a_romanian_sentence_of_its_own() -> None:
    """Pages, emails and the letter take their words from the catalogs: outside Jinja2's comments,
    tags and expressions no template has a Romanian letter (a sentence typed into a template would
    exist in one language only)."""
    jinja = re.compile(r"\{#.*?#\}|\{%.*?%\}|\{\{.*?\}\}", re.S)
    templates = [*TEMPLATES.rglob("*.j2"), *TEMPLATES.rglob("*.html")]
    assert len(templates) > 20
    typed = {
        str(path.relative_to(TEMPLATES)): sorted(set(ROMANIAN.findall(jinja.sub("", path.read_text()))))
        for path in templates
    }
    assert {name: letters for name, letters in typed.items() if letters} == {}
    assert ROMANIAN.findall(jinja.sub("", '{{ _("email.hello") }}\nBună ziua,')) == ["ă"]  # it would see one

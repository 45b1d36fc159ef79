"""The resolution document (R8): a PDF the citizen receives by email and the registry keeps.

How it is made, and why:

- **Words in a template, layout by fpdf2.** `templates/documents/resolution.html.j2` is rendered with
  the project's one Jinja2 environment (autoescaped, strict) and the HTML is laid out by fpdf2's
  `write_html`. A city restyles or rewords its letter by editing the template, not the code, and the
  worker needs no browser, no system library and nothing downloaded at run time: fpdf2 is pure Python.
  The price is that the template must stay inside fpdf2's HTML subset (see the template's header);
  the page frame (margins, footer with the number and page count) is the only layout kept in code.
- **Embedded DejaVu Sans.** The PDF core fonts only cover Latin-1, which has no ș/ț (comma below), so
  the regular and bold faces are embedded from `templates/fonts/` (fpdf2 keeps only the glyphs used
  and writes a ToUnicode map, so the text can be searched and copied with its diacritics).
- **Deterministic bytes.** The PDF's creation date is the issue instant and fpdf2 derives the file id
  from the content, so the same request renders the same bytes: a retried activity that re-renders
  and overwrites the attachment changes nothing a citizen could notice.
"""

from __future__ import annotations

import copy
import re
import threading
from datetime import datetime
from pathlib import Path
from typing import Any

from fontTools import ttLib
from fpdf import FPDF
from fpdf.fonts import FontFace, TextStyle, TTFFont

from core.catalogs import say
from domain.activity_io import Holder, LetterFacts
from domain.models import Language, ResolutionAction
from integrations.emails import level_names
from integrations.templates import TEMPLATES, environment

CONTENT_TYPE = "application/pdf"
TEMPLATE = "documents/resolution.html.j2"
FONTS = TEMPLATES / "fonts"
FONT = "DejaVuSans"
_FONT_FILES = {"": FONTS / "DejaVuSans.ttf", "B": FONTS / "DejaVuSans-Bold.ttf"}

# The letter is Romanian, the language of the registered document; its sentences are the catalogs'
# `letter.` entries. Level names are the emails' ones, so the letter and the email that carries it
# name the next level the same way.
LANGUAGE = Language.RO
LEVEL_TITLES = level_names(LANGUAGE)


def _(key: str, **values: object) -> str:
    return say(key, LANGUAGE, **values)


# What makes fpdf2 ask for an italic face: <i>, <em>, or a table cell's `i` attribute. Typed text is
# escaped before layout, so only the template's own markup can match.
_ITALICS = re.compile(r"<(?:i|em)\b|<t[dh]\b[^>]*\si\b", re.IGNORECASE)

ACCENT = "#1f4fa3"  # the "blue" of the blue ticket, as in the HTML emails
# fpdf2's defaults are dark-red headings and red bullets; the letter uses the city's blue instead.
TAG_STYLES: dict[str, TextStyle | FontFace] = {
    "h1": TextStyle(font_size_pt=15, font_style="B", color=ACCENT, t_margin=4, b_margin=0.6),
    "h2": TextStyle(font_size_pt=11.5, font_style="B", color=ACCENT, t_margin=4, b_margin=0.2),
    "h3": TextStyle(font_size_pt=10, font_style="B", color="#222222", t_margin=3, b_margin=0.3),
    "p": TextStyle(t_margin=2.5, b_margin=0.5),
    "li": TextStyle(l_margin=6, t_margin=1.2),
    "a": FontFace(color=ACCENT, emphasis="UNDERLINE"),
}


def render_resolution(
    ticket: LetterFacts,
    resolution: ResolutionAction,
    number: str,
    at: datetime,
    city: str,
    *,
    header: str = "",
    escalation_url: str | None = None,
    escalation_deadline: datetime | None = None,
) -> bytes:
    """The PDF bytes of the resolution registered as `number` at `at`.

    `escalation_url` is the citizen's own link (it opens the ticket page with the escalate form);
    `escalation_deadline` overrides `ticket.escalation_deadline`, which the workflow only sets after
    the document is issued. Without a link the letter points to the email; at the mayor's level it
    says that there is no further level.
    """
    html = render_resolution_html(
        ticket,
        resolution,
        number,
        at,
        city,
        header=header,
        escalation_url=escalation_url,
        escalation_deadline=escalation_deadline,
    )
    pdf = _ResolutionPdf(number=number, city=city, italics=_ITALICS.search(html) is not None)
    pdf.set_title(_("letter.pdf_title", number=number))
    pdf.set_subject(f"Tichet albastru, dosarul {ticket.registration_number}")
    pdf.set_author(city)
    pdf.set_creator("Tichet Albastru")
    pdf.set_lang("ro")
    pdf.set_creation_date(at)
    pdf.add_page()
    pdf.write_html(html, tag_styles=TAG_STYLES, li_prefix_color=ACCENT, font_family=FONT)
    return bytes(pdf.output())


def render_resolution_html(
    ticket: LetterFacts,
    resolution: ResolutionAction,
    number: str,
    at: datetime,
    city: str,
    *,
    header: str = "",
    escalation_url: str | None = None,
    escalation_deadline: datetime | None = None,
) -> str:
    """The template's output before layout: public so a template change can be checked as text."""
    template = environment().get_template(TEMPLATE)
    return template.render(
        _context(ticket, resolution, number, at, city, escalation_url, escalation_deadline)
        | {"header": header}
    )


def filename_for(ticket: LetterFacts) -> str:
    """`rezolutie-104233-2026-nivel0.pdf`: the file number without slashes, one file per level."""
    return f"rezolutie-{ticket.registration_number.replace('/', '-')}-nivel{int(ticket.level)}.pdf"


def paragraphs(text: str) -> list[list[str]]:
    """Blank lines separate paragraphs, single line breaks stay line breaks: how a clerk types."""
    blocks: list[list[str]] = []
    current: list[str] = []
    for raw in text.replace("\r\n", "\n").replace("\r", "\n").split("\n"):
        line = raw.strip()
        if line:
            current.append(line)
        elif current:
            blocks.append(current)
            current = []
    if current:
        blocks.append(current)
    return blocks


def _context(
    ticket: LetterFacts,
    resolution: ResolutionAction,
    number: str,
    at: datetime,
    city: str,
    escalation_url: str | None,
    escalation_deadline: datetime | None,
) -> dict[str, Any]:
    return {
        "t": ticket,
        "r": resolution,
        "number": number,
        "at": at,
        "city": city,
        "_": _,
        "channel_name": _(f"letter.channel.{ticket.channel.value}"),
        "meeting_start": ticket.meeting_start,
        "level_title": LEVEL_TITLES[ticket.level],
        "next_level_title": LEVEL_TITLES[ticket.next_level] if ticket.next_level is not None else None,
        "level_titles": LEVEL_TITLES,
        "escalation_url": escalation_url,
        "escalation_deadline": escalation_deadline or ticket.escalation_deadline,
        "is_last_level": ticket.next_level is None,
        "staff_line": _staff_line,
        "paragraphs": paragraphs,
    }


def _staff_line(staff: Holder | None) -> str:
    return f"{staff.name}, {_(f'letter.role.{staff.role.value}')}" if staff else "—"


class _ResolutionPdf(FPDF):
    """A4 page frame: margins, the two DejaVu faces, and a footer that repeats the registration
    number on every page (a loose page of a registered document still says which one it is)."""

    def __init__(self, *, number: str, city: str, italics: bool = True) -> None:
        super().__init__(format="A4", unit="mm")
        self.number, self.city = number, city
        self.set_margins(left=20, top=18, right=20)
        self.set_auto_page_break(auto=True, margin=20)
        faces = list(_FONT_FILES.items())
        if italics:
            # No italic face is shipped: an <i> or <em> a city adds to the template prints upright
            # instead of failing the activity. Only then: every face registered is embedded.
            faces += [("I", _FONT_FILES[""]), ("BI", _FONT_FILES["B"])]
        for style, path in faces:
            key = f"{FONT.lower()}{style}"
            self.fonts[key] = _face(path, key, index=len(self.fonts) + 1)
        self.set_font(FONT, size=10)

    def footer(self) -> None:
        self.set_y(-14)
        self.set_font(FONT, size=7.5)
        self.set_text_color(110)
        self.cell(
            0,
            5,
            _("letter.page_footer", city=self.city, number=self.number, page=self.page_no(), pages="{nb}"),
            align="C",
        )


# Reading a face's metrics (`fpdf.add_font`) costs about 100 ms, four times per letter. Each face is
# read once per process; every letter gets a copy of it, with a fontTools font of its own opened
# from the file (a few ms), because writing the PDF subsets that font in place. Same bytes.
_FACES: dict[tuple[Path, str], TTFFont] = {}
_FACES_LOCK = threading.Lock()


def _face(path: Path, key: str, *, index: int) -> TTFFont:
    """`fpdf.add_font`'s face for `path` under `key`, as the document's `index`-th font."""
    with _FACES_LOCK:
        parsed = _FACES.get((path, key))
        if parsed is None:
            scratch = FPDF()
            scratch.add_font(FONT, style=key.removeprefix(FONT.lower()), fname=str(path))
            added = scratch.fonts[key]
            assert isinstance(added, TTFFont)
            _FACES[(path, key)] = parsed = added
        face = copy.deepcopy(parsed)  # fpdf2's own copy: shares the fontTools font, so…
    face.ttfont = ttLib.TTFont(path, recalcTimestamp=False, lazy=True)  # …each letter opens its own
    face.i = index
    return face

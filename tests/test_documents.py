"""The resolution document as a PDF (R8, R9, R10): what the citizen reads in it, read back out of the
PDF with pypdf the way a search or a screen reader would; and the activity that registers it, against
a real SQLite registry.

Unit level: the ticket views are built by hand, no Temporal server is needed (the activity runs in
`ActivityEnvironment`, which gives it an `activity.info()`).
"""

from __future__ import annotations

import dataclasses
import io
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest
from pypdf import PdfReader
from temporalio.testing import ActivityEnvironment

from activities.documents import DEFAULT_ESCALATION_WINDOW, DocumentActivities, escalation_deadline
from core.links import citizen_url, workflow_id_for
from domain.activity_io import DocumentRequest, DocumentRequestWithView, LetterFacts
from domain.models import (
    AudienceRecord,
    Channel,
    Level,
    MeetingInfo,
    NeededDocument,
    Outcome,
    ResolutionAction,
    Role,
    TicketStatus,
    TicketView,
)
from integrations import documents
from integrations.documents import (
    CONTENT_TYPE,
    FONTS,
    filename_for,
    paragraphs,
    render_resolution,
    render_resolution_html,
)
from store.db import create_schema, make_engine
from store.seed import seed_demo_city
from store.stores import stores_for
from tests.samples import meeting_info, next_level, staff_member, ticket_view

CITY = "Primăria Municipiului Cluj-Napoca"
NUMBER = "104233/2026"
SUBJECT = "Certificat de urbanism pentru construirea unei locuințe unifamiliale în cartierul Bună Ziua"
OUTGOING = "TA-2026-000123"
SLOT = datetime(2026, 3, 30, 5, 30, tzinfo=UTC)  # Monday after the spring DST change: 08:30 local
ISSUED = datetime(2026, 3, 30, 7, 15, tzinfo=UTC)  # 10:15 local
DEADLINE = datetime(2026, 4, 29, 7, 15, tzinfo=UTC)  # 10:15 local
LINK = "http://127.0.0.1:8000/bilet/tichet-104233_2026?cheie=q1w2e3r4t5y6u7i8o9p0a1s2"
BASE_URL, SECRET = "http://127.0.0.1:8000", "test-link-secret"

CONCLUSIONS = (
    "Am discutat situația dosarului. Cererea poate fi soluționată după completarea documentației.\n"
    "Termenul de emitere curge de la data completării.\n"
    "\n"
    "Vă rugăm să nu lăsați depunerea pe ultima zi: în perioada următoare registratura are program redus.\n"
    "\n"
    "ATENȚIE: ȘTAMPILA ȘI SEMNĂTURA SUNT OBLIGATORII ÎN ROMÂNIA. "
    "Acordul vecinilor <semnat> se depune separat."
)
FIRST_PARAGRAPH = (
    "Am discutat situația dosarului. Cererea poate fi soluționată după completarea documentației."
)
EARLIER_CONCLUSIONS = "Dosarul a fost verificat; lipsește avizul de mediu, pe care îl puteți cere online."


CLERK = staff_member("c0001", name="Ștefan Țurcanu")
DIRECTOR = staff_member("dir-urbanism", Role.DIRECTOR, name="Ana-Maria Îndrieș")
DEPUTY = staff_member("vp-2", Role.DEPUTY_MAYOR, name="Mircea Ardeleanu")
MAYOR = staff_member("primar", Role.MAYOR, name="Emil Boc")
HOLDER = {Level.CLERK: CLERK, Level.DIRECTOR: DIRECTOR, Level.DEPUTY_MAYOR: DEPUTY, Level.MAYOR: MAYOR}


def meeting(start: datetime, channel: Channel = Channel.WEBEX) -> MeetingInfo:
    return meeting_info(start, channel, meeting_id="m-1", join_url="https://webex.example/m-1", phone=None)


def audience(level: Level, document_number: str, conclusions: str = EARLIER_CONCLUSIONS) -> AudienceRecord:
    start = SLOT - timedelta(days=7 * (Level.MAYOR - level))
    return AudienceRecord(
        level=level,
        staff=HOLDER[level],
        meeting=meeting(start),
        outcome=Outcome.HELD,
        conclusions=conclusions,
        documents_needed=[],
        document_number=document_number,
        resolved_at=start + timedelta(hours=2),
    )


def ticket(
    level: Level = Level.CLERK,
    *,
    channel: Channel = Channel.WEBEX,
    audiences: list[AudienceRecord] | None = None,
    escalation_deadline: datetime | None = None,
    registration_number: str = NUMBER,
    ticket_id: str = "t-8f1c",
) -> LetterFacts:
    return LetterFacts.from_view(
        the_view(
            level,
            channel=channel,
            audiences=audiences,
            escalation_deadline=escalation_deadline,
            registration_number=registration_number,
            ticket_id=ticket_id,
        )
    )


def the_view(
    level: Level = Level.CLERK,
    *,
    channel: Channel = Channel.WEBEX,
    audiences: list[AudienceRecord] | None = None,
    escalation_deadline: datetime | None = None,
    registration_number: str = NUMBER,
    ticket_id: str = "t-8f1c",
) -> TicketView:
    """The whole view, as tickets started before lean activity inputs sent it."""
    return ticket_view(
        ticket_id=ticket_id,
        status=TicketStatus.RESOLVING,
        level=level,
        registration_number=registration_number,
        subject=SUBJECT,
        channel=channel,
        assignee=HOLDER[level],
        slot_start=SLOT,
        meeting=meeting(SLOT, channel),
        outcome=Outcome.HELD,
        escalation_deadline=escalation_deadline,
        next_level=next_level(level),
        audiences=audiences or [],
    )


def resolution(conclusions: str = CONCLUSIONS) -> ResolutionAction:
    return ResolutionAction(
        staff_id=CLERK.id,
        conclusions=conclusions,
        documents_needed=[
            NeededDocument(title="Plan de situație", original=True),
            NeededDocument(title="Extras de carte funciară", original=False),
        ],
    )


def render(view: LetterFacts, *, url: str | None = None, deadline: datetime | None = None) -> bytes:
    return render_resolution(
        view, resolution(), OUTGOING, ISSUED, CITY, escalation_url=url, escalation_deadline=deadline
    )


def pdf_text(content: bytes) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(content)).pages)


def flat(text: str) -> str:
    """Whitespace-insensitive: a sentence may wrap anywhere on the page."""
    return " ".join(text.split())


def link_targets(content: bytes) -> list[str]:
    targets = []
    for page in PdfReader(io.BytesIO(content)).pages:
        for annotation in page.get("/Annots") or []:
            action = annotation.get_object().get("/A")
            if action is not None:
                targets.append(str(action["/URI"]))
    return targets


# --- the PDF and what it says ----------------------------------------------------------------------


def test_it_is_a_pdf_with_its_number_in_the_metadata() -> None:
    content = render(ticket())
    assert content.startswith(b"%PDF-")
    assert CONTENT_TYPE == "application/pdf"
    metadata = PdfReader(io.BytesIO(content)).metadata
    assert metadata is not None
    assert metadata.title == f"Rezoluția nr. {OUTGOING}" and metadata.author == CITY


def test_every_field_is_in_the_document() -> None:
    text = flat(pdf_text(render(ticket(), url=LINK, deadline=DEADLINE)))
    expected = [
        CITY,  # city header
        f"Nr. înregistrare ieșire: {OUTGOING}",
        "din 30.03.2026 10:15",  # issued at, Europe/Bucharest
        f"Dosarul nr. {NUMBER}",
        f"Obiectul dosarului {SUBJECT}",
        "Data și ora întâlnirii 30.03.2026 08:30 (ora României)",  # 05:30 UTC, summer time
        "Canal Webex",
        "Ați discutat cu Ștefan Țurcanu, funcționar",
        FIRST_PARAGRAPH,
        "Termenul de emitere curge de la data completării.",
        "Plan de situație — original: îl aduceți la registratură sau funcționarului care are dosarul.",
        "Extras de carte funciară — copie: o puteți trimite pe e-mail.",
        "puteți cere o întâlnire cu directorul de serviciu până la 29.04.2026 10:15 (ora României)",
        LINK,
        "pagina 1/1",
    ]
    for fragment in expected:
        assert fragment in text, fragment


def test_romanian_diacritics_come_back_out_intact() -> None:
    text = pdf_text(render(ticket()))
    for word in ("Plan de situație", "Ștefan", "Țurcanu", "lăsa", "în", "ÎN ROMÂNIA"):
        assert word in text, word
    for letter in "șțăîâȘȚĂÎÂ":
        assert letter in text, letter
    # comma-below as typed, never the cedilla look-alikes, and no tofu or replacement characters
    assert not set("şţŞŢ\ufffd") & set(text)
    assert "ATENȚIE: ȘTAMPILA ȘI SEMNĂTURA SUNT OBLIGATORII ÎN ROMÂNIA." in flat(text)


def test_conclusions_keep_their_paragraphs_and_text_is_not_markup() -> None:
    text = pdf_text(render(ticket()))
    lines = [line.strip() for line in text.splitlines()]
    # single line breaks and blank-line paragraphs both survive as separate lines, in order
    first = lines.index(FIRST_PARAGRAPH)
    assert lines[first + 1] == "Termenul de emitere curge de la data completării."
    assert lines[first + 2].startswith("Vă rugăm să nu lăsați depunerea")
    # what a clerk types is text: escaped for the HTML step, printed as typed
    assert "Acordul vecinilor <semnat> se depune separat." in flat(text)
    injected = render_resolution(
        ticket(), resolution("Textul <b>nu</b> devine <h1>titlu</h1>, rămâne text."), OUTGOING, ISSUED, CITY
    )
    assert "Textul <b>nu</b> devine <h1>titlu</h1>, rămâne text." in flat(pdf_text(injected))


def test_paragraphs_split_on_blank_lines_and_keep_line_breaks() -> None:
    assert paragraphs("a\r\nb\n\n\n  c  \n\n") == [["a", "b"], ["c"]]
    assert paragraphs("   \n") == []


@pytest.mark.parametrize(
    ("channel", "label"),
    [(Channel.WEBEX, "Webex"), (Channel.PHONE, "telefon"), (Channel.IN_PERSON, "la sediu")],
)
def test_channel_is_named_as_the_citizen_knows_it(channel: Channel, label: str) -> None:
    assert f"Canal {label}\n" in pdf_text(render(ticket(channel=channel))) + "\n"


def test_escalation_link_and_deadline_below_the_mayor() -> None:
    for level, next_title in (
        (Level.CLERK, "directorul de serviciu"),
        (Level.DIRECTOR, "viceprimarul"),
        (Level.DEPUTY_MAYOR, "primarul"),
    ):
        content = render(ticket(level), url=LINK, deadline=DEADLINE)
        text = flat(pdf_text(content))
        assert f"puteți cere o întâlnire cu {next_title} până la 29.04.2026 10:15" in text, level
        assert LINK in text and link_targets(content) == [LINK], level
        assert "ultimul nivel" not in text


def test_deadline_from_the_ticket_when_the_workflow_has_set_it() -> None:
    text = flat(pdf_text(render(ticket(escalation_deadline=DEADLINE), url=LINK)))
    assert "până la 29.04.2026 10:15" in text


def test_without_a_link_the_letter_points_to_the_email() -> None:
    text = flat(pdf_text(render(ticket())))
    assert "de la linkul din e-mailul cu care ați primit acest document" in text
    assert "în termenul arătat în e-mailul" in text
    assert "http" not in text


def test_the_mayor_is_the_last_level() -> None:
    # even if a caller passed a link and a deadline, the mayor's letter offers no next level
    content = render(ticket(Level.MAYOR), url=LINK, deadline=DEADLINE)
    text = flat(pdf_text(content))
    assert "Aceasta este rezoluția primarului, ultimul nivel al procedurii „Tichet albastru”" in text
    assert "Ați discutat cu Emil Boc, primar" in text
    assert LINK not in text and "29.04.2026" not in text and link_targets(content) == []
    assert "puteți cere o întâlnire" not in text


def test_an_escalated_ticket_carries_the_earlier_resolutions() -> None:
    earlier = [
        audience(Level.CLERK, "TA-2026-000041"),
        audience(Level.DIRECTOR, "TA-2026-000077", "Directorul confirmă: avizul de mediu rămâne necesar."),
        audience(Level.DEPUTY_MAYOR, "TA-2026-000099", "Viceprimarul a cerut o nouă verificare în teren."),
    ]
    text = flat(pdf_text(render(ticket(Level.MAYOR, audiences=earlier))))
    assert "Rezoluțiile nivelurilor anterioare" in text
    for heading, number, conclusions in (
        ("Funcționarul care are dosarul: Ștefan Țurcanu, funcționar", "TA-2026-000041", EARLIER_CONCLUSIONS),
        (
            "Directorul de serviciu: Ana-Maria Îndrieș, director de serviciu",
            "TA-2026-000077",
            "Directorul confirmă: avizul de mediu rămâne necesar.",
        ),
        (
            "Viceprimarul: Mircea Ardeleanu, viceprimar",
            "TA-2026-000099",
            "Viceprimarul a cerut o nouă verificare în teren.",
        ),
    ):
        assert heading in text and f"Rezoluția nr. {number}" in text and conclusions in text, number
    # in the order they happened
    assert text.index("TA-2026-000041") < text.index("TA-2026-000077") < text.index("TA-2026-000099")


def test_a_first_level_ticket_has_no_earlier_resolutions_section() -> None:
    assert "Rezoluțiile nivelurilor anterioare" not in pdf_text(render(ticket()))


def test_no_documents_needed_is_said_plainly() -> None:
    bare = ResolutionAction(staff_id=CLERK.id, conclusions=CONCLUSIONS)
    text = flat(pdf_text(render_resolution(ticket(), bare, OUTGOING, ISSUED, CITY)))
    assert "Nu mai este nevoie de alte documente." in text and "original:" not in text


def test_long_conclusions_flow_over_pages_with_the_number_on_each() -> None:
    long = "\n\n".join(
        f"Paragraful {i}: " + "situația dosarului se lămurește pas cu pas. " * 25 for i in range(7)
    )
    assert len(long) <= 8000  # the most a resolution may hold
    reader = PdfReader(io.BytesIO(render_resolution(ticket(), resolution(long), OUTGOING, ISSUED, CITY)))
    pages = len(reader.pages)
    assert pages >= 2
    for n, page in enumerate(reader.pages, start=1):
        assert f"Rezoluția nr. {OUTGOING} · pagina {n}/{pages}" in page.extract_text()
    assert "Paragraful 6:" in flat(
        pdf_text(render_resolution(ticket(), resolution(long), OUTGOING, ISSUED, CITY))
    )


def test_rendering_is_deterministic() -> None:
    """A retried activity re-renders and overwrites: the bytes must not change."""
    view = ticket(Level.DIRECTOR, audiences=[audience(Level.CLERK, "TA-2026-000041")])
    assert render(view, url=LINK, deadline=DEADLINE) == render(view, url=LINK, deadline=DEADLINE)


def test_filename() -> None:
    assert filename_for(ticket()) == "rezolutie-104233-2026-nivel0.pdf"
    assert filename_for(ticket(Level.MAYOR)) == "rezolutie-104233-2026-nivel3.pdf"


def test_template_output_is_html_for_the_pdf_step() -> None:
    html = render_resolution_html(ticket(), resolution(), OUTGOING, ISSUED, CITY)
    assert "&lt;semnat&gt;" in html and "<semnat>" not in html  # autoescaped
    assert "<style" not in html and "<head" not in html  # fpdf2 would print them as text


def test_the_fonts_and_their_license_ship_with_the_templates() -> None:
    for name in ("DejaVuSans.ttf", "DejaVuSans-Bold.ttf", "LICENSE"):
        assert (FONTS / name).is_file(), name
    assert "Bitstream Vera" in (FONTS / "LICENSE").read_text(encoding="utf-8")


# --- the activity against a real registry ---------------------------------------------------------


@pytest.fixture
def registry_city(tmp_path: Path) -> tuple[DocumentActivities, str]:
    engine = make_engine(f"sqlite:///{tmp_path / 'registry.db'}")
    create_schema(engine)
    summary = seed_demo_city(engine, date(2026, 3, 27), files=50, reset=True)
    stores = stores_for(engine)
    activities = DocumentActivities(stores.registry, CITY, base_url=BASE_URL, link_secret=SECRET)
    return activities, summary.demo_files[0].registration_number


def environment_for(registration_number: str) -> ActivityEnvironment:
    env = ActivityEnvironment()
    env.info = dataclasses.replace(env.info, workflow_id=workflow_id_for(registration_number))
    return env


def test_activity_registers_once_and_stores_the_pdf(registry_city: tuple[DocumentActivities, str]) -> None:
    activities, file_number = registry_city
    view = ticket(registration_number=file_number, ticket_id="t-activity-1")
    request = DocumentRequest(ticket=view, resolution=resolution(), at=ISSUED)
    env = environment_for(file_number)

    first = env.run(activities.issue_resolution_document, request)
    stored = activities.registry.document_content(first.registration_number)
    assert stored is not None
    document, content = stored
    assert first.registration_number.startswith("TA-2026-")
    assert document == first
    assert (first.content_type, first.filename) == (
        "application/pdf",
        f"rezolutie-{file_number.replace('/', '-')}-nivel0.pdf",
    )
    assert content.startswith(b"%PDF-")

    text = flat(pdf_text(content))
    link = citizen_url(BASE_URL, SECRET, workflow_id_for(file_number), "t-activity-1")
    assert f"Nr. înregistrare ieșire: {first.registration_number}" in text
    assert f"Dosarul nr. {file_number}" in text and "Plan de situație — original" in text
    assert link in text and link_targets(content) == [link]
    # the workflow sets the deadline only after this activity: the default window from the issue
    assert "până la 29.04.2026 10:15" in text  # ISSUED + 30 days, Europe/Bucharest

    # a retry (Temporal re-runs the activity after a lost completion) gets the same number and bytes
    again = environment_for(file_number).run(activities.issue_resolution_document, request)
    assert again == first
    assert activities.registry.document_content(first.registration_number) == (document, content)

    # another level of the same ticket is another registered document
    director_view = ticket(
        Level.DIRECTOR,
        registration_number=file_number,
        ticket_id="t-activity-1",
        audiences=[audience(Level.CLERK, first.registration_number)],
    )
    director_request = DocumentRequest(
        ticket=director_view, resolution=resolution(), at=ISSUED + timedelta(days=3)
    )
    second_level = environment_for(file_number).run(activities.issue_resolution_document, director_request)
    assert second_level.registration_number != first.registration_number
    assert second_level.filename.endswith("-nivel1.pdf")


def test_activity_without_link_settings_points_to_the_email(
    registry_city: tuple[DocumentActivities, str],
) -> None:
    activities, file_number = registry_city
    bare = DocumentActivities(activities.registry, CITY)
    request = DocumentRequest(
        ticket=ticket(registration_number=file_number, ticket_id="t-activity-2"),
        resolution=resolution(),
        at=ISSUED,
    )
    registered = environment_for(file_number).run(bare.issue_resolution_document, request)
    stored = bare.registry.document_content(registered.registration_number)
    assert stored is not None
    text = flat(pdf_text(stored[1]))
    assert "de la linkul din e-mailul" in text and "/bilet/" not in text


def test_escalation_deadline_rule() -> None:
    assert escalation_deadline(ticket(), ISSUED) == ISSUED + DEFAULT_ESCALATION_WINDOW
    assert timedelta(days=30) == DEFAULT_ESCALATION_WINDOW  # the default Policy
    assert escalation_deadline(ticket(escalation_deadline=DEADLINE), ISSUED) == DEADLINE
    assert escalation_deadline(ticket(Level.MAYOR), ISSUED) is None


def test_a_request_of_the_old_shape_issues_the_same_document(
    registry_city: tuple[DocumentActivities, str],
) -> None:
    """Tickets started before `lean-activity-inputs-v1` schedule the whole view; retried after the
    deploy, the activity still takes it and makes the same letter, under the same number."""
    activities, file_number = registry_city
    earlier = [audience(Level.CLERK, "TA-2026-000041")]
    old = DocumentRequestWithView(
        ticket=the_view(
            Level.DIRECTOR, registration_number=file_number, ticket_id="t-old", audiences=earlier
        ),
        resolution=resolution(),
        at=ISSUED,
    )
    lean = DocumentRequest(
        ticket=ticket(Level.DIRECTOR, registration_number=file_number, ticket_id="t-old", audiences=earlier),
        resolution=resolution(),
        at=ISSUED,
    )
    from_old = environment_for(file_number).run(activities.issue_resolution_document, old)
    stored = activities.registry.document_content(from_old.registration_number)
    from_lean = environment_for(file_number).run(activities.issue_resolution_document, lean)
    assert from_lean == from_old
    assert activities.registry.document_content(from_lean.registration_number) == stored
    assert len(lean.model_dump_json()) < len(old.model_dump_json())


def test_letters_rendered_at_once_on_threads_are_the_letters_rendered_alone() -> None:
    """Each face is read once per process and copied into every letter (the worker renders on
    threads): no letter may see another's glyphs, whatever the order."""
    views = [ticket(), ticket(Level.DIRECTOR, audiences=[audience(Level.CLERK, "TA-2026-000041")])]
    alone = [render(v, url=LINK, deadline=DEADLINE) for v in views]
    with ThreadPoolExecutor(max_workers=4) as pool:
        together = list(pool.map(lambda v: render(v, url=LINK, deadline=DEADLINE), views * 3))
    assert together == alone * 3


def test_italics_in_the_template_still_print() -> None:
    """A city may add <em> to its letter: the italic faces are then registered (printed upright)."""
    html = render_resolution_html(ticket(), resolution(), OUTGOING, ISSUED, CITY)
    assert "<em" not in html, "the shipped letter needs no italic face"
    pdf = documents._ResolutionPdf(number=OUTGOING, city=CITY, italics=True)
    pdf.add_page()
    pdf.write_html("<p>un <em>cuvânt</em> subliniat</p>", font_family=documents.FONT)
    assert "cuvânt" in pdf_text(bytes(pdf.output()))

"""Every sentence a citizen or clerk reads: the message catalogue, the email templates rendered through
compose(), and the resolution document."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from email import policy
from email.message import EmailMessage
from email.parser import BytesParser
from pathlib import Path
from typing import Any

import pytest

from activities.notifications import NotificationActivities
from core.catalogs import languages, text, translations
from devstack.mailbox import Mailbox, StoredMessage
from domain.activity_io import EmailRequest, TicketFacts
from domain.messages import CODES
from domain.models import Channel, Language, Level, Outcome, TicketStatus, TicketView, TimelineEntry
from integrations.emails import compose
from integrations.templates import TEMPLATES
from tests import samples
from tests.emails import activity_info, html, plain, run_send_email, smtp_notifications
from tests.samples import CLERK, JOIN_URL, PHONE, meeting_info, next_level

ROMANIAN_LETTERS = set("ăâîșțĂÂÎȘȚ")
NUMBER = "104233/2026"
LINK = "https://tichet.primaria.example/t/abc123?sig=f00d"
STAFF_LINK = "https://tichet.primaria.example/personal/tichete/tichet-104233_2026"
CITY = "Primăria Municipiului Cluj-Napoca"
SLOT = datetime(2026, 3, 30, 5, 30, tzinfo=UTC)  # Monday after the spring DST change: 08:30 local
SLOT_LOCAL = "30.03.2026 08:30"

EMAIL_DIR = TEMPLATES / "email"
# One template per email, its sentences from the catalogs: a citizen's in every catalog's language,
# a staff email in Romanian.
KINDS = sorted(p.name.removesuffix(".txt.j2") for p in EMAIL_DIR.glob("*.txt.j2"))
CITIZEN_KINDS = [kind for kind in KINDS if not kind.startswith("staff_")]
STAFF_KINDS = [kind for kind in KINDS if kind.startswith("staff_")]
RO_KINDS = sorted(CITIZEN_KINDS + STAFF_KINDS)
CITIZEN_LANGUAGES = [Language(code) for code in languages()]  # ro, en, hu: the catalogs shipped

# What the workflow passes as `note` (blue_ticket.py): a message code for choose_slot, a reason for ended.
NOTES = {"choose_slot": "slot_taken", "ended": "nu s-a putut aloca un funcționar la timp"}

# The state the ticket is in when the workflow sends each email.
STATUS = {
    "rejected": TicketStatus.REJECTED,
    "choose_slot": TicketStatus.AWAITING_SLOT,
    "confirmation": TicketStatus.SCHEDULED,
    "cancelled": TicketStatus.CANCELLED,
    "citizen_no_show": TicketStatus.CLOSED,
    "clerk_no_show": TicketStatus.CLOSED,
    "ended": TicketStatus.CANCELLED,
    "resolution": TicketStatus.RESOLVED,
    "staff_assigned": TicketStatus.SCHEDULED,
    "staff_cancelled": TicketStatus.CANCELLED,
    "staff_clerk_no_show_report": TicketStatus.CLOSED,
    "staff_outcome_request": TicketStatus.AWAITING_OUTCOME,
    "staff_pick_needed": TicketStatus.AWAITING_ASSIGNMENT,
    "staff_resolution_late": TicketStatus.AWAITING_RESOLUTION,
    "staff_resolution_reminder": TicketStatus.AWAITING_RESOLUTION,
    "reminder": TicketStatus.SCHEDULED,
    "rescheduled": TicketStatus.SCHEDULED,
    "staff_rescheduled": TicketStatus.SCHEDULED,
    "staff_in_person_request": TicketStatus.AWAITING_CLERK_ACCEPTANCE,
}
OUTCOME = {
    "citizen_no_show": Outcome.CITIZEN_NO_SHOW,
    "clerk_no_show": Outcome.CLERK_NO_SHOW,
    "staff_clerk_no_show_report": Outcome.CLERK_NO_SHOW,
    "resolution": Outcome.HELD,
    "staff_resolution_late": Outcome.HELD,
    "staff_resolution_reminder": Outcome.HELD,
}


def ticket_view(kind: str, language: Language = Language.RO, **overrides: Any) -> TicketView:
    status = STATUS[kind]
    level = overrides.pop("level", Level.CLERK)
    channel = overrides.pop("channel", Channel.WEBEX)
    rejected = status == TicketStatus.REJECTED
    booked = status not in (
        TicketStatus.REJECTED,
        TicketStatus.AWAITING_ASSIGNMENT,
        TicketStatus.AWAITING_SLOT,
    )
    resolved = status == TicketStatus.RESOLVED
    values: dict[str, Any] = {
        "ticket_id": "bt-104233-2026-1",
        "status": status,
        "level": level,
        "registration_number": NUMBER,
        "subject": None if rejected else "Certificat de urbanism pentru extindere locuință",
        "department_id": None if rejected else "urb",
        "channel": channel,
        "citizen_language": language,
        "assignee": None if rejected or status == TicketStatus.AWAITING_ASSIGNMENT else CLERK,
        "slot_start": SLOT,
        "meeting": meeting_info(SLOT, channel) if booked else None,
        "outcome": OUTCOME.get(kind),
        "document_number": "R-5501/2026" if resolved else None,
        "escalation_deadline": SLOT + timedelta(days=31) if resolved else None,
        "next_level": next_level(level),
        "rejection_code": "no_matching_file" if rejected else None,
        "timeline": [TimelineEntry(at=SLOT - timedelta(days=1), step="validated", detail=NUMBER)],
    }
    return samples.ticket_view(**(values | overrides))


def render(kind: str, language: Language, **overrides: Any) -> EmailMessage:
    link = STAFF_LINK if kind.startswith("staff_") else LINK  # as activities/notifications.py does
    return compose(
        kind,
        language,
        "ioana.pop@example.com",
        TicketFacts.from_view(ticket_view(kind, language, **overrides)),
        link,
        NOTES.get(kind, ""),
        CITY,
    )


# --- the message catalogue -------------------------------------------------------------------------


# Each code's sentence in the two languages of the API's own answers (the catalogs' `message.` ids).
MESSAGES = {
    code: {lang: translations(lang).gettext(f"message.{code}") for lang in (Language.RO, Language.EN)}
    for code in CODES
}


def test_catalogue_is_not_empty_and_has_the_rejection_code() -> None:
    assert "no_matching_file" in MESSAGES
    assert len(MESSAGES) >= 10


@pytest.mark.parametrize("code", sorted(MESSAGES))
def test_every_message_has_distinct_romanian_and_english_text(code: str) -> None:
    assert set(MESSAGES[code]) == {Language.RO, Language.EN}
    ro, en = MESSAGES[code][Language.RO], MESSAGES[code][Language.EN]
    assert ro.strip() and en.strip()
    assert ro != en


@pytest.mark.parametrize("code", sorted(MESSAGES))
def test_both_languages_take_the_same_placeholders(code: str) -> None:
    def fields(template: str) -> set[str]:
        return set(re.findall(r"%\((\w+)\)s", template))

    assert fields(MESSAGES[code][Language.RO]) == fields(MESSAGES[code][Language.EN])


def test_romanian_texts_use_romanian_diacritics() -> None:
    ro = [m[Language.RO] for m in MESSAGES.values()]
    with_diacritics = [t for t in ro if ROMANIAN_LETTERS & set(t)]
    assert len(with_diacritics) >= len(ro) // 2
    joined = "".join(ro)
    for letter in "ăâîșț":
        assert letter in joined, letter
    # comma-below ș/ț, never the legacy cedilla forms ş/ţ
    assert "ş" not in joined and "ţ" not in joined
    assert not any(ROMANIAN_LETTERS & set(m[Language.EN]) for m in MESSAGES.values())


@pytest.mark.parametrize(
    ("code", "letters"),
    [
        ("no_matching_file", "ăș"),
        ("slot_outside_window", "ăî"),
        ("slot_person_absent", "ț"),
        ("slot_day_off", "Îă"),
    ],
)
def test_specific_romanian_texts_keep_their_diacritics(code: str, letters: str) -> None:
    for letter in letters:
        assert letter in MESSAGES[code][Language.RO]


def test_text_picks_the_language_and_formats_values() -> None:
    assert text("slot_taken") == MESSAGES["slot_taken"][Language.RO]
    assert text("slot_taken", Language.EN) == MESSAGES["slot_taken"][Language.EN]
    assert text("action_not_allowed", Language.EN, detail="too late").endswith(": too late")
    assert text("action_not_allowed", Language.RO, detail="prea târziu").endswith(": prea târziu")


def test_unknown_code_falls_back_to_invalid_input() -> None:
    assert text("no_such_code", Language.EN) == MESSAGES["invalid_input"][Language.EN]


# --- email templates -------------------------------------------------------------------------------


def test_template_sets() -> None:
    assert "confirmation" in CITIZEN_KINDS and "resolution" in CITIZEN_KINDS and "rejected" in CITIZEN_KINDS
    # staff emails are Romanian only; every email a citizen can receive is in every catalog's language
    assert STAFF_KINDS and all(kind.startswith("staff_") for kind in STAFF_KINDS)
    assert not any(kind.startswith("staff_") for kind in CITIZEN_KINDS)
    assert set(STATUS) == set(RO_KINDS), "a new template needs a realistic ticket state here"


@pytest.mark.parametrize(
    ("kind", "language"),
    [(k, Language.RO) for k in STAFF_KINDS]
    + [(k, lang) for k in CITIZEN_KINDS for lang in CITIZEN_LANGUAGES],
)
def test_every_template_renders(kind: str, language: Language) -> None:
    message = render(kind, language)
    subject = message["Subject"]
    assert subject and subject.strip() and "Subject:" not in subject
    assert message["To"] == "ioana.pop@example.com"
    assert message["Message-ID"]
    body = plain(message)
    assert not body.startswith("Subject:")
    assert "{{" not in body and "{%" not in body and "None" not in body
    if kind != "rejected":  # R1: the rejection is one generic answer, sent before any file is known
        assert NUMBER in body or NUMBER in subject
    assert CITY in html(message)
    # round-trips through the wire format with diacritics intact
    parsed = BytesParser(policy=policy.default).parsebytes(message.as_bytes())
    assert parsed["Subject"] == subject
    assert plain(parsed) == body


@pytest.mark.parametrize("kind", CITIZEN_KINDS)
@pytest.mark.parametrize("language", CITIZEN_LANGUAGES)
def test_citizen_emails_carry_the_ticket_link(kind: str, language: Language) -> None:
    message = render(kind, language)
    assert LINK.replace("&", "&amp;") in html(message)
    if kind in ("choose_slot", "confirmation", "resolution"):  # the ones that ask the citizen to act
        assert LINK in plain(message)


@pytest.mark.parametrize("kind", STAFF_KINDS)
def test_staff_emails_are_romanian_and_carry_no_citizen_link(kind: str) -> None:
    message = render(kind, Language.EN)  # staff emails are Romanian whatever the language asked
    assert message["Subject"] == render(kind, Language.RO)["Subject"]
    assert LINK not in message.as_string()
    assert STAFF_LINK in plain(message), "staff open the ticket in their app"
    assert 'lang="ro"' in html(message)


@pytest.mark.parametrize("language", [Language.RO, Language.EN])
def test_romanian_emails_keep_their_diacritics(language: Language) -> None:
    message = render("confirmation", language)
    body = plain(message)
    assert CLERK.name in body
    if language == Language.RO:
        assert ROMANIAN_LETTERS & set(body)
        assert "Întâlnirea" in body and "înregistrată" in body
        assert "funcționarul care are dosarul" in body
    else:
        assert "the clerk handling the file" in body


@pytest.mark.parametrize("language", [Language.RO, Language.EN])
def test_slot_times_are_shown_in_local_time(language: Language) -> None:
    message = render("confirmation", language)
    assert SLOT_LOCAL in message["Subject"]
    assert SLOT_LOCAL in plain(message)
    assert render("staff_assigned", Language.RO)["Subject"].startswith(f"Tichet albastru nou: {SLOT_LOCAL}")


@pytest.mark.parametrize(
    ("channel", "ro_line", "en_line"),
    [
        (Channel.WEBEX, "https://webex.example/meet/m-123", "https://webex.example/meet/m-123"),
        (
            Channel.PHONE,
            "Veți fi sunat(ă) la numărul +40 712 345 678",
            "You will be called on +40 712 345 678",
        ),
        (Channel.IN_PERSON, "la sediul primăriei", "at the city hall"),
    ],
)
def test_confirmation_for_each_channel(channel: Channel, ro_line: str, en_line: str) -> None:
    assert ro_line in plain(render("confirmation", Language.RO, channel=channel))
    assert en_line in plain(render("confirmation", Language.EN, channel=channel))


def test_choose_slot_explains_the_refusal_in_the_citizen_language() -> None:
    assert text("slot_taken", Language.RO) in plain(render("choose_slot", Language.RO))
    assert text("slot_taken", Language.EN) in plain(render("choose_slot", Language.EN))


def test_rejection_is_the_generic_no_matching_file_answer() -> None:
    assert text("no_matching_file", Language.RO) in plain(render("rejected", Language.RO))
    assert text("no_matching_file", Language.EN) in plain(render("rejected", Language.EN))


@pytest.mark.parametrize(
    ("level", "ro_next", "en_next"),
    [
        (Level.CLERK, "directorul de serviciu", "the service director"),
        (Level.DIRECTOR, "viceprimarul", "the deputy mayor"),
        (Level.DEPUTY_MAYOR, "primarul", "the mayor"),
    ],
)
def test_resolution_offers_the_next_level(level: Level, ro_next: str, en_next: str) -> None:
    ro = render("resolution", Language.RO, level=level)
    en = render("resolution", Language.EN, level=level)
    assert "R-5501/2026" in ro["Subject"] and "R-5501/2026" in en["Subject"]
    assert ro_next in plain(ro) and en_next in plain(en)
    assert LINK in plain(ro) and LINK in plain(en)
    deadline = "30.04.2026 08:30"  # 31 days after the slot, local time
    assert deadline in plain(ro) and deadline in plain(en)


@pytest.mark.parametrize("language", [Language.RO, Language.EN])
def test_resolution_at_mayor_level_offers_no_escalation(language: Language) -> None:
    message = render("resolution", language, level=Level.MAYOR)
    assert LINK not in plain(message)
    assert NUMBER in plain(message)


def test_html_alternative_escapes_what_it_shows() -> None:
    ticket = ticket_view("confirmation").model_copy(update={"subject": "<b>bold</b> & co"})
    facts = TicketFacts.from_view(ticket)
    message = compose("confirmation", Language.EN, "x@example.com", facts, LINK, "", CITY)
    assert "&lt;b&gt;bold&lt;/b&gt; &amp; co" in html(message)
    assert "<b>bold</b>" in plain(message)


# The resolution document (a PDF since issue 5) is tested in tests/test_documents.py.


# --- staff emails as the clerk receives them: the channel in words, the Temporal workflow id ---------

WORKFLOW_ID = "tichet-104233_2026"


@pytest.fixture
def smtp() -> Iterator[Mailbox]:
    with Mailbox(port=0) as box:
        yield box


@pytest.fixture
def notifications(smtp: Mailbox, tmp_path: Path) -> NotificationActivities:
    return smtp_notifications(smtp.port, tmp_path, city=CITY, link_secret="secret")


async def received_staff_email(
    notifications: NotificationActivities, smtp: Mailbox, kind: str, **overrides: Any
) -> StoredMessage:
    """`send_email` run as the worker runs it, read back from the SMTP server."""
    info = activity_info(WORKFLOW_ID, kind, SLOT - timedelta(days=1))
    ticket = TicketFacts.from_view(ticket_view(kind, **overrides))
    await run_send_email(
        notifications, info, EmailRequest(kind=kind, to=CLERK.email, language=Language.RO, ticket=ticket)
    )
    return await smtp.wait_for(lambda m: m.message["Message-ID"] == f"<run-1.{kind}@tichet-albastru>")


@pytest.mark.parametrize("kind", ["staff_assigned", "staff_rescheduled"])
@pytest.mark.parametrize(
    ("channel", "meeting", "line"),
    [
        (Channel.WEBEX, Channel.WEBEX, f"Cum: întâlnire video Webex, la {JOIN_URL}."),
        (Channel.PHONE, Channel.PHONE, f"Cum: telefon; sunați cetățeanul la {PHONE}."),
        (Channel.IN_PERSON, Channel.IN_PERSON, "Cum: la sediul primăriei."),
        # Webex failed and the meeting fell back to a phone call: the meeting's channel wins.
        (Channel.WEBEX, Channel.PHONE, f"Cum: telefon; sunați cetățeanul la {PHONE}."),
    ],
)
async def test_staff_emails_say_the_channel_in_words(
    notifications: NotificationActivities,
    smtp: Mailbox,
    kind: str,
    channel: Channel,
    meeting: Channel,
    line: str,
) -> None:
    received = await received_staff_email(
        notifications, smtp, kind, channel=channel, meeting=meeting_info(SLOT, meeting)
    )
    assert line in received.text.splitlines()
    assert "Canal" not in received.text and f" {channel.value}" not in received.text


@pytest.mark.parametrize("kind", ["staff_assigned", "staff_pick_needed", "staff_in_person_request"])
async def test_staff_emails_name_the_temporal_workflow_id(
    notifications: NotificationActivities, smtp: Mailbox, kind: str
) -> None:
    """Where a clerk is told to act from the Temporal UI, the email names the workflow to open
    there (the ticket id is a different thing and finds nothing in the UI's search)."""
    received = await received_staff_email(notifications, smtp, kind)
    assert f"în Temporal: {WORKFLOW_ID}" in received.text
    assert "bt-104233-2026-1" not in received.text


def test_a_hungarian_citizen_reads_hungarian_emails() -> None:
    """The catalog is all a language needs: the same templates, the sentences of `hu`."""
    message = render("confirmation", Language("hu"))
    body = plain(message)
    assert message["Subject"] == "Kék jegy visszaigazolva: 2026. 03. 30. 08:30"  # its own way with figures
    assert body.startswith("Jó napot kívánunk!") and CLERK.name in body
    assert "az ügyiratot kezelő ügyintéző" in body and 'lang="hu"' in html(message)
    assert text("no_matching_file", Language("hu")) in plain(render("rejected", Language("hu")))

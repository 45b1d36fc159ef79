"""R1: the file exists with that number, name and filing date, and is in progress or answered at most
30 days ago. The rule by example, then over HTTP: every refusal is the same whole response."""

from __future__ import annotations

import json
from datetime import date, timedelta
from typing import Any

import httpx
import pytest

from core.catalogs import text
from domain.eligibility import is_eligible, normalise_name
from domain.models import FileRef, FileStatus, Language, Policy
from store.seed import demo_files
from tests.conftest import bucharest_today
from tests.factories import add_file, file_params
from tests.samples import file_info

TODAY = date(2026, 3, 10)
WINDOW = Policy().answered_files_eligible_for  # 30 days


def ref(**overrides: Any) -> FileRef:
    values: dict[str, Any] = {
        "registration_number": "104233/2026",
        "requester_name": "Ioana Pop",
        "filing_date": date(2026, 2, 20),
    }
    values.update(overrides)
    return FileRef(**values)


def test_default_window_is_30_days() -> None:
    assert timedelta(days=30) == WINDOW


def test_exact_match_is_eligible() -> None:
    assert is_eligible(file_info(), ref(), TODAY, WINDOW)


@pytest.mark.parametrize(
    "mismatch",
    [
        {"registration_number": "104234/2026"},
        {"registration_number": "104233/2025"},
        {"registration_number": "104233"},
        {"requester_name": "Ioana Popa"},
        {"requester_name": "Ioan Pop"},
        {"requester_name": "Maria Pop"},
        {"requester_name": "Ioana Maria Pop"},
        {"filing_date": date(2026, 2, 21)},
        {"filing_date": date(2025, 2, 20)},
    ],
    ids=lambda m: next(iter(m)) + "=" + str(next(iter(m.values()))),
)
def test_any_single_mismatch_is_not_eligible(mismatch: dict[str, Any]) -> None:
    assert not is_eligible(file_info(), ref(**mismatch), TODAY, WINDOW)


def test_missing_file_is_not_eligible() -> None:
    assert not is_eligible(None, ref(), TODAY, WINDOW)


@pytest.mark.parametrize(
    ("registered", "typed"),
    [
        ("Ioana Pop", "Ioana Pop"),
        ("Ioana Pop", "Pop Ioana"),
        ("Ioana Pop", "POP IOANA"),
        ("Ioana Pop", "ioana pop"),
        ("Ioana Pop", "  Ioana   Pop  "),
        ("Ioana Pop", "Ioana\tPop"),
        ("Ioana-Maria Pop", "Ioana Maria Pop"),
        ("Ioana-Maria Pop", "Pop Ioana-Maria"),
        ("Ioana-Maria Pop", "POP  maria-ioana"),
        ("Pop-Ionescu Ioana", "Ioana Pop Ionescu"),
        # comma-below (correct Romanian) vs cedilla (legacy encodings) vs no diacritics at all
        ("Ștefan Țurcanu", "Ştefan Ţurcanu"),
        ("Ştefan Ţurcanu", "Ștefan Țurcanu"),
        ("Ștefan Țurcanu", "Stefan Turcanu"),
        ("ȘTEFAN ȚURCANU", "ştefan ţurcanu"),
        ("Ana Mărculescu-Râșnoveanu", "ANA MARCULESCU RASNOVEANU"),
        ("Irina Însurățelu", "Insuratelu Irina"),
        # decomposed (NFD) input, as some keyboards and browsers send it
        ("Ștefan Țurcanu", "S\u0326tefan T\u0326urcanu"),
    ],
)
def test_name_normalisation_matches(registered: str, typed: str) -> None:
    assert normalise_name(registered) == normalise_name(typed)
    assert is_eligible(file_info(requester_name=registered), ref(requester_name=typed), TODAY, WINDOW)


@pytest.mark.parametrize(
    ("registered", "typed"),
    [
        ("Ioana Pop", "Ioana Popescu"),
        ("Ioana Pop", "Ioana"),
        ("Ioana Pop", "Ioana Pop Pop"),
        ("Ștefan Țurcanu", "Ștefan Țurcan"),
        ("Ioana-Maria Pop", "IoanaMaria Pop"),
    ],
)
def test_name_normalisation_keeps_different_names_apart(registered: str, typed: str) -> None:
    assert normalise_name(registered) != normalise_name(typed)
    assert not is_eligible(file_info(requester_name=registered), ref(requester_name=typed), TODAY, WINDOW)


def test_normalised_name_is_sorted_bare_lower_case_words() -> None:
    assert normalise_name("  POP-Ionescu   Ștefania ") == ("ionescu", "pop", "stefania")


@pytest.mark.parametrize("filed_years_ago", [0, 1, 5, 20])
def test_in_progress_file_is_eligible_regardless_of_age(filed_years_ago: int) -> None:
    filed = TODAY.replace(year=TODAY.year - filed_years_ago) - timedelta(days=1)
    file = file_info(filing_date=filed, status=FileStatus.IN_PROGRESS, answered_on=None)
    assert is_eligible(file, ref(filing_date=filed), TODAY, WINDOW)


@pytest.mark.parametrize(
    ("answered_days_ago", "eligible"),
    [(0, True), (1, True), (29, True), (30, True), (31, False), (90, False), (400, False)],
)
def test_answered_file_is_eligible_for_30_days(answered_days_ago: int, eligible: bool) -> None:
    file = file_info(status=FileStatus.ANSWERED, answered_on=TODAY - timedelta(days=answered_days_ago))
    assert is_eligible(file, ref(), TODAY, WINDOW) is eligible


def test_answered_file_without_an_answer_date_is_not_eligible() -> None:
    file = file_info(status=FileStatus.ANSWERED, answered_on=None)
    assert not is_eligible(file, ref(), TODAY, WINDOW)


def test_answered_window_is_the_policy_setting() -> None:
    file = file_info(status=FileStatus.ANSWERED, answered_on=TODAY - timedelta(days=45))
    assert not is_eligible(file, ref(), TODAY, timedelta(days=30))
    assert is_eligible(file, ref(), TODAY, timedelta(days=60))


# --- R1 over HTTP: every refusal is the very same response ----------------------------------------

R1_MISMATCHES = [
    "wrong_number",
    "wrong_name",
    "wrong_filing_date",
    "answered_45_days_ago",
    "demo_100003_answered_45_days_ago",
    "unknown_number",
    "sloppy_wrong_number",
    "sloppy_unknown_number",
    "sloppy_right_number_wrong_name",
    "sloppy_demo_100003",
]


def _mismatch(case: str, database_url: str) -> dict[str, str]:
    """The file fields a citizen sends for `case`; none of them may get a blue ticket."""
    today = bucharest_today()
    ref = add_file(database_url, today, answered_days_ago=45 if case == "answered_45_days_ago" else None)
    other = add_file(database_url, today, requester_name="Vasile Rus")
    demo = next(f for f in demo_files(today) if f.registration_number.startswith("100003/"))
    number, year = ref.registration_number.split("/")
    params = file_params(ref)
    if case in ("demo_100003_answered_45_days_ago", "sloppy_demo_100003"):
        params = {
            "registration_number": demo.registration_number,
            "requester_name": demo.requester_name,
            "filing_date": demo.filing_date.isoformat(),
        }
    changes = {
        "wrong_number": {"registration_number": other.registration_number},
        "wrong_name": {"requester_name": "Maria Pop"},
        "wrong_filing_date": {"filing_date": (ref.filing_date - timedelta(days=1)).isoformat()},
        "unknown_number": {"registration_number": "999999/1999"},
        "sloppy_wrong_number": {
            "registration_number": " " + other.registration_number.replace("/", " / ") + " "
        },
        "sloppy_unknown_number": {"registration_number": "999999-1999"},
        "sloppy_right_number_wrong_name": {
            "registration_number": f"{number}.{year}",
            "requester_name": "Maria Pop",
        },
        "sloppy_demo_100003": {"registration_number": demo.registration_number.replace("/", " ")},
    }
    return {**params, **changes.get(case, {})}


def _generic_answer(language: Language) -> bytes:
    """The one R1 refusal, as Starlette's JSONResponse writes it."""
    body = {"code": "no_matching_file", "message": text("no_matching_file", language)}
    return json.dumps(body, ensure_ascii=False, separators=(",", ":")).encode()


@pytest.mark.parametrize("case", R1_MISMATCHES)
async def test_r1_refusals_are_one_and_the_same_whole_response(
    api: httpx.AsyncClient, database_url: str, case: str
) -> None:
    """Status, every byte of the body and the headers that could tell cases apart are the generic
    answer's, for `GET /slots` and `POST /tickets`, in Romanian and in English: a stranger learns
    nothing about which field was wrong, nor whether the number exists."""
    params = _mismatch(case, database_url)
    ticket = {
        **params,
        "slot_start": "2030-01-07T08:30:00+02:00",
        "phone": "0712345678",
        "email": "a@example.ro",
    }
    for language, headers in ((Language.RO, {}), (Language.EN, {"Accept-Language": "en"})):
        expected = _generic_answer(language)
        responses = [
            await api.get("/slots", params=params, headers=headers),
            await api.post("/tickets", json=ticket, headers=headers),
        ]
        for response in responses:
            assert response.status_code == 404, response.text
            assert response.content == expected, response.text
            assert response.headers["content-type"] == "application/json"
            assert response.headers["content-length"] == str(len(expected))
            assert sorted(k for k in response.headers if k != "date") == [
                "content-length",
                "content-security-policy",
                "content-type",
                "referrer-policy",
                "server",
                "x-content-type-options",
                "x-frame-options",
            ], response.headers
            # …and every header's value is the same for every case and both endpoints.
            assert _without_date(response.headers) == _without_date(responses[0].headers)


def _without_date(headers: httpx.Headers) -> dict[str, str]:
    return {name: value for name, value in headers.items() if name != "date"}


async def test_a_sloppy_copy_of_the_right_number_finds_the_file(
    api: httpx.AsyncClient, database_url: str
) -> None:
    ref = add_file(database_url, bucharest_today())
    number, year = ref.registration_number.split("/")
    for typed in (
        f"{number} / {year}",
        f" {number}/{year} ",
        f"{number}-{year}",
        f"{number}.{year}",
        f"{number} {year}",
    ):
        response = await api.get("/slots", params={**file_params(ref), "registration_number": typed})
        assert response.status_code == 200, (typed, response.text)
        assert response.json()["registration_number"] == ref.registration_number

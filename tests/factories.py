"""Test data written straight into the registry tables: each test gets files of its own, so tests
never share a ticket (R6 would make them wait on each other)."""

from __future__ import annotations

import itertools
from datetime import date, timedelta
from typing import Any

import httpx

from domain.models import FileRef
from store.db import engine_for, session_scope
from store.tables import RegisteredFile, Staff

_numbers = itertools.count(700001)


def add_file(
    database_url: str,
    today: date,
    *,
    handler_id: str = "c0001",
    requester_name: str = "Ioana Pop",
    filed_days_ago: int = 10,
    answered_days_ago: int | None = None,
    number: str | None = None,
) -> FileRef:
    """A new file of `handler_id`'s, in their municipality; `number` gives it a number already in
    use (by another municipality's file)."""
    engine = engine_for(database_url)
    with session_scope(engine) as session:
        handler = session.get(Staff, handler_id)
        assert handler is not None and handler.department_id is not None
        number = number or f"{next(_numbers)}/{today.year}"
        session.add(
            RegisteredFile(
                municipality_id=handler.municipality_id,
                registration_number=number,
                filing_date=today - timedelta(days=filed_days_ago),
                requester_name=requester_name,
                subject="Certificat de urbanism",
                department_id=handler.department_id,
                status="in_progress" if answered_days_ago is None else "answered",
                answered_on=None if answered_days_ago is None else today - timedelta(days=answered_days_ago),
                last_handler_id=handler_id,
            )
        )
        session.commit()
    return FileRef(
        registration_number=number,
        requester_name=requester_name,
        filing_date=today - timedelta(days=filed_days_ago),
    )


def file_params(ref: FileRef, municipality: str | None = None) -> dict[str, str]:
    return {
        **({"municipality": municipality} if municipality is not None else {}),
        "registration_number": ref.registration_number,
        "requester_name": ref.requester_name,
        "filing_date": ref.filing_date.isoformat(),
    }


async def free_slots(api: httpx.AsyncClient, ref: FileRef) -> list[dict[str, Any]]:
    response = await api.get("/slots", params=file_params(ref))
    assert response.status_code == 200, response.text
    slots: list[dict[str, Any]] = response.json()["slots"]
    assert slots, "the demo calendar should offer slots"
    return slots


def ticket_body(ref: FileRef, slot_start: str, email: str, **overrides: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        **file_params(ref),
        "slot_start": slot_start,
        "channel": "webex",
        "phone": "+40 712 345 678",
        "email": email,
    }
    body.update(overrides)
    return body


def staff_headers(staff_id: str) -> dict[str, str]:
    return {"Authorization": f"Bearer demo-{staff_id}"}


def director_email(database_url: str, staff_id: str) -> str:
    """The email of the director of `staff_id`'s department (who hears of late and missed meetings)."""
    with session_scope(engine_for(database_url)) as session:
        person = session.get(Staff, staff_id)
        assert person is not None
        director = session.get(Staff, f"dir-{person.department_id}")
        assert director is not None
        return director.email

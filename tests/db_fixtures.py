"""Rows for the tests of the SQL adapters, written into the `engine` fixture's empty schema (see
tests/conftest.py) the same way on SQLite and PostgreSQL."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Engine, func
from sqlmodel import SQLModel, select

from domain.models import Role
from store.db import session_scope
from store.staff import hash_token
from store.tables import Department, Staff


def add_rows(engine: Engine, *rows: SQLModel) -> None:
    """Insert `rows` and commit. The tables have no ORM relationships, so the unit of work does not
    order inserts by foreign key: add the rows others point at in an earlier call."""
    with session_scope(engine) as session:
        session.add_all(rows)
        session.commit()


def count_rows(engine: Engine, table: type[SQLModel]) -> int:
    with session_scope(engine) as session:
        return session.exec(select(func.count()).select_from(table)).one()


def staff_row(
    staff_id: str,
    role: Role,
    department_id: str | None,
    *,
    name: str | None = None,
    token: bool = False,
    **extra: Any,
) -> Staff:
    """A person in the staff table, `Persoana <id>` unless named; with `token`, their API token is
    `token-<id>`."""
    email = f"{staff_id}@primaria.example"
    return Staff(
        id=staff_id,
        name=name or f"Persoana {staff_id}",
        email=email,
        webex_email=email,
        role=role.value,
        department_id=department_id,
        api_token_sha256=hash_token(f"token-{staff_id}") if token else None,
        **extra,
    )


def add_urbanism(engine: Engine, *, token: bool = False, reporting: bool = False) -> None:
    """A small city: the department `urbanism` (director `dir`, deputy mayor `vp`), the mayor `primar`,
    and the clerks `c1` and `c2`, c2 standing in for c1. With `reporting`, each person reports to the
    next level up; with `token`, each has an API token (see `staff_row`)."""
    add_rows(
        engine, Department(id="urbanism", name="Direcția Urbanism", director_id="dir", deputy_mayor_id="vp")
    )

    def up(boss: str) -> dict[str, str | None]:
        return {"reports_to_id": boss} if reporting else {}

    add_rows(
        engine,
        staff_row("primar", Role.MAYOR, None, token=token),
        staff_row("vp", Role.DEPUTY_MAYOR, None, token=token, **up("primar")),
        staff_row("dir", Role.DIRECTOR, "urbanism", token=token, **up("vp")),
        staff_row("c1", Role.CLERK, "urbanism", token=token, substitute_id="c2", **up("dir")),
        staff_row("c2", Role.CLERK, "urbanism", token=token, **up("dir")),
    )

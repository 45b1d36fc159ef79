"""Engine creation and schema set-up for SQLite (default) and PostgreSQL (`DATABASE_URL`)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from functools import lru_cache
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, event, inspect
from sqlalchemy.exc import OperationalError, ProgrammingError
from sqlmodel import Session, SQLModel, create_engine

import store.tables  # noqa: F401  (registers the tables on SQLModel.metadata)
from core.tenancy import current_municipality


def make_engine(url: str) -> Engine:
    """One engine per process. SQLite gets WAL and a busy timeout so the API and the worker can
    share the file; PostgreSQL URLs are normalised to the psycopg 3 driver."""
    if url.startswith("postgresql://") or url.startswith("postgres://"):
        url = "postgresql+psycopg://" + url.split("://", 1)[1]
    kwargs: dict[str, Any] = {}
    if url.startswith("sqlite"):
        path = url.split("sqlite:///", 1)[-1]
        if path and path != ":memory:":
            Path(path).parent.mkdir(parents=True, exist_ok=True)
        kwargs["connect_args"] = {"check_same_thread": False, "timeout": 30}
    else:
        kwargs["pool_pre_ping"] = True
        kwargs["pool_size"] = 10
        kwargs["max_overflow"] = 20
    engine = create_engine(url, **kwargs)
    if url.startswith("sqlite"):

        @event.listens_for(engine, "connect")
        def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
            cursor = dbapi_connection.cursor()
            cursor.execute("PRAGMA journal_mode=WAL")
            cursor.execute("PRAGMA foreign_keys=ON")
            cursor.close()

    return engine


class OutdatedSchema(RuntimeError):
    """The database lacks tables or columns this code needs: it has not been migrated to head."""


def create_schema(engine: Engine) -> None:
    """Create missing tables, for tests' throw-away databases only: everywhere else the tables come
    from the migrations (`python -m store.migrate`). Two callers may race; the loser of that race
    sees "already exists" and simply checks again."""
    try:
        SQLModel.metadata.create_all(engine)
    except (OperationalError, ProgrammingError) as error:
        if "already exists" not in str(error):
            raise
        SQLModel.metadata.create_all(engine)


def outdated_schema(engine: Engine) -> list[str]:
    """Tables and columns the code expects but the database lacks, so a database nobody migrated
    fails at start-up with their names instead of mid-ticket (a cheap guard, also right for the
    tests' `create_all` databases, which have no migration history)."""
    inspector = inspect(engine)
    present = set(inspector.get_table_names())
    missing: list[str] = []
    for table in SQLModel.metadata.sorted_tables:
        if table.name not in present:
            missing.append(table.name)
            continue
        columns = {column["name"] for column in inspector.get_columns(table.name)}
        missing += [f"{table.name}.{column.name}" for column in table.columns if column.name not in columns]
    return missing


def reset_schema(engine: Engine) -> None:
    """Drop and recreate every table with `create_all`: the tests' clean slate (the seed's `--reset`
    migrates instead: `store.migrate.reset`)."""
    SQLModel.metadata.drop_all(engine)
    SQLModel.metadata.create_all(engine)


@lru_cache
def engine_for(url: str) -> Engine:
    """The process's engine; refuses a database that is not migrated (tables are never created here)."""
    engine = make_engine(url)
    missing = outdated_schema(engine)
    if missing:
        raise OutdatedSchema(
            f"the database at {engine.url!r} lacks this version's schema (missing: {', '.join(missing)}); "
            "run `python -m store.migrate` (`alembic upgrade head`) first"
        )
    return engine


class Scoped:
    """An adapter on one municipality's rows (issue 11): the one it was built for, or, built without
    one (the worker's adapters, shared by every city), the one the running activity acts for."""

    def __init__(self, engine: Engine, municipality: str | None = None) -> None:
        self._engine, self._municipality = engine, municipality

    @property
    def municipality(self) -> str:
        return self._municipality or current_municipality()


@contextmanager
def session_scope(engine: Engine) -> Iterator[Session]:
    with Session(engine, expire_on_commit=False) as session:
        yield session

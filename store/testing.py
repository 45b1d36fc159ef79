"""Throw-away databases for tests: a SQLite file or a uniquely named PostgreSQL database.

Shared here (not in a conftest) so every test module that needs the real backends builds them the
same way; each PostgreSQL database is dropped afterwards even if connections are still open.
`postgres_required` says whether a missing server is a failure (CI) or a reason to skip (a laptop).
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path

from sqlalchemy import Engine, create_engine, text
from sqlalchemy.exc import OperationalError

from store.db import make_engine, reset_schema

# The machines that run the tests start PostgreSQL here with trust auth; `test` always exists.
POSTGRES_ADMIN_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/test"
# Another server (or, in the tests of the CI rule, one that is not there) for the test fixtures.
POSTGRES_ADMIN_URL_VARIABLE = "TICHET_TEST_POSTGRES_URL"


# Values of `CI` that mean "not CI" (unset and empty count as not CI too).
_NOT_CI = frozenset({"", "0", "false", "no", "off"})


class PostgresUnavailable(RuntimeError):
    """No PostgreSQL server answers at the admin URL."""


def postgres_admin_url(environ: Mapping[str, str] = os.environ) -> str:
    return environ.get(POSTGRES_ADMIN_URL_VARIABLE) or POSTGRES_ADMIN_URL


def in_ci(environ: Mapping[str, str] = os.environ) -> bool:
    """`CI` is set (to anything but a "no"), as `.ci/run` and every CI service do."""
    return environ.get("CI", "").strip().lower() not in _NOT_CI


def postgres_required(environ: Mapping[str, str] = os.environ) -> bool:
    """In CI the PostgreSQL tests must run: a server that does not answer there is a broken
    pipeline, not a reason for a green run. Elsewhere they may skip."""
    return in_ci(environ)


@contextmanager
def temporary_postgres_url(admin_url: str = POSTGRES_ADMIN_URL, prefix: str = "tichet_test") -> Iterator[str]:
    """Create a fresh database, yield its URL, drop it (WITH FORCE) at the end."""
    admin = create_engine(admin_url, isolation_level="AUTOCOMMIT")
    name = f"{prefix}_{uuid.uuid4().hex[:12]}"
    try:
        with admin.connect() as connection:
            connection.execute(text(f'CREATE DATABASE "{name}"'))
    except OperationalError as error:
        admin.dispose()
        raise PostgresUnavailable(str(error)) from error
    try:
        yield admin_url.rsplit("/", 1)[0] + "/" + name
    finally:
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def sqlite_url(directory: Path) -> str:
    return f"sqlite:///{directory / 'tichet.db'}"


def fresh_engine(url: str) -> Engine:
    """An engine on `url` with every table dropped and recreated."""
    engine = make_engine(url)
    reset_schema(engine)
    return engine

"""`python -m store.migrate`: bring the database to the newest revision (`alembic upgrade head`),
recognising a database created before migrations existed.

Up to issue 9 the tables came from `create_all`, which leaves no `alembic_version` table; a plain
`alembic upgrade head` would try to create them again and fail. A database without that table whose
tables match the baseline revision exactly is stamped at the baseline first, so a city that tried the
demo on PostgreSQL keeps its data; one that holds tables but differs is refused, with the
differences, rather than guessed at. The recognition compares the baseline's own tables
(`BASELINE_TABLES`) with the models: the tables later revisions add are theirs to create, after the
stamp. A database whose tables match today's models exactly (`create_all` of this code: the tests')
is stamped at head.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any, Final

from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Engine, inspect
from sqlalchemy.engine import Connection
from sqlmodel import SQLModel

import store.tables  # noqa: F401  (registers the tables on SQLModel.metadata)

MIGRATIONS = Path(__file__).with_name("migrations")
BASELINE = "0001"
VERSION_TABLE = "alembic_version"
# The tables revision 0001 creates: all that `create_all` made before migrations existed.
BASELINE_TABLES: Final = frozenset(
    {
        "absences",
        "archive",
        "bookings",
        "city_days_off",
        "contact_erasures",
        "department_hours",
        "departments",
        "email_deliveries",
        "outgoing_documents",
        "ratings",
        "registered_files",
        "staff",
        "staff_hours",
        "staff_sessions",
        "webhook_events",
    }
)


class UnrecognisedSchema(RuntimeError):
    """Tables exist without a migration history and do not match the baseline: not ours to touch."""


def alembic_config(connection: Connection | None = None) -> Config:
    """The same script directory as alembic.ini names; `connection`, when given, is used by env.py
    instead of opening one from the settings."""
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.attributes["connection"] = connection
    return config


def head() -> str:
    revision = ScriptDirectory.from_config(alembic_config()).get_current_head()
    assert revision is not None, "store/migrations/versions holds no revision"
    return revision


def current(engine: Engine) -> str | None:
    """The revision the database is at, or None (no migration history)."""
    with engine.connect() as connection:
        return MigrationContext.configure(connection).get_current_revision()


def differences(engine: Engine, *, baseline_only: bool = False) -> list[Any]:
    """What `alembic revision --autogenerate` would write to reach the models (empty = same schema);
    `baseline_only`: on the baseline's tables alone (a pre-migration database has no others)."""

    def in_baseline(item: Any, name: str | None, type_: str, _reflected: bool, _other: Any) -> bool:
        table = name if type_ == "table" else getattr(getattr(item, "table", None), "name", None)
        return table is None or table in BASELINE_TABLES

    opts: dict[str, Any] = {"compare_type": True}
    if baseline_only:
        opts["include_object"] = in_baseline
    with engine.connect() as connection:
        context = MigrationContext.configure(connection, opts=opts)
        return list(compare_metadata(context, SQLModel.metadata))


def create_baseline_tables(engine: Engine) -> None:
    """The baseline's tables by `create_all`, as a database made before migrations has them (tests)."""
    tables = [t for t in SQLModel.metadata.sorted_tables if t.name in BASELINE_TABLES]
    SQLModel.metadata.create_all(engine, tables=tables)


def unrecognised(engine: Engine) -> str:
    """For a database holding tables but no migration history: the first way it differs from the
    baseline, or "" (empty, versioned, or a `create_all` database this code can stamp)."""
    tables = set(inspect(engine).get_table_names())
    if not tables or VERSION_TABLE in tables:
        return ""
    found = differences(engine, baseline_only=True)
    return str(found[0]) if found else ""


def migrate(engine: Engine) -> str:
    """Upgrade to head, stamping a recognised pre-migration database first; what it did, in words.
    Recognised: the models' whole schema (`create_all` of this code, the tests' databases: head), or
    the baseline's tables exactly (a city from before migrations: the baseline)."""
    tables = set(inspect(engine).get_table_names())
    stamped: str | None = None
    if tables and VERSION_TABLE not in tables:
        stamped = head() if not differences(engine) else BASELINE
        found = differences(engine, baseline_only=True)
        if found:
            listed = "; ".join(str(item) for item in found[:10])
            raise UnrecognisedSchema(
                f"the database at {engine.url!r} has tables but no migration history, and they differ "
                f"from the baseline revision {BASELINE} ({len(found)} differences: {listed}); "
                "nothing was changed. Compare it with `alembic upgrade head --sql`, fix it by hand, "
                f"then `alembic stamp {BASELINE}`"
            )
        with engine.begin() as connection:
            command.stamp(alembic_config(connection), stamped)
    before = current(engine)
    with engine.begin() as connection:
        command.upgrade(alembic_config(connection), "head")
    after = current(engine)
    prefix = f"recognised a database created before migrations: stamped at {stamped}; " if stamped else ""
    if before == after:
        return f"{prefix}already at head ({after})"
    return f"{prefix}upgraded from {before or 'an empty database'} to {after}"


def reset(engine: Engine) -> None:
    """Drop every table (the migration history too) and migrate from empty: the seed's `--reset`."""
    SQLModel.metadata.drop_all(engine)
    with engine.begin() as connection:
        connection.exec_driver_sql(f"DROP TABLE IF EXISTS {VERSION_TABLE}")
    migrate(engine)


def main(argv: Sequence[str] | None = None) -> int:
    from core.settings import get_settings
    from store.db import make_engine

    parser = argparse.ArgumentParser(prog="python -m store.migrate", description=__doc__.split("\n")[0])
    parser.add_argument("--database-url", default=None, help="default: TICHET_DATABASE_URL")
    args = parser.parse_args(argv)
    engine = make_engine(args.database_url or get_settings().database_url)
    try:
        print(migrate(engine))
    except UnrecognisedSchema as error:
        print(f"refused: {error}", file=sys.stderr)
        return 2
    finally:
        engine.dispose()
    return 0


if __name__ == "__main__":
    sys.exit(main())

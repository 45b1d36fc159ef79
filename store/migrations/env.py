"""Alembic's entry point: the models' metadata and the database from the one settings object.

`store.migrate` hands its own connection in `config.attributes["connection"]` (so a test or the
stamping of an old database runs on the engine it already has); the `alembic` command line opens
one from `TICHET_DATABASE_URL`. Never from alembic.ini: one place says where the database is.
"""

from __future__ import annotations

from logging.config import fileConfig
from typing import Any, Literal

from alembic import context
from alembic.autogenerate.api import AutogenContext
from sqlalchemy.engine import Connection
from sqlmodel import SQLModel

import store.tables  # noqa: F401  (registers every table on SQLModel.metadata)
from core.settings import get_settings
from store.db import make_engine
from store.types import UTCDateTime

target_metadata = SQLModel.metadata

if context.config.config_file_name is not None:  # the command line: alembic.ini's log levels
    fileConfig(context.config.config_file_name, disable_existing_loggers=False)


def render_item(kind: str, item: Any, autogen_context: AutogenContext) -> str | Literal[False]:
    """`UTCDateTime` is Python-side behaviour over `DateTime(timezone=True)`: a revision records the
    column type the database holds, so it never imports today's models."""
    if kind == "type" and isinstance(item, UTCDateTime):
        return "sa.DateTime(timezone=True)"
    return False


def _configure(connection: Connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        compare_type=True,
        render_item=render_item,
        # SQLite cannot ALTER most things: batch mode copies the table there (and is a plain ALTER
        # on PostgreSQL), so one revision serves the demo's SQLite file and a city's PostgreSQL.
        render_as_batch=True,
    )


def run_migrations_offline() -> None:
    """`alembic upgrade head --sql`: the SQL a city's DBA can read before it runs."""
    context.configure(
        url=get_settings().database_url,
        target_metadata=target_metadata,
        literal_binds=True,
        compare_type=True,
        dialect_opts={"paramstyle": "named"},
    )
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_online() -> None:
    given: Connection | None = context.config.attributes.get("connection")
    if given is not None:
        _configure(given)
        with context.begin_transaction():
            context.run_migrations()
        return
    engine = make_engine(get_settings().database_url)
    try:
        with engine.connect() as connection:
            _configure(connection)
            with context.begin_transaction():
                context.run_migrations()
    finally:
        engine.dispose()


if context.is_offline_mode():
    run_migrations_offline()
else:
    run_migrations_online()

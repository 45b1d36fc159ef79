"""Schema migrations (issue 10) on SQLite and PostgreSQL: the revisions build exactly the models'
schema, go down and up again, keep rows, and take over a database `create_all` made before them."""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys
from collections.abc import Iterator
from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from alembic import command
from alembic.script import ScriptDirectory
from sqlalchemy import Engine, MetaData, Table, insert, inspect, text
from sqlalchemy import select as sa_select

from domain.accessibility import FeedbackForm
from domain.ports import DeliveryStatus, RecipientKind
from store.accessibility_feedback import SqlAccessibilityFeedback
from store.db import make_engine, reset_schema
from store.email_deliveries import SqlEmailDeliveries
from store.migrate import (
    BASELINE,
    BASELINE_TABLES,
    UnrecognisedSchema,
    alembic_config,
    create_baseline_tables,
    current,
    differences,
    head,
    migrate,
)
from store.seed import build_demo_city, seed_demo_city
from store.tables import Department, EmailDeliveryRow
from store.testing import sqlite_url

ROOT = Path(__file__).resolve().parent.parent
TODAY = date(2026, 11, 25)
PARTIAL_UNIQUE = ("uq_booking_active_slot", "uq_booking_active_ticket_level")


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def empty(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Engine]:
    """An engine on a database with no table at all (the PostgreSQL one is wiped per test)."""
    url = sqlite_url(tmp_path) if request.param == "sqlite" else request.getfixturevalue("postgres_url")
    engine = make_engine(url)
    if engine.dialect.name == "postgresql":
        with engine.begin() as connection:
            connection.execute(text("DROP SCHEMA public CASCADE"))
            connection.execute(text("CREATE SCHEMA public"))
    assert inspect(engine).get_table_names() == []
    yield engine
    engine.dispose()


def _tables(engine: Engine) -> set[str]:
    return set(inspect(engine).get_table_names())


def _reflected(engine: Engine, name: str) -> Table:
    return Table(name, MetaData(), autoload_with=engine)


def _digest(engine: Engine) -> str:
    """The city's rows as the schema of the moment has them, without the municipality (the column
    revision 0005 adds): equal before and after an upgrade that keeps every row."""
    digest = hashlib.sha256()
    with engine.connect() as connection:
        for name, key in (
            ("departments", "id"),
            ("staff", "id"),
            ("registered_files", "registration_number"),
        ):
            table = _reflected(engine, name)
            rows = connection.execute(sa_select(table).order_by(table.c[key])).mappings().all()
            assert rows, f"no {name} rows to compare"
            for row in rows:
                kept = {k: v for k, v in row.items() if k != "municipality_id"}
                digest.update(repr(sorted(kept.items())).encode())
    return digest.hexdigest()


def _municipalities_of(engine: Engine, name: str) -> set[str]:
    with engine.connect() as connection:
        return set(connection.execute(text(f"SELECT DISTINCT municipality_id FROM {name}")).scalars())


def _downgrade(engine: Engine, revision: str) -> None:
    with engine.begin() as connection:
        command.downgrade(alembic_config(connection), revision)


def test_upgrade_from_empty_gives_exactly_the_models_schema(empty: Engine) -> None:
    assert migrate(empty) == f"upgraded from an empty database to {head()}"
    assert current(empty) == head()
    assert differences(empty) == []  # what `alembic revision --autogenerate` would find
    assert _tables(empty) == {t.name for t in Department.metadata.sorted_tables} | {"alembic_version"}
    # autogenerate does not compare an index's WHERE: the partial unique indexes are checked here.
    where_key = f"{empty.dialect.name}_where"
    indexes = {i["name"]: i for i in inspect(empty).get_indexes("bookings")}
    for name in PARTIAL_UNIQUE:
        assert indexes[name]["unique"]
        assert "cancelled_at IS NULL" in str(indexes[name]["dialect_options"][where_key])


def test_downgrade_and_upgrade_round_trip(empty: Engine) -> None:
    migrate(empty)
    _downgrade(empty, "base")
    assert current(empty) is None
    assert _tables(empty) == {"alembic_version"}
    assert migrate(empty).endswith(f"to {head()}")
    assert differences(empty) == []


def _insert_city(engine: Engine) -> None:
    """The demo city's rows, inserted without the seed (which would migrate first)."""
    city = build_demo_city(TODAY, files=30)
    with engine.begin() as connection:
        for name, rows in (
            ("departments", city.departments),
            ("staff", city.staff),
            ("registered_files", city.files),
        ):
            table = _reflected(engine, name)
            connection.execute(insert(table), [{k: v for k, v in r.items() if k in table.c} for r in rows])


def test_a_create_all_database_with_rows_is_stamped_and_keeps_them(empty: Engine) -> None:
    """The way before migrations: `create_all` (of the baseline's tables) and a city in it, then the
    release: stamped at the baseline, the later revisions create their own tables."""
    create_baseline_tables(empty)
    _insert_city(empty)
    before = _digest(empty)
    assert "alembic_version" not in _tables(empty)

    said = migrate(empty)

    assert said.startswith(f"recognised a database created before migrations: stamped at {BASELINE}")
    assert current(empty) == head()
    assert differences(empty) == []
    assert _digest(empty) == before
    assert "accessibility_feedback" in _tables(empty)


def test_a_create_all_database_of_this_code_is_stamped_at_head(empty: Engine) -> None:
    """The tests' throw-away databases (`create_all` of today's models) are head already."""
    reset_schema(empty)
    _insert_city(empty)
    before = _digest(empty)
    assert (
        migrate(empty)
        == f"recognised a database created before migrations: stamped at {head()}; already at head ({head()})"
    )
    assert current(empty) == head() and _digest(empty) == before


def test_an_upgrade_keeps_the_rows_of_a_migrated_database(empty: Engine) -> None:
    seed_demo_city(empty, TODAY, files=30, second_city=False)
    before = _digest(empty)
    _downgrade(empty, BASELINE)  # a no-op while the baseline is head; each later revision runs here
    migrate(empty)
    assert current(empty) == head()
    assert _digest(empty) == before


def test_a_database_that_differs_from_the_baseline_is_refused_and_left_alone(empty: Engine) -> None:
    """Tables without a migration history that `create_all` of this code would not make (here, a
    database from before issue 9): refused with the difference, nothing created or stamped."""
    reset_schema(empty)
    with empty.begin() as connection:
        connection.execute(text("DROP TABLE contact_erasures"))
    tables = _tables(empty)

    with pytest.raises(UnrecognisedSchema, match="contact_erasures"):
        migrate(empty)

    assert _tables(empty) == tables
    assert current(empty) is None


def test_the_feedback_revision_adds_its_table_and_downgrades_without_touching_the_rest(empty: Engine) -> None:
    """Revision 0004 (issue 12): the accessibility feedback table, on both backends; down to the
    baseline drops it alone (the city's rows stay), up again gives it back, empty and usable."""
    seed_demo_city(empty, TODAY, files=10, second_city=False)
    before = _digest(empty)
    feedback = SqlAccessibilityFeedback(empty)
    form = FeedbackForm(email="ana@example.ro", message="Butonul nu se vede cu contrast mare.")
    stored = feedback.add(form, datetime(2026, 12, 3, 8, 0, tzinfo=UTC))
    assert [row.id for row in feedback.all()] == [stored]

    _downgrade(empty, BASELINE)

    assert current(empty) == BASELINE
    assert _tables(empty) == BASELINE_TABLES | {"alembic_version"}
    assert _digest(empty) == before
    migrate(empty)
    assert current(empty) == head() and differences(empty) == []
    assert feedback.all() == []
    assert feedback.add(form, datetime(2026, 12, 3, 9, 0, tzinfo=UTC)) >= 1


def test_the_delivery_status_revision_turns_sent_into_delivered_and_back(empty: Engine) -> None:
    """Revision 0006 (issue 12): the rows an older release logged as `sent` are `delivered`, which
    the new code does not send again; going down, every status the old code does not know becomes
    one it treats the same way (a 4xx retry `sending`, the rest `sent`)."""
    below = ScriptDirectory.from_config(alembic_config()).get_revision("0006").down_revision
    assert isinstance(below, str)
    with empty.begin() as connection:
        command.upgrade(alembic_config(connection), below)
    at = datetime(2026, 12, 3, 8, 0, tzinfo=UTC)
    old = {"<a@tichet-albastru>": "sent", "<b@tichet-albastru>": "sending"}
    with empty.begin() as connection:
        for message_id, status in old.items():
            connection.execute(
                insert(EmailDeliveryRow.__table__),  # type: ignore[attr-defined]
                {
                    "message_id": message_id,
                    "workflow_id": "tichet-1_2026",
                    "kind": "confirmation",
                    "recipient_kind": "citizen",
                    "status": status,
                    "attempts": 1,
                    "first_attempt_at": at,
                    "last_attempt_at": at,
                    "status_at": at,
                },
            )
    migrate(empty)
    log = SqlEmailDeliveries(empty)
    assert log.status("<a@tichet-albastru>") == DeliveryStatus.DELIVERED
    assert log.status("<b@tichet-albastru>") == DeliveryStatus.SENDING
    assert not log.begin(
        "<a@tichet-albastru>",
        workflow_id="tichet-1_2026",
        kind="confirmation",
        recipient_kind=RecipientKind.CITIZEN,
        at=at,
    )
    log.mark_failed("<b@tichet-albastru>", DeliveryStatus.TEMPORARY_FAILURE, at=at)
    log.keep_report(received_at=at, outcome="malformed", size=10, reason="not a multipart/report")

    _downgrade(empty, below)
    assert "email_reports" not in _tables(empty)
    with empty.connect() as connection:
        found = connection.execute(text("SELECT message_id, status FROM email_deliveries")).all()
    statuses = {str(message_id): str(status) for message_id, status in found}
    assert statuses == {"<a@tichet-albastru>": "sent", "<b@tichet-albastru>": "sending"}
    migrate(empty)
    assert differences(empty) == []


def test_the_seed_reset_rebuilds_through_the_migrations(empty: Engine) -> None:
    reset_schema(empty)  # a create_all database, rows and all
    seed_demo_city(empty, TODAY, files=10, reset=True)
    assert current(empty) == head()
    assert differences(empty) == []


def _run(argv: list[str], url: str) -> subprocess.CompletedProcess[str]:
    environ = {**os.environ, "TICHET_DATABASE_URL": url}
    return subprocess.run(argv, cwd=ROOT, env=environ, capture_output=True, text=True, timeout=120)


def test_the_alembic_command_takes_the_database_from_the_settings(tmp_path: Path) -> None:
    url = sqlite_url(tmp_path)
    alembic = str(Path(sys.executable).with_name("alembic"))
    done = _run([alembic, "upgrade", "head"], url)
    assert done.returncode == 0, done.stderr
    engine = make_engine(url)
    assert current(engine) == head()
    check = _run([alembic, "check"], url)
    assert check.returncode == 0, check.stderr + check.stdout
    engine.dispose()


def test_the_migrate_command_refuses_an_unrecognised_database(tmp_path: Path) -> None:
    url = sqlite_url(tmp_path)
    engine = make_engine(url)
    reset_schema(engine)
    with engine.begin() as connection:
        connection.execute(text("ALTER TABLE ratings DROP COLUMN comment"))
    done = _run([sys.executable, "-m", "store.migrate"], url)
    assert done.returncode == 2
    assert "refused" in done.stderr and "ratings" in done.stderr
    assert current(engine) is None
    assert _run(
        [sys.executable, "-m", "store.migrate", "--database-url", sqlite_url(tmp_path / "new")], url
    ).stdout
    engine.dispose()


def test_the_municipalities_revision_gives_the_old_rows_to_the_default_city_and_downgrades(
    empty: Engine,
) -> None:
    """Revision 0005 (issue 11): from 0004 with a city in it, every row belongs to the default
    municipality; afterwards a second city may hold the same registration number; down to 0004
    refuses while it does, and goes once only the default city's rows are left."""
    with empty.begin() as connection:
        command.upgrade(alembic_config(connection), "0004")
    _insert_city(empty)
    before = _digest(empty)

    migrate(empty)

    assert current(empty) == head() and differences(empty) == []
    assert _digest(empty) == before
    for name in ("departments", "staff", "registered_files"):
        assert _municipalities_of(empty, name) == {"cluj-napoca"}
    with empty.begin() as connection:
        connection.execute(
            text(
                "INSERT INTO registered_files (municipality_id, registration_number, filing_date, "
                "requester_name, subject, department_id, status, last_handler_id) SELECT 'huedin', "
                "registration_number, filing_date, requester_name, subject, department_id, status, "
                "last_handler_id FROM registered_files WHERE registration_number = '100001/2026'"
            )
        )
    assert _municipalities_of(empty, "registered_files") == {"cluj-napoca", "huedin"}

    with pytest.raises(RuntimeError, match="registered_files holds 1 rows of municipalities other"):
        _downgrade(empty, "0004")
    assert current(empty) == head()
    with empty.begin() as connection:
        connection.execute(text("DELETE FROM registered_files WHERE municipality_id = 'huedin'"))
    _downgrade(empty, "0004")

    assert current(empty) == "0004"
    assert "municipalities" not in _tables(empty)
    assert "municipality_id" not in {c["name"] for c in inspect(empty).get_columns("staff")}
    assert _digest(empty) == before
    migrate(empty)
    assert differences(empty) == [] and _digest(empty) == before

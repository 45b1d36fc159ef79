"""The rule that keeps CI honest about PostgreSQL: with `CI` set, a PostgreSQL test that cannot reach
the server fails; without it, it skips and says why. Checked on the decision itself, on the context
manager every PostgreSQL fixture goes through, and on a real pytest run of the real fixture."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import create_engine, text

from store.testing import POSTGRES_ADMIN_URL_VARIABLE, PostgresUnavailable, in_ci, postgres_required
from tests.conftest import postgres_database

# Nothing listens on port 1: the connection is refused at once.
UNREACHABLE = "postgresql+psycopg://postgres@127.0.0.1:1/test"
ROOT = Path(__file__).resolve().parent.parent


@pytest.mark.parametrize("value", ["true", "1", "yes", "TRUE", " True ", "github-actions"])
def test_a_set_ci_variable_requires_postgres(value: str) -> None:
    assert in_ci({"CI": value}) and postgres_required({"CI": value})


@pytest.mark.parametrize(
    "environ", [{}, {"CI": ""}, {"CI": "0"}, {"CI": "false"}, {"CI": "No"}, {"CI": "off"}]
)
def test_without_ci_postgres_is_optional(environ: dict[str, str]) -> None:
    assert not in_ci(environ) and not postgres_required(environ)


def outcome_without_a_server(**arguments: Any) -> BaseException:
    """What `postgres_database` raises when no server answers: pytest's fail or skip (caught both,
    so that a skip where a failure is due fails this test instead of skipping it)."""
    try:
        with postgres_database(**arguments):
            pass
    except (pytest.fail.Exception, pytest.skip.Exception) as outcome:
        return outcome
    raise AssertionError("a database was created on a server that is not there")


def test_in_ci_an_unreachable_server_fails_the_test() -> None:
    outcome = outcome_without_a_server(admin_url=UNREACHABLE, environ={"CI": "true"})
    assert isinstance(outcome, pytest.fail.Exception), repr(outcome)
    assert "PostgreSQL not reachable and CI is set" in str(outcome) and "port 1" in str(outcome)


def test_outside_ci_an_unreachable_server_skips_with_the_reason() -> None:
    outcome = outcome_without_a_server(admin_url=UNREACHABLE, environ={"CI": "false"})
    assert isinstance(outcome, pytest.skip.Exception), repr(outcome)
    assert "PostgreSQL not reachable (this fails when CI is set)" in str(outcome) and "port 1" in str(outcome)


def test_the_server_can_be_chosen_by_variable() -> None:
    outcome = outcome_without_a_server(environ={POSTGRES_ADMIN_URL_VARIABLE: UNREACHABLE, "CI": "true"})
    assert isinstance(outcome, pytest.fail.Exception) and "port 1" in str(outcome), repr(outcome)


@pytest.mark.postgres
def test_postgres_url_gives_a_database_that_answers(postgres_url: str) -> None:
    engine = create_engine(postgres_url)
    with engine.connect() as connection:
        assert connection.execute(text("SELECT current_database()")).scalar_one() in postgres_url
    engine.dispose()


@pytest.mark.postgres
def test_an_error_inside_the_block_is_not_mistaken_for_a_missing_server() -> None:
    with (
        pytest.raises(PostgresUnavailable, match="raised by the test"),
        postgres_database(environ={"CI": "true"}),
    ):
        raise PostgresUnavailable("raised by the test")


def test_a_real_ci_run_with_the_server_gone_is_red() -> None:
    """pytest itself, in CI, on the real `postgres_url` fixture pointed at a server that is not
    there: an error and a non-zero exit, not a green skip. (Outside CI the same run skips: the
    skip's reason is checked above, without the cost of a second pytest.)"""
    environ = {**os.environ, "CI": "true", POSTGRES_ADMIN_URL_VARIABLE: UNREACHABLE}
    run = subprocess.run(
        [
            sys.executable,
            "-m",
            "pytest",
            "-q",
            "-p",
            "no:cacheprovider",
            f"{Path(__file__).relative_to(ROOT)}::test_postgres_url_gives_a_database_that_answers",
        ],
        cwd=ROOT,
        env=environ,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert run.returncode == 1 and "1 error" in run.stdout, run.stdout + run.stderr
    assert "PostgreSQL not reachable and CI is set" in run.stdout

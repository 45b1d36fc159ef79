"""Municipalities as tenants (issue 11): which city a request, a workflow id or an activity is for.

One Temporal namespace serves every municipality. A ticket's workflow id names its city, so the id
alone says whose data an activity may touch:

- the deployment's default municipality keeps the ids it had before tenancy, `tichet-<file>`
  (`tichet-100001_2026`), so the tickets running at the upgrade keep their ids, their citizen links and
  R6 against the new tickets of the same file;
- every other municipality's ids are `tichet-<municipality>-<file>` (`tichet-huedin-100001_2026`).

A registration number never contains a letter before its first digit (`domain.registration_numbers`)
and a municipality id always starts with a letter, so the two shapes cannot be confused.

The worker runs one set of activities for every city: `MunicipalityInterceptor` (worker.py) reads the
municipality from the workflow id of each activity and sets `current_municipality()` for the call, and
the SQL adapters built without an explicit municipality scope every query by it. The API builds its
adapters with the municipality of the request instead (`http_api.deps.AppState.city`).
"""

from __future__ import annotations

import re
from collections.abc import Collection, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Final

DEFAULT_MUNICIPALITY: Final = "cluj-napoca"
# A slug: lowercase letters, digits and hyphens, starting with a letter (a path segment of the pages).
MUNICIPALITY_ID: Final = re.compile(r"^[a-z][a-z0-9-]{1,61}[a-z0-9]$")
WORKFLOW_PREFIX: Final = "tichet-"

_current: ContextVar[str] = ContextVar("municipality", default=DEFAULT_MUNICIPALITY)
_default: list[str] = [DEFAULT_MUNICIPALITY]


def set_default_municipality(municipality: str) -> None:
    """The deployment's default municipality (`TICHET_DEFAULT_MUNICIPALITY`), set once at start-up."""
    _default[0] = municipality
    _current.set(municipality)


def default_municipality() -> str:
    return _default[0]


def current_municipality() -> str:
    """The municipality the running activity (or tool) acts for; the default one outside any."""
    return _current.get()


@contextmanager
def acting_for(municipality: str) -> Iterator[None]:
    token = _current.set(municipality or default_municipality())
    try:
        yield
    finally:
        _current.reset(token)


def workflow_id_for(registration_number: str, municipality: str = "") -> str:
    """One workflow id per file and municipality gives R6 to Temporal itself: a second start while one
    runs fails. The default municipality's ids have no city part (the ids from before tenancy)."""
    file = registration_number.strip().replace("/", "_")
    if not municipality or municipality == default_municipality():
        return WORKFLOW_PREFIX + file
    return f"{WORKFLOW_PREFIX}{municipality}-{file}"


def municipality_of_workflow(workflow_id: str, known: Collection[str]) -> str:
    """The municipality a ticket's workflow id names, among the `known` ones; the default one for
    `tichet-<file>` and for any id of another shape (the retention purge, the feedback workflows)."""
    rest = workflow_id.removeprefix(WORKFLOW_PREFIX)
    if rest == workflow_id or not rest[:1].isalpha():
        return default_municipality()
    city, _, file = rest.rpartition("-")
    return city if city in known and file[:1].isdigit() else default_municipality()

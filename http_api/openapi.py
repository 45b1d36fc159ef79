"""The error answers of every operation, documented in one place and derived from the routes.

FastAPI documents only the success answer and its own 422 shape (`HTTPValidationError`), which is
not what `http_api/errors.py` sends. This adds to each operation the refusals it can give, each with
the `ErrorBody` schema and a sentence on when it happens:

- every operation: 400, 404, 409, 413, 422 and 429;
- routes that need a staff token (they depend on `current_staff`): 401 and 403 too;
- routes that reach Temporal or the database (they depend on `get_state`): 503;
- a route that documents its own 4xx answers in `responses` (the Webex webhook, whose answers Webex
  reads) keeps exactly those, with the schema added, plus the transport-level 413 and 429.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator, Sequence
from typing import Any

from fastapi import FastAPI
from fastapi.dependencies.models import Dependant
from fastapi.routing import APIRoute, iter_route_contexts
from starlette.routing import BaseRoute

from http_api.deps import current_staff, get_state
from http_api.schemas import ErrorBody

ERROR_SCHEMA = "ErrorBody"
EVERY_OPERATION = (400, 404, 409, 413, 422, 429)
STAFF_ONLY = (401, 403)
TRANSPORT = (413, 429)
BACKED_BY_SERVICES = (503,)

DESCRIPTIONS: dict[int, str] = {
    400: "The request could not be read as sent, e.g. a body that is not JSON (`invalid_input`).",
    401: "No staff token in `Authorization: Bearer …`, or not a valid one (`unauthenticated`).",
    403: "Not yours: a ticket assigned to someone else (`not_your_ticket`), or a report above your role "
    "(`report_not_allowed`).",
    404: "Nothing here: an unknown address (`not_found`), a file that does not match or cannot have a "
    "ticket (`no_matching_file`, the same answer whatever did not match, R1), or a ticket link whose "
    "key does not match (`ticket_link_invalid`, the same as a missing ticket).",
    409: "Refused in the current state, with the reason: a file with an open ticket "
    "(`ticket_already_open`), a slot not offered (`slot_outside_window`, with `free_slots`) or taken, "
    "an action the ticket does not allow now (`action_not_allowed` with `detail`), a rating not open "
    "or already given.",
    413: "The request body is larger than the server accepts.",
    422: "A value does not match this schema (`invalid_input`); `fields` says which, and why.",
    429: "Too many requests; wait and try again.",
    503: "Temporal or the database is unavailable for a moment (`service_unavailable`); try again.",
}


def install(app: FastAPI) -> None:
    """Have `app.openapi()` (and so `/openapi.json` and `/docs`) document every error answer."""
    generate = app.openapi

    def openapi() -> dict[str, Any]:
        schema = generate()  # FastAPI's, cached until the routes change
        if ERROR_SCHEMA not in schema.get("components", {}).get("schemas", {}):
            document_errors(schema, app.routes)
        return schema

    app.openapi = openapi  # type: ignore[method-assign]  # FastAPI's documented way to extend it


def document_errors(schema: dict[str, Any], routes: Sequence[BaseRoute]) -> None:
    """Add the error answers to `schema` (FastAPI's generated document) in place."""
    _add_error_schema(schema.setdefault("components", {}).setdefault("schemas", {}))
    for route in iter_route_contexts(routes):
        if not isinstance(route.original_route, APIRoute) or not route.include_in_schema:
            continue
        for method in route.methods or ():
            operation = schema["paths"][route.path_format][method.lower()]
            responses: dict[str, Any] = operation.setdefault("responses", {})
            for status in error_statuses(route.responses, route.dependant):
                _document(responses, status)
            operation["responses"] = dict(sorted(responses.items()))
    _drop_unused(schema, ("HTTPValidationError", "ValidationError"))


def error_statuses(declared: dict[int | str, Any], dependant: Dependant) -> list[int]:
    """The error answers of a route with these `responses` and dependencies."""
    own = {status for status in declared if isinstance(status, int) and status >= 400}
    if own:
        return sorted({*own, *TRANSPORT})
    calls = set(_calls(dependant))
    statuses = {*EVERY_OPERATION}
    if current_staff in calls:
        statuses.update(STAFF_ONLY)
    if get_state in calls:
        statuses.update(BACKED_BY_SERVICES)
    return sorted(statuses)


def _calls(dependant: Dependant) -> Iterator[Callable[..., Any]]:
    for sub in dependant.dependencies:
        if sub.call is not None:
            yield sub.call
        yield from _calls(sub)


def _document(responses: dict[str, Any], status: int) -> None:
    """The status with the error schema; a description the route gave itself is kept."""
    entry = responses.setdefault(str(status), {})
    if not entry.get("description") or entry["description"] == "Validation Error":
        entry["description"] = DESCRIPTIONS[status]
    entry["content"] = {"application/json": {"schema": {"$ref": f"#/components/schemas/{ERROR_SCHEMA}"}}}


def _add_error_schema(components: dict[str, Any]) -> None:
    definition = ErrorBody.model_json_schema(
        mode="serialization", ref_template="#/components/schemas/{model}"
    )
    for name, nested in {**definition.pop("$defs", {}), ERROR_SCHEMA: definition}.items():
        existing = components.setdefault(name, nested)
        if existing != nested:
            raise RuntimeError(f"two different schemas are named {name!r} in the OpenAPI document")


def _drop_unused(schema: dict[str, Any], names: Sequence[str]) -> None:
    """FastAPI's own validation-error shapes, once no answer refers to them any more."""
    components = schema["components"]["schemas"]
    for name in names:
        reference = f'"#/components/schemas/{name}"'
        if name in components and reference not in json.dumps(schema):
            del components[name]

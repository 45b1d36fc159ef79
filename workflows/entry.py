"""The ticket's edge: whatever a signal or update brings becomes one of our models or a refusal, and
every refusal leaves as an `ApplicationError` whose `type` is a `domain.messages` code.

Handlers take `*args` (any number of arguments, any JSON; `core.temporal_client` hands an
undecodable payload over as a `RawValue`), so the SDK never calls them with the wrong arity and
never fails a workflow task over a payload: the only exceptions left are ours, and they are refusals.
Reasons are short and never quote the input (a 1 MB string, a citizen's name): they end up in the
timeline, in update failures and in the API's answers.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from datetime import datetime
from typing import Any, Final, TypeVar

from pydantic import BaseModel, ValidationError
from temporalio.common import RawValue
from temporalio.exceptions import ActivityError, ApplicationError

from domain import activity_io as io
from domain.messages import CODES
from workflows.calls import error_message, error_type
from workflows.guards import Rejected

M = TypeVar("M", bound=BaseModel)

INVALID: Final = "invalid_input"
FAILED: Final = "action_failed"
MAX_REASON: Final = 200
# Activity refusals whose `type` is not itself a message code (older activities name their errors:
# "PickRefused" is what CONFIRM_PICK raised before its refusals got codes of their own).
ACTIVITY_CODES: Final = {"PickRefused": "pick_not_in_department", io.SLOT_UNAVAILABLE: "slot_taken"}
_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]{0,39}$")
_ENCODING = re.compile(r"^[A-Za-z0-9_./+-]{1,40}$")


def decode(args: Sequence[Any], model: type[M]) -> M:
    """Exactly one JSON object that validates as `model`, its times with a time zone (a naive one
    would break the ticket's clock arithmetic later, inside workflow code); else `Rejected`."""
    if len(args) != 1:
        raise Rejected(INVALID, f"expected one JSON object, got {len(args)} arguments")
    (value,) = args
    if isinstance(value, RawValue):
        encoding = value.payload.metadata.get("encoding", b"").decode(errors="replace")
        shown = f" ({encoding})" if _ENCODING.match(encoding) else ""
        raise Rejected(INVALID, f"undecodable payload{shown}")
    if not isinstance(value, dict):
        raise Rejected(INVALID, f"expected a JSON object, got {_kind(value)}")
    try:
        action = model.model_validate(value)
    except ValidationError as err:
        raise Rejected(INVALID, short_validation(err)) from None
    naive = [name for name, field in action if isinstance(field, datetime) and field.tzinfo is None]
    if naive:
        raise Rejected(INVALID, f"{naive[0]}: give the time zone (e.g. 2026-12-03T09:00:00Z)")
    return action


def short_validation(err: ValidationError) -> str:
    """Where and what, never the value: pydantic's messages describe the expectation, and field
    names the sender made up are shown only when they look like field names."""
    problems = []
    for e in err.errors()[:3]:
        where = ".".join(str(p) if isinstance(p, int) or _NAME.match(str(p)) else "?" for p in e["loc"])
        problems.append(f"{where}: {e['msg'][:80]}" if where else e["msg"][:80])
    return bounded("; ".join(problems))


def shown_name(name: str) -> str:
    """A handler name the sender chose, shown only if it looks like one."""
    return name if _NAME.match(name) else "a signal or update with an unreadable name"


def bounded(reason: str) -> str:
    return reason if len(reason) <= MAX_REASON else reason[: MAX_REASON - 1] + "…"


def activity_refusal(err: ActivityError) -> Rejected:
    """An activity's refusal (or failure) as a coded refusal: its type when that is a message code
    (`pick_absent`), else its message when that is one (the slot refusals: `slot_taken`), else a code
    for its type; anything unexpected is `action_failed`, told without the vendor's text, which stays
    in the activity's failure in the history for ops."""
    kind, message = error_type(err) or "", error_message(err)
    if kind in CODES:
        return Rejected(kind, bounded(message) if message not in CODES else kind)
    if message in CODES:
        return Rejected(message, message)
    if kind in ACTIVITY_CODES:
        return Rejected(ACTIVITY_CODES[kind], bounded(message))
    return Rejected(FAILED, f"{err.activity_type} failed ({kind or 'no answer'})")


@contextmanager
def refusing() -> Iterator[None]:
    """Inside an update's validator or handler: a refusal leaves as `ApplicationError(reason,
    type=code)`, not chained, so the caller's innermost error carries the code (never "Activity
    task failed")."""
    try:
        yield
    except Rejected as refusal:
        raise ApplicationError(str(refusal), type=refusal.code, non_retryable=True) from None
    except ActivityError as err:
        coded = activity_refusal(err)
        raise ApplicationError(str(coded), type=coded.code, non_retryable=True) from None
    except ApplicationError as err:
        if err.type in CODES:
            raise
        # An older refusal that put its code in the message (`type=SlotUnavailable`).
        code = err.message if err.message in CODES else FAILED
        raise ApplicationError(code, type=code, non_retryable=True) from None


def _kind(value: object) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, int | float):
        return "a number"
    if isinstance(value, str):
        return "a string"
    if isinstance(value, list):
        return "a list"
    return "something else"

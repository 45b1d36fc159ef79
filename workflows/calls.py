"""How the ticket workflow calls activities and waits: one place for timeouts, retries, summaries."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import timedelta
from typing import Any, Protocol

from temporalio import workflow
from temporalio.common import RetryPolicy
from temporalio.exceptions import ActivityError, ApplicationError, FailureError

QUICK = timedelta(seconds=30)
RETRY = RetryPolicy(initial_interval=timedelta(seconds=1), maximum_interval=timedelta(minutes=1))
# Webex and SMTP may be down for a while; a ticket waits for them instead of failing.
PATIENT = RetryPolicy(
    initial_interval=timedelta(seconds=2), maximum_interval=timedelta(minutes=5), maximum_attempts=50
)
# An email is sized to SMTP, which answers in seconds: a worker that dies mid-send misses its
# heartbeats and the send is retried within seconds, not after a long start-to-close. PATIENT
# still retries a server that is down for hours.
EMAIL_START_TO_CLOSE = timedelta(seconds=15)
EMAIL_HEARTBEAT = timedelta(seconds=5)

# What an update must answer at once (a reschedule's new slot): a short timeout and few tries, so the
# caller hears yes or no within seconds; everything slower is carried out by the main flow.
PROMPT = timedelta(seconds=5)
PROMPT_RETRY = RetryPolicy(
    initial_interval=timedelta(milliseconds=500), maximum_interval=timedelta(seconds=1), maximum_attempts=3
)


def meeting_retry(attempts: int) -> RetryPolicy:
    """Webex gets a few quick tries; past them the meeting falls back to phone instead of waiting."""
    return RetryPolicy(
        initial_interval=timedelta(seconds=2),
        maximum_interval=timedelta(seconds=30),
        maximum_attempts=attempts,
    )


async def call(
    name: str,
    arg: Any,
    result_type: Any,
    summary: str,
    retry: RetryPolicy = RETRY,
    start_to_close: timedelta = QUICK,
) -> Any:
    """An activity by name (workflow code never imports I/O code), with its summary for the UI."""
    return await workflow.execute_activity(
        name,
        arg,
        result_type=result_type,
        start_to_close_timeout=start_to_close,
        retry_policy=retry,
        summary=summary,
    )


async def call_local(name: str, arg: Any, result_type: Any, summary: str, retry: RetryPolicy = RETRY) -> Any:
    """A quick activity (a lookup, an idempotent write) that the worker runs inside the workflow
    task: the history keeps one marker with its result instead of three events with its input, and
    there is no round trip through the server (issue 11). Retried like `call`, and its failure
    raised as an `ActivityError`, as `call` raises it (the SDK hands a local one over unwrapped)."""
    try:
        return await workflow.execute_local_activity(
            name,
            arg,
            result_type=result_type,
            start_to_close_timeout=QUICK,
            retry_policy=retry,
            summary=summary,
        )
    except ActivityError:
        raise
    except FailureError as failure:
        raise ActivityError(
            f"local activity {name} failed",
            scheduled_event_id=0,
            started_event_id=0,
            identity="",
            activity_type=name,
            activity_id="",
            retry_state=None,
        ) from failure


class Caller(Protocol):
    def __call__(
        self, name: str, arg: Any, result_type: Any, summary: str, retry: RetryPolicy = RETRY
    ) -> Awaitable[Any]: ...


def call_lean(patch_id: str) -> Caller:
    """`call_local` once `patch_id` is in effect, `call` (as older histories recorded) before."""
    return call_local if workflow.patched(patch_id) else call


async def call_email(name: str, arg: Any, summary: str) -> None:
    """The email activity, with the timeouts above (the activity heartbeats while it sends)."""
    await workflow.execute_activity(
        name,
        arg,
        start_to_close_timeout=EMAIL_START_TO_CLOSE,
        heartbeat_timeout=EMAIL_HEARTBEAT,
        retry_policy=PATIENT,
        summary=summary,
    )


async def wait_until(condition: Callable[[], bool], limit: timedelta, summary: str) -> bool:
    """A durable timer that a signal or update can cut short: True when `condition` came true."""
    try:
        await workflow.wait_condition(condition, timeout=limit, timeout_summary=summary)
    except TimeoutError:
        return False
    return True


def error_type(err: ActivityError) -> str | None:
    cause = err.cause
    return cause.type if isinstance(cause, ApplicationError) else None


def error_message(err: ActivityError) -> str:
    cause = err.cause
    return cause.message if isinstance(cause, ApplicationError) else str(err)

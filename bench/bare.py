"""The baseline for `bench.lifecycle`: a workflow with the same *shape* as a happy-path blue ticket
and none of its work.

Why a separate module: the workflow sandbox re-imports the module that defines a workflow on every
run, so it must import nothing heavy (no SQL, no HTTP, no test helpers). Why this shape: comparing
against a plain loop of N activities and M timers would mix in a different driving pattern; this
one runs the same number of activities and timers *in the same places* as a ticket, and the bench
drives it exactly like a ticket (status query polls, a fast-forward to the "meeting", an update,
a fast-forward past the "escalation window"), so the difference between the two rates is the cost
of what the ticket really does: its activities (SQLite, SMTP, Webex over HTTP, templates, PDF),
its payloads, search-attribute upserts and bigger histories.
"""

from __future__ import annotations

from datetime import timedelta

from temporalio import activity, workflow

with workflow.unsafe.imports_passed_through():
    from pydantic import BaseModel, Field

BARE_NOOP = "bench_bare_noop"
QUICK = timedelta(seconds=30)
# The update arrives long before this timer fires; it only has to outlast the first fast-forward.
UPDATE_WAIT = timedelta(days=1)
STEP = timedelta(hours=1)  # each timer that the first fast-forward fires
TAIL_STEP = timedelta(days=30)  # each timer after the update (the ticket's escalation window)


class BareShape(BaseModel):
    """Where a ticket schedules its activities and timers, counted from a real ticket's history.

    The ticket's happy path is: activities → timers (the meeting wait; the last one is cut short by
    the clerk's update) → activities → timers (the escalation window). Zero-length segments are
    allowed so a changed ticket flow still yields a runnable baseline.
    """

    activities_before: int = Field(ge=0, description="activities scheduled before the first timer")
    timers_before_update: int = Field(ge=1, description="timers started before the update, the cut one too")
    activities_after: int = Field(ge=0, description="activities scheduled after the first timer")
    timers_after: int = Field(ge=0, description="timers started after the update")

    @property
    def activities(self) -> int:
        return self.activities_before + self.activities_after

    @property
    def timers(self) -> int:
        return self.timers_before_update + self.timers_after

    @property
    def first_fast_forward(self) -> timedelta:
        """Fires every timer before the update but not the one the update cuts short."""
        return (self.timers_before_update - 1) * STEP + timedelta(minutes=16)

    @property
    def second_fast_forward(self) -> timedelta:
        return self.timers_after * TAIL_STEP + timedelta(days=1)


class BareAction(BaseModel):
    """The clerk's update, reduced to a field so it still carries a (tiny) payload."""

    staff_id: str


@activity.defn(name=BARE_NOOP)
async def bare_noop(step: int) -> int:
    """Does nothing: the cost left is the engine's (schedule, dispatch, complete, record)."""
    return step


@workflow.defn(name="BenchBare")
class BareWorkflow:
    @workflow.init
    def __init__(self, shape: BareShape) -> None:
        self._status = "started"
        self._answered = False

    @workflow.run
    async def run(self, shape: BareShape) -> str:
        await self._activities(shape.activities_before, 0)
        self._status = "scheduled"
        for _ in range(shape.timers_before_update - 1):
            await workflow.sleep(STEP)
        self._status = "awaiting_outcome"
        try:
            await workflow.wait_condition(lambda: self._answered, timeout=UPDATE_WAIT)
        except TimeoutError:
            self._status = "timed_out"
            return self._status
        await self._activities(shape.activities_after, shape.activities_before)
        self._status = "resolved"
        for _ in range(shape.timers_after):
            await workflow.sleep(TAIL_STEP)
        self._status = "closed"
        return self._status

    async def _activities(self, count: int, first: int) -> None:
        for step in range(first, first + count):
            await workflow.execute_activity(bare_noop, step, start_to_close_timeout=QUICK)

    @workflow.update
    def answer(self, action: BareAction) -> str:
        self._answered = True
        return self._status

    @answer.validator
    def _check_answer(self, action: BareAction) -> None:
        if self._status != "awaiting_outcome" or self._answered:
            raise ValueError(f"not expecting an answer in status {self._status}")

    @workflow.query
    def status(self) -> str:
        return self._status

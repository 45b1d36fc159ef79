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

import asyncio
from datetime import timedelta

from temporalio import activity, workflow

with workflow.unsafe.imports_passed_through():
    from pydantic import BaseModel, Field

BARE_NOOP = "bench_bare_noop"
BARE_LOCAL = "bench_bare_local"
QUICK = timedelta(seconds=30)
# The update arrives long before this timer fires; it only has to outlast the first fast-forward.
UPDATE_WAIT = timedelta(days=1)
STEP = timedelta(hours=1)  # each timer that the first fast-forward fires
TAIL_STEP = timedelta(days=30)  # each timer after the update (the ticket's escalation window)


class Step(BaseModel):
    """What one workflow task of the ticket started: a timer, or activities — `local` ones run by
    the worker one after the other inside the task, and `remote` ones scheduled together."""

    timer: bool = False
    local: int = Field(default=0, ge=0)
    remote: int = Field(default=0, ge=0)


class BareShape(BaseModel):
    """Where a ticket starts its activities and timers, read from a real ticket's history, in order.

    The ticket's happy path is: activities → timers with activities between them (the reminders,
    the meeting wait; the last timer is cut short by the clerk's update) → activities → timers (the
    escalation window). Activities between timers stay between timers here, and local activities
    stay local, so the bare workflow waits where the ticket waits.
    """

    before_update: list[Step] = Field(description="the steps until the update; the last timer is the cut one")
    after_update: list[Step] = Field(default=[], description="the steps after the update")

    @property
    def activities(self) -> int:
        return sum(s.local + s.remote for s in [*self.before_update, *self.after_update])

    @property
    def timers_before_update(self) -> int:
        return max(1, sum(s.timer for s in self.before_update))

    @property
    def timers_after(self) -> int:
        return sum(s.timer for s in self.after_update)

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

    def summary(self) -> str:
        def show(steps: list[Step]) -> str:
            return " ".join("T" if s.timer else f"A{s.remote}L{s.local}" for s in steps)

        return f"{show(self.before_update)} | update | {show(self.after_update)}"


class BareAction(BaseModel):
    """The clerk's update, reduced to a field so it still carries a (tiny) payload."""

    staff_id: str


@activity.defn(name=BARE_NOOP)
async def bare_noop(step: int) -> int:
    """Does nothing: the cost left is the engine's (schedule, dispatch, complete, record)."""
    return step


@activity.defn(name=BARE_LOCAL)
async def bare_local(step: int) -> int:
    """The local twin of `bare_noop`: what is left is the worker's own bookkeeping and a marker."""
    return step


@workflow.defn(name="BenchBare")
class BareWorkflow:
    @workflow.init
    def __init__(self, shape: BareShape) -> None:
        self._status = "started"
        self._answered = False

    @workflow.run
    async def run(self, shape: BareShape) -> str:
        timers_left = shape.timers_before_update
        for step in shape.before_update:
            if not step.timer:
                await self._activities(step)
                continue
            self._status = "scheduled"
            timers_left -= 1
            if timers_left > 0:
                await workflow.sleep(STEP)
                continue
            self._status = "awaiting_outcome"
            try:
                await workflow.wait_condition(lambda: self._answered, timeout=UPDATE_WAIT)
            except TimeoutError:
                self._status = "timed_out"
                return self._status
        for step in shape.after_update:  # the ticket is resolved before its escalation window
            if step.timer:
                self._status = "resolved"
                await workflow.sleep(TAIL_STEP)
            else:
                await self._activities(step)
        self._status = "closed"
        return self._status

    async def _activities(self, step: Step) -> None:
        async def locals_in_turn() -> None:
            for n in range(step.local):
                await workflow.execute_local_activity(bare_local, n, start_to_close_timeout=QUICK)

        remote = [
            workflow.execute_activity(bare_noop, n, start_to_close_timeout=QUICK) for n in range(step.remote)
        ]
        await asyncio.gather(locals_in_turn(), *remote)

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

"""The refusals a clerk or citizen can meet, state by state, without a server (pure functions)."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest

from domain.models import (
    AssignAction,
    CancelAction,
    Channel,
    Citizen,
    EscalateAction,
    FileRef,
    Level,
    Outcome,
    OutcomeAction,
    ResolutionAction,
    Role,
    TicketInput,
    TicketStatus,
)
from tests.samples import staff_member
from workflows import guards
from workflows.guards import Rejected
from workflows.ticket_state import TicketState

NOW = datetime(2026, 12, 2, 12, 0, tzinfo=UTC)
CLERK = staff_member("c1", name="Ana Pop", email="a@p.ro", department_id="d")
DIRECTOR = staff_member("dir-d", Role.DIRECTOR, name="Dan Ionescu", email="d@p.ro", department_id="d")
RESOLUTION = ResolutionAction(staff_id="c1", conclusions="Concluzii suficient de lungi.")


def state(status: TicketStatus, level: Level = Level.CLERK, /, **fields: object) -> TicketState:
    inp = TicketInput(
        ticket_id="t",
        file=FileRef(registration_number="1/2026", requester_name="Ion Pop", filing_date=date(2026, 11, 1)),
        citizen=Citizen(email="i@example.ro", phone="0712345678"),
        channel=Channel.WEBEX,
        slot_start=NOW,
        level=level,
    )
    s = TicketState.start(inp)
    s.status, s.assignee, s.director = status, CLERK, DIRECTOR
    for name, value in fields.items():
        setattr(s, name, value)
    return s


@pytest.mark.parametrize("status", [TicketStatus.AWAITING_OUTCOME, TicketStatus.AWAITING_RESOLUTION])
def test_the_clerk_may_resolve_after_the_meeting(status: TicketStatus) -> None:
    guards.check_resolution(state(status), RESOLUTION)
    guards.check_outcome(state(status), OutcomeAction(staff_id="c1", outcome=Outcome.CITIZEN_NO_SHOW))


@pytest.mark.parametrize(
    ("s", "action", "reason"),
    [
        (state(TicketStatus.SCHEDULED), RESOLUTION, "not taken place"),
        (state(TicketStatus.AWAITING_OUTCOME), RESOLUTION.model_copy(update={"staff_id": "c2"}), "clerk"),
        (state(TicketStatus.AWAITING_OUTCOME, resolution=RESOLUTION), RESOLUTION, "already submitted"),
        (state(TicketStatus.AWAITING_OUTCOME, outcome=Outcome.CITIZEN_NO_SHOW), RESOLUTION, "not held"),
    ],
)
def test_resolution_refusals(s: TicketState, action: ResolutionAction, reason: str) -> None:
    with pytest.raises(Rejected, match=reason):
        guards.check_resolution(s, action)


def test_outcome_refusals() -> None:
    with pytest.raises(Rejected, match="only the citizen"):
        guards.check_outcome(
            state(TicketStatus.AWAITING_OUTCOME), OutcomeAction(staff_id="c1", outcome=Outcome.CANCELLED)
        )
    with pytest.raises(Rejected, match="already recorded"):
        guards.check_outcome(
            state(TicketStatus.AWAITING_RESOLUTION, outcome=Outcome.HELD),
            OutcomeAction(staff_id="c1", outcome=Outcome.CLERK_NO_SHOW),
        )


def test_cancel_only_before_the_meeting_and_once() -> None:
    guards.check_cancel(state(TicketStatus.SCHEDULED), CancelAction())
    for status in (TicketStatus.AWAITING_OUTCOME, TicketStatus.RESOLVED, TicketStatus.CLOSED):
        with pytest.raises(Rejected):
            guards.check_cancel(state(status), CancelAction())
    with pytest.raises(Rejected, match="already"):
        guards.check_cancel(state(TicketStatus.SCHEDULED, cancel=CancelAction()), CancelAction())


def test_only_the_director_picks_and_only_when_needed() -> None:
    guards.check_assign(
        state(TicketStatus.AWAITING_ASSIGNMENT), AssignAction(staff_id="dir-d", assignee_id="c9")
    )
    with pytest.raises(Rejected, match="director"):
        guards.check_assign(
            state(TicketStatus.AWAITING_ASSIGNMENT), AssignAction(staff_id="c1", assignee_id="c9")
        )
    with pytest.raises(Rejected, match="does not need"):
        guards.check_assign(state(TicketStatus.SCHEDULED), AssignAction(staff_id="dir-d", assignee_id="c9"))


def test_escalation_only_from_a_resolution_within_30_days_and_never_past_the_mayor() -> None:
    action = EscalateAction(slot_start=NOW)
    open_window: dict[str, object] = {"escalation_deadline": NOW + timedelta(days=1)}
    guards.check_escalate(state(TicketStatus.RESOLVED, **open_window), action, NOW)
    with pytest.raises(Rejected, match="resolution"):
        guards.check_escalate(state(TicketStatus.SCHEDULED, **open_window), action, NOW)
    with pytest.raises(Rejected, match="30-day"):
        guards.check_escalate(state(TicketStatus.RESOLVED, escalation_deadline=NOW), action, NOW)
    with pytest.raises(Rejected, match="mayor"):
        guards.check_escalate(state(TicketStatus.RESOLVED, Level.MAYOR, **open_window), action, NOW)
    with pytest.raises(Rejected, match="already"):
        guards.check_escalate(state(TicketStatus.RESOLVED, escalation=action, **open_window), action, NOW)


def test_next_level_input_carries_the_audience_and_keeps_the_ticket() -> None:
    s = state(
        TicketStatus.RESOLVED,
        outcome=Outcome.HELD,
        resolution=RESOLUTION,
        escalation=EscalateAction(slot_start=NOW + timedelta(days=1), requested_at=NOW),
    )
    nxt = s.next_level_input(NOW)
    assert nxt.level == Level.DIRECTOR and nxt.ticket_id == "t"
    assert nxt.requested_at == NOW and nxt.slot_start == NOW + timedelta(days=1)
    assert [a.level for a in nxt.audiences] == [Level.CLERK]
    assert nxt.audiences[0].conclusions == RESOLUTION.conclusions

"""The refusals a clerk or citizen can meet, state by state, without a server (pure functions)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta

import pytest

from domain.messages import CODES
from domain.models import (
    AssignAction,
    CancelAction,
    Channel,
    ChooseSlotAction,
    Citizen,
    EscalateAction,
    FileRef,
    InPersonDecision,
    Level,
    NeededDocument,
    Outcome,
    OutcomeAction,
    RescheduleAction,
    ResolutionAction,
    ResolutionCategory,
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


def test_a_second_resolution_on_a_resolved_ticket_says_it_is_already_submitted() -> None:
    resolved = state(TicketStatus.RESOLVED, outcome=Outcome.HELD, resolution=RESOLUTION)
    with pytest.raises(Rejected, match="already submitted") as refused:
        guards.check_resolution(resolved, RESOLUTION)
    assert refused.value.code == "resolution_already_submitted"
    closed = state(TicketStatus.CLOSED, outcome=Outcome.CITIZEN_NO_SHOW)
    with pytest.raises(Rejected, match="not held"):
        guards.check_resolution(closed, RESOLUTION)


def test_every_refusal_has_a_message_for_the_person_who_acted() -> None:
    """Each guard's code is a `domain.messages` key with a Romanian and an English sentence."""
    booked = state(TicketStatus.SCHEDULED, slot_start=NOW + timedelta(days=1))
    cases: list[Callable[[], None]] = [
        lambda: guards.check_resolution(state(TicketStatus.SCHEDULED), RESOLUTION),
        lambda: guards.check_outcome(
            state(TicketStatus.SCHEDULED), OutcomeAction(staff_id="c2", outcome=Outcome.HELD)
        ),
        lambda: guards.check_assign(
            state(TicketStatus.SCHEDULED), AssignAction(staff_id="d", assignee_id="c")
        ),
        lambda: guards.check_cancel(state(TicketStatus.CLOSED), CancelAction()),
        lambda: guards.check_reschedule(booked, RescheduleAction(slot_start=NOW + timedelta(days=1)), NOW),
        lambda: guards.check_reschedule(
            booked, RescheduleAction(slot_start=NOW + timedelta(days=2), staff_id="c1"), NOW
        ),
        lambda: guards.check_in_person(booked, InPersonDecision(staff_id="c1", accept=True)),
        lambda: guards.check_choose_slot(booked, ChooseSlotAction(slot_start=NOW)),
        lambda: guards.check_escalate(booked, EscalateAction(slot_start=NOW), NOW),
    ]
    codes = []
    for case in cases:
        with pytest.raises(Rejected) as refused:
            case()
        codes.append(refused.value.code)
        assert refused.value.code in CODES, refused.value.code
    assert len(set(codes)) == len(codes), "each refusal above has its own code"


# --- resolution consistency (issue 10): the PDF never says both "waiting for documents" and "no
# more documents needed" -------------------------------------------------------------------------

A_DOCUMENT = NeededDocument(title="Plan de situație", original=True)


@pytest.mark.parametrize(
    ("category", "documents", "code"),
    [
        (ResolutionCategory.DOCUMENTS_REQUESTED, [], "resolution_documents_missing"),
        (ResolutionCategory.CLARIFIED, [A_DOCUMENT], "resolution_clarified_with_documents"),
    ],
)
def test_a_category_that_contradicts_the_documents_is_refused(
    category: ResolutionCategory, documents: list[NeededDocument], code: str
) -> None:
    action = RESOLUTION.model_copy(update={"category": category, "documents_needed": documents})
    with pytest.raises(Rejected) as refused:
        guards.check_resolution(state(TicketStatus.AWAITING_RESOLUTION), action)
    assert refused.value.code == code
    assert code in CODES
    # Replaying a signal accepted before the rule (`patches.RESOLUTION_RULES`): let through.
    guards.check_resolution(state(TicketStatus.AWAITING_RESOLUTION), action, consistency=False)


@pytest.mark.parametrize(
    ("category", "documents"),
    [
        (ResolutionCategory.DOCUMENTS_REQUESTED, [A_DOCUMENT]),
        (ResolutionCategory.CLARIFIED, []),
        (ResolutionCategory.IN_PROGRESS, [A_DOCUMENT]),
        (ResolutionCategory.NOT_POSSIBLE, []),
        (None, [A_DOCUMENT]),  # a ticket resolved before categories existed
    ],
)
def test_a_category_that_fits_its_documents_is_accepted(
    category: ResolutionCategory | None, documents: list[NeededDocument]
) -> None:
    action = RESOLUTION.model_copy(update={"category": category, "documents_needed": documents})
    guards.check_resolution(state(TicketStatus.AWAITING_RESOLUTION), action)
    assert guards.resolution_problem(category, documents) is None


def test_the_state_refusals_come_before_the_consistency_one() -> None:
    """A resolution sent too early is told it is too early, whatever its documents."""
    action = RESOLUTION.model_copy(update={"category": ResolutionCategory.DOCUMENTS_REQUESTED})
    with pytest.raises(Rejected) as refused:
        guards.check_resolution(state(TicketStatus.SCHEDULED), action)
    assert refused.value.code == "meeting_not_held_yet"

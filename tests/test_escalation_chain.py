"""R3 and R9 end to end: clerk → director → deputy mayor → mayor, one level at a time, each its own
audience, booking and registered document, with the earlier resolutions handed to the next holder;
once on each database (`stack`)."""

from __future__ import annotations

from collections.abc import Callable

import httpx
from temporalio.client import Client
from temporalio.testing import WorkflowEnvironment

from devstack.mailbox import Mailbox, StoredMessage
from domain.models import Level, Role, TicketStatus, TicketView
from tests.conftest import Stack, wait_for_status
from tests.helpers import Requested, past_the_meeting, scheduled_ticket, staff_action
from workflows.guards import AFTER_MEETING

HOLDERS = {
    Level.CLERK: Role.CLERK,
    Level.DIRECTOR: Role.DIRECTOR,
    Level.DEPUTY_MAYOR: Role.DEPUTY_MAYOR,
    Level.MAYOR: Role.MAYOR,
}


def notice_to(address: str, number: str, attachments: int) -> Callable[[StoredMessage], bool]:
    """The new holder's notice of this file (other tests' tickets write to the same directors)."""
    return lambda m: (
        address in m.recipients
        and "Tichet albastru nou" in m.subject
        and number in m.subject
        and len(m.attachments) == attachments
    )


async def resolve(
    api: httpx.AsyncClient, env: WorkflowEnvironment, requested: Requested, view: TicketView
) -> TicketView:
    assert view.assignee is not None
    await past_the_meeting(env, requested.handle, view)
    await wait_for_status(requested.handle, TicketStatus.AWAITING_OUTCOME, TicketStatus.AWAITING_RESOLUTION)
    conclusions = f"Concluziile nivelului {int(view.level)}: dosarul a fost reanalizat."
    body = {"conclusions": conclusions, "category": "clarified"}
    response = await staff_action(api, requested, "resolution", view.assignee.id, body)
    assert response.status_code == 200, response.text
    return await wait_for_status(requested.handle, TicketStatus.RESOLVED, TicketStatus.CLOSED)


async def test_the_whole_chain_up_to_the_mayor(
    stack: Stack, client: Client, env: WorkflowEnvironment, mailbox: Mailbox
) -> None:
    api = stack.api
    requested, view = await scheduled_ticket(api, client, stack.database_url, handler_id="c0070")
    documents: list[str] = []
    for level in Level:
        assert view.level == level and view.assignee is not None
        assert view.assignee.role == HOLDERS[level], f"level {level.name} is held by a {HOLDERS[level]}"
        assert view.ticket_id == requested.ticket_id
        assert [a.level for a in view.audiences] == list(Level)[:level]
        if documents:
            number = requested.ref.registration_number
            notice = await mailbox.wait_for(notice_to(view.assignee.email, number, len(documents)))
            assert {a.filename for a in notice.attachments} == {
                f"rezolutie-{requested.ref.registration_number.replace('/', '-')}-nivel{i}.pdf"
                for i in range(level)
            }, "the next holder receives every earlier resolution"

        resolved = await resolve(api, env, requested, view)
        assert resolved.document_number is not None and resolved.document_number not in documents
        documents.append(resolved.document_number)
        if level == Level.MAYOR:
            break
        assert resolved.next_level == Level(level + 1) and resolved.escalation_deadline is not None

        slots = (await api.get(f"{requested.link.path}/escalation-slots", params=requested.key)).json()[
            "slots"
        ]
        assert slots, f"the {Level(level + 1).name.lower()} has free slots"
        escalated = await api.post(
            f"{requested.link.path}/escalate", params=requested.key, json={"slot_start": slots[0]["start"]}
        )
        assert escalated.status_code == 200, escalated.text
        view = await wait_for_status(requested.handle, TicketStatus.SCHEDULED, *AFTER_MEETING)
        assert view.level == Level(level + 1)

    assert resolved.level == Level.MAYOR and resolved.next_level is None
    final = await requested.handle.result()  # the status may be seen on its way from resolved to closed
    assert final.status == TicketStatus.CLOSED, "the mayor's answer is the last: no escalation window"
    beyond = await api.post(
        f"{requested.link.path}/escalate", params=requested.key, json={"slot_start": slots[0]["start"]}
    )
    assert beyond.status_code in (404, 409)
    assert len(documents) == 4

"""The one erasure of a ticket's contact data (issue 9), used by the daily purge's activity and by the
citizen's own request, so both erase the same things the same way.

The citizen's name, email and phone live in the ticket's Temporal history (the workflow's input and
state, encrypted) and nowhere in the database. Erasing them means deleting the ticket's closed runs
(every level's, continue-as-new keeps the workflow id and the `TicketId`), which Temporal would
otherwise delete itself after the namespace retention; a run still going is never touched. In the
database the citizen's rating comments are emptied and the erasure is recorded under a pseudonym.
The archive rows and the registered documents stay (R10 and the archives law).
"""

from __future__ import annotations

import asyncio
import logging
from datetime import datetime

from temporalio.api.common.v1 import WorkflowExecution
from temporalio.api.workflowservice.v1 import DeleteWorkflowExecutionRequest
from temporalio.client import Client, WorkflowExecutionStatus
from temporalio.service import RPCError, RPCStatusCode

from core import search_attributes as sa
from domain.retention import EraseResult, ErasureOutcome, ErasureReason, ErasureTarget
from store.personal_data import SqlPersonalData

log = logging.getLogger(__name__)


class TicketHistories:
    """The ticket's runs in Temporal: is one still going, and delete the closed ones."""

    def __init__(self, client: Client) -> None:
        self._client = client

    async def runs(self, target: ErasureTarget) -> list[tuple[str, bool]]:
        """(run id, still running) of every run of this ticket: the latest run from `describe`
        (strongly consistent, so a ticket that just closed counts as closed) and the earlier ones
        (escalation levels) from visibility."""
        found: dict[str, bool] = {}
        query = f'WorkflowId = "{target.workflow_id}" AND TicketId = "{target.ticket_id}"'
        async for execution in self._client.list_workflows(query):
            found[execution.run_id] = execution.status == WorkflowExecutionStatus.RUNNING
        try:
            latest = await self._client.get_workflow_handle(target.workflow_id).describe()
        except RPCError as err:
            if err.status != RPCStatusCode.NOT_FOUND:
                raise
            return sorted(found.items())
        if latest.typed_search_attributes.get(sa.TICKET_ID) == target.ticket_id:
            found[latest.run_id] = latest.status == WorkflowExecutionStatus.RUNNING
        return sorted(found.items())

    async def delete(self, workflow_id: str, run_id: str) -> bool:
        try:
            await self._client.workflow_service.delete_workflow_execution(
                DeleteWorkflowExecutionRequest(
                    namespace=self._client.namespace,
                    workflow_execution=WorkflowExecution(workflow_id=workflow_id, run_id=run_id),
                )
            )
        except RPCError as err:
            if err.status == RPCStatusCode.NOT_FOUND:  # gone already (retention, an earlier try)
                return False
            raise
        return True


async def erase_contact_data(
    histories: TicketHistories,
    data: SqlPersonalData,
    target: ErasureTarget,
    reason: ErasureReason,
    at: datetime,
) -> EraseResult:
    """Erase one closed ticket's contact data; a ticket erased before is left as it is, one still
    running is refused (`STILL_OPEN`). Safe to repeat: each step finds its own earlier work."""
    runs = await histories.runs(target)
    if any(running for _, running in runs):
        return EraseResult(
            ticket_id=target.ticket_id, outcome=ErasureOutcome.STILL_OPEN, erased_at=None, pseudonym=None
        )
    record, done_now = await asyncio.to_thread(data.erase, target, reason, at)
    deleted = 0
    for run_id, _ in runs:  # also on a repeat: a delete that failed last time is done now
        deleted += await histories.delete(target.workflow_id, run_id)
    log.info(
        "contact data of ticket %s erased (%s), %d runs deleted", target.ticket_id, reason.value, deleted
    )
    return EraseResult(
        ticket_id=target.ticket_id,
        outcome=ErasureOutcome.ERASED if done_now else ErasureOutcome.ALREADY_ERASED,
        erased_at=record.erased_at,
        pseudonym=record.pseudonym,
        histories_deleted=deleted,
    )

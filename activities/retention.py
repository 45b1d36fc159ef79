"""The purge's activities (issue 9): which tickets are due, and erase one (`integrations.erasure`)."""

from __future__ import annotations

import asyncio

from temporalio import activity

from domain import retention as r
from integrations.erasure import TicketHistories, erase_contact_data
from store.personal_data import SqlPersonalData


class RetentionActivities:
    def __init__(self, histories: TicketHistories, data: SqlPersonalData) -> None:
        self.histories = histories
        self.data = data

    @activity.defn(name=r.FIND_DUE_TICKETS)
    async def find_due(self, request: r.DueRequest) -> list[r.ErasureTarget]:
        return await asyncio.to_thread(self.data.due, request.cutoff, request.after_ticket_id, request.limit)

    @activity.defn(name=r.ERASE_CONTACT_DATA)
    async def erase(self, request: r.EraseRequest) -> r.EraseResult:
        return await erase_contact_data(self.histories, self.data, request.target, request.reason, request.at)

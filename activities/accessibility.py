"""Accessibility feedback's activities (issue 12): email one message to the city's configured address,
and erase old messages' personal data for the daily purge."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime

from temporalio import activity
from temporalio.exceptions import ApplicationError

from activities.notifications import heartbeating, message_id_for
from domain.accessibility import (
    ERASE_OLD_FEEDBACK,
    SEND_FEEDBACK,
    FeedbackDelivery,
    FeedbackErased,
    FeedbackErasure,
)
from domain.ports import EmailDeliveries, RecipientKind
from integrations.feedback_email import compose_feedback
from integrations.mailer import SmtpMailer
from store.accessibility_feedback import SqlAccessibilityFeedback

FEEDBACK_KIND = "accessibility_feedback"


class FeedbackActivities:
    def __init__(
        self,
        mailer: SmtpMailer,
        feedback: SqlAccessibilityFeedback,
        deliveries: EmailDeliveries,
        *,
        to: str,
        city: str,
        base_url: str,
        retention_days: int,
    ) -> None:
        self.mailer, self.feedback, self.deliveries = mailer, feedback, deliveries
        self.to, self.city, self.base_url, self.retention_days = to, city, base_url, retention_days

    @activity.defn(name=SEND_FEEDBACK)
    async def send(self, request: FeedbackDelivery) -> None:
        """Once per message, like every email (the sent-log by Message-ID: `email_deliveries`)."""
        info = activity.info()
        row = await asyncio.to_thread(self.feedback.get, request.feedback_id)
        if row is None:
            raise ApplicationError(f"feedback {request.feedback_id} is not stored", non_retryable=True)
        if row.emailed_at is not None or row.erased_at is not None:
            activity.logger.info("feedback %s already emailed or erased", request.feedback_id)
            return
        message_id = message_id_for(info.workflow_run_id or "", info.activity_id)
        if not await asyncio.to_thread(
            self.deliveries.begin,
            message_id,
            workflow_id=info.workflow_id or "",
            kind=FEEDBACK_KIND,
            recipient_kind=RecipientKind.STAFF,
            at=datetime.now(UTC),
        ):  # a retry after the server took it: only the row's mark may be missing
            await asyncio.to_thread(self.feedback.mark_emailed, request.feedback_id, datetime.now(UTC))
            return
        message = compose_feedback(row, self.to, self.city, self.base_url, self.retention_days)
        del message["Message-ID"]
        message["Message-ID"] = message_id
        async with heartbeating():
            reply = await self.mailer.send(message)
        now = datetime.now(UTC)
        await asyncio.to_thread(self.deliveries.mark_delivered, message_id, at=now, detail=reply)
        await asyncio.to_thread(self.feedback.mark_emailed, request.feedback_id, now)

    @activity.defn(name=ERASE_OLD_FEEDBACK)
    async def erase_old(self, request: FeedbackErasure) -> FeedbackErased:
        erased = await asyncio.to_thread(self.feedback.erase_before, request.cutoff, request.at)
        return FeedbackErased(erased=erased)

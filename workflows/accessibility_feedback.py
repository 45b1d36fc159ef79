"""Taking one accessibility feedback message to the city (issue 12): stored by the page, emailed here.

A workflow, not a send inside the web request: the SMTP relay may be down for hours and the message
must still arrive (the email activity retries patiently, once per Message-ID). Its input is the
row id only, so nothing the citizen wrote is in the history.
"""

from __future__ import annotations

from temporalio import workflow

from domain import accessibility as a
from workflows.calls import call_email


@workflow.defn(name=a.FEEDBACK_WORKFLOW)
class AccessibilityFeedbackWorkflow:
    @workflow.run
    async def run(self, inp: a.FeedbackDelivery) -> None:
        workflow.set_current_details(f"Emailing accessibility feedback no. {inp.feedback_id} to the city")
        await call_email(a.SEND_FEEDBACK, inp, f"Email accessibility feedback no. {inp.feedback_id}")
        workflow.set_current_details(f"Accessibility feedback no. {inp.feedback_id} emailed to the city")

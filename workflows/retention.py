"""The daily contact-data purge (issue 9), started by the `tichet-retention-purge` Temporal Schedule.

As of the schedule's action time (`workflow.now()`), or the input's `as_of`, every ticket whose last
audience ended more than `retention_days` ago loses its citizen's contact data
(`integrations.erasure`). A ticket still running is skipped and comes up again the next day. The
report it returns, and its activity summaries, name tickets by id only.
"""

from __future__ import annotations

from datetime import timedelta

from temporalio import workflow

from domain import accessibility as a
from domain import retention as r
from workflows import patches
from workflows.calls import PATIENT, call


@workflow.defn(name=r.PURGE_WORKFLOW)
class RetentionPurgeWorkflow:
    @workflow.run
    async def run(self, inp: r.PurgeInput) -> r.PurgeReport:
        as_of = inp.as_of or workflow.now()
        cutoff = as_of - timedelta(days=inp.retention_days)
        report = r.PurgeReport(as_of=as_of, cutoff=cutoff)
        workflow.set_current_details(
            f"Erasing contact data of tickets ended before {cutoff:%Y-%m-%d %H:%M} UTC"
        )
        after = inp.after_ticket_id
        # Accessibility feedback (issue 12) has the same retention, counted from its receipt; once
        # per purge (a continued-as-new run resumes tickets only).
        if not after and workflow.patched(patches.FEEDBACK_PURGE):
            erasure = a.FeedbackErasure(cutoff=cutoff, at=as_of)
            done: a.FeedbackErased = await call(
                a.ERASE_OLD_FEEDBACK, erasure, a.FeedbackErased, "Erase old accessibility feedback"
            )
            report.feedback_erased = done.erased
        while True:
            request = r.DueRequest(cutoff=cutoff, after_ticket_id=after)
            due: list[r.ErasureTarget] = await call(
                r.FIND_DUE_TICKETS, request, list[r.ErasureTarget], "Find tickets past the retention period"
            )
            for target in due:
                erase = r.EraseRequest(target=target, reason=r.ErasureReason.RETENTION, at=as_of)
                summary = f"Erase contact data of ticket {target.ticket_id}"
                result: r.EraseResult = await call(
                    r.ERASE_CONTACT_DATA, erase, r.EraseResult, summary, PATIENT
                )
                {
                    r.ErasureOutcome.ERASED: report.erased,
                    r.ErasureOutcome.ALREADY_ERASED: report.already_erased,
                    r.ErasureOutcome.STILL_OPEN: report.still_open,
                }[result.outcome].append(target.ticket_id)
            workflow.set_current_details(
                f"Before {cutoff:%Y-%m-%d}: {len(report.erased)} erased, {len(report.still_open)} still open"
            )
            if len(due) < request.limit:
                return report
            after = due[-1].ticket_id
            if workflow.info().is_continue_as_new_suggested():
                workflow.continue_as_new(
                    r.PurgeInput(retention_days=inp.retention_days, as_of=as_of, after_ticket_id=after)
                )

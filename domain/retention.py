"""What the retention purge and a citizen's erasure request pass around (issue 9): plain models, so
the purge workflow can carry them. No personal data: a ticket is named by its ids and its file."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Final

from pydantic import Field

from domain.models import Model

FIND_DUE_TICKETS: Final = "find_tickets_due_for_erasure"
ERASE_CONTACT_DATA: Final = "erase_contact_data"
PURGE_WORKFLOW: Final = "RetentionPurge"
PURGE_BATCH: Final = 200


class ErasureReason(StrEnum):
    RETENTION = "retention"  # the daily purge, `TICHET_CONTACT_RETENTION_DAYS` after the ticket ended
    CITIZEN = "citizen"  # the citizen asked from their link, once the ticket was closed


class PurgeInput(Model):
    """The schedule's argument. `as_of` is empty in the schedule (the run uses `workflow.now()`, the
    schedule's action time); set, it replays a purge as of that instant (time-skipped tests, a
    missed day run by hand)."""

    retention_days: int = Field(ge=1)
    as_of: datetime | None = None
    after_ticket_id: str = Field(default="", description="where a continued-as-new purge resumes")


class ErasureTarget(Model):
    """One ticket whose contact data is to go: ids only."""

    ticket_id: str = Field(min_length=1, max_length=80)
    workflow_id: str = Field(min_length=1, max_length=200)
    registration_number: str = Field(max_length=40)
    closed_at: datetime | None = Field(description="when its last audience ended (the archive's date)")


class DueRequest(Model):
    cutoff: datetime
    after_ticket_id: str = ""
    limit: int = Field(default=PURGE_BATCH, ge=1, le=1000)


class EraseRequest(Model):
    target: ErasureTarget
    reason: ErasureReason
    at: datetime


class ErasureOutcome(StrEnum):
    ERASED = "erased"
    ALREADY_ERASED = "already_erased"  # a second purge, or the citizen asked before: nothing changes
    STILL_OPEN = "still_open"  # the ticket's workflow still runs (a new level, a late step): not now


class EraseResult(Model):
    ticket_id: str
    outcome: ErasureOutcome
    erased_at: datetime | None
    pseudonym: str | None
    histories_deleted: int = 0


class PurgeReport(Model):
    as_of: datetime
    cutoff: datetime
    erased: list[str] = Field(default_factory=list)
    already_erased: list[str] = Field(default_factory=list)
    still_open: list[str] = Field(default_factory=list)
    feedback_erased: int = Field(default=0, description="accessibility feedback messages erased (issue 12)")

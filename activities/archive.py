"""R10: every finished audience is written to the municipality's archive, with its recording."""

from __future__ import annotations

from temporalio import activity

from activities.meetings import honouring_retry_after
from domain import activity_io as io
from domain.models import ArchiveRecord
from domain.ports import Archive
from integrations.webex import WebexMeetings, WebexRetryableError


class ArchiveActivities:
    """`webex` finds a held meeting's recording (R10) when the workflow names the meeting; without
    it (tools, tests of the archive alone) the record is kept as it is given."""

    def __init__(self, archive: Archive, webex: WebexMeetings | None = None) -> None:
        self.archive, self.webex = archive, webex

    @activity.defn(name=io.ARCHIVE_AUDIENCE)
    def archive_audience(self, asked: io.AnyArchiveRequest) -> str | None:
        """Returns the recording's reference now in the record. Tickets started before
        `lean-activity-inputs-v1` send the bare record (their recording already looked up) and
        expect nothing back."""
        if isinstance(asked, ArchiveRecord):
            self.archive.record(asked)
            return None
        record = asked.record
        if record.recording_ref is None and asked.webex_meeting_id and self.webex is not None:
            try:
                found = self.webex.find_recording(asked.webex_meeting_id)
            except WebexRetryableError as err:
                raise honouring_retry_after(err) from err
            record = record.model_copy(update={"recording_ref": found})
        self.archive.record(record)
        return record.recording_ref

"""R10: every finished audience is written to the municipality's archive."""

from __future__ import annotations

from temporalio import activity

from domain import activity_io as io
from domain.models import ArchiveRecord
from domain.ports import Archive


class ArchiveActivities:
    def __init__(self, archive: Archive) -> None:
        self.archive = archive

    @activity.defn(name=io.ARCHIVE_AUDIENCE)
    def archive_audience(self, record: ArchiveRecord) -> None:
        self.archive.record(record)

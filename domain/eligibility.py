"""R1: may this citizen ask for a blue ticket about this file?"""

from __future__ import annotations

import unicodedata
from datetime import date, timedelta

from domain.models import FileInfo, FileRef, FileStatus


def normalise_name(name: str) -> tuple[str, ...]:
    """Compare names the way a registry clerk would: case, diacritics (ș/ş, ț/ţ, ă, â, î), extra
    spaces, hyphens and word order do not matter ("POP Ioana" is "Ioana Pop")."""
    decomposed = unicodedata.normalize("NFKD", name)
    bare = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    words = bare.casefold().replace("-", " ").split()
    return tuple(sorted(words))


def is_eligible(file: FileInfo | None, ref: FileRef, today: date, answered_window: timedelta) -> bool:
    """True when the file exists with that number, name and filing date, and is still in progress or
    was answered at most `answered_window` ago. The caller answers every False the same way, so a
    stranger cannot probe which field was wrong."""
    if file is None:
        return False
    if file.registration_number != ref.registration_number.strip():
        return False
    if file.filing_date != ref.filing_date:
        return False
    if normalise_name(file.requester_name) != normalise_name(ref.requester_name):
        return False
    if file.status == FileStatus.IN_PROGRESS:
        return True
    return file.answered_on is not None and today - file.answered_on <= answered_window

"""A file's registration number as citizens copy it from their filing slip, in the registry's form.

The registry writes every file number as `<number>/<year>` (see `store/seed.py`: `100001/2026`).
People paste it with spaces around it or around the slash, or write a dash, a dot, a backslash or
a space instead of the slash. Normalising first means a sloppy copy of the right number still finds
the file, and a wrong number still gets the one generic R1 answer: nothing here says whether a
number exists.

Only the `<digits><separator><four-digit year>` shape has its separator rewritten; any other
number (letters, several dashes, an outgoing `TA-2026-000001`) keeps its own dots and dashes and
loses only the spaces around it and around its slashes, so a legitimate number containing `.` or `-`
is never changed into another one.
"""

from __future__ import annotations

import re
from typing import Final

MAX_LENGTH: Final = 40

# What the registry holds (the normal form): what FileRef keeps and the registry is asked for.
NORMAL_PATTERN: Final = r"^[0-9A-Za-z][0-9A-Za-z./-]{0,39}$"

# What a citizen may type: the normal form with spaces around it and around its slashes, or
# `<number> <sep> <year>` with a dash, dot, backslash, slash or space as the separator. Every string
# this matches (at most MAX_LENGTH characters) normalises to one NORMAL_PATTERN matches.
INPUT_PATTERN: Final = r"^\s*(?:[0-9]+\s*[-./\\\s]\s*[0-9]{4}|[0-9A-Za-z](?:[0-9A-Za-z.-]|\s*/\s*)*)\s*$"

_NUMBER_AND_YEAR = re.compile(r"([0-9]+)\s*[-./\\\s]\s*([0-9]{4})")
_SPACED_SLASH = re.compile(r"\s*/\s*")
_EDGES = re.compile(r"^\s+|\s+$")


def normalise_registration_number(typed: str) -> str:
    """`" 100001 / 2026 "`, `"100001-2026"`, `"100001.2026"`, `"100001 2026"` → `"100001/2026"`.
    Anything else loses only its outer spaces and the spaces around its slashes. Idempotent."""
    bare = _EDGES.sub("", typed)
    match = _NUMBER_AND_YEAR.fullmatch(bare)
    if match:
        return f"{match.group(1)}/{match.group(2)}"
    return _SPACED_SLASH.sub("/", bare)


def is_acceptable_input(typed: str) -> bool:
    """Whether `typed` is a registration number as a citizen may write it (INPUT_PATTERN, length)."""
    return len(typed) <= MAX_LENGTH and re.match(INPUT_PATTERN, typed) is not None

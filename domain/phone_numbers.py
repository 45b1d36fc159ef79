"""A phone number a clerk can actually call, in E.164, from however a citizen writes it.

Parsed with `phonenumbers` (Google's libphonenumber metadata), Romania as the default region:
"0712 345 678", "(0712) 345 678", "+40-712-345-678" and "0040712345678" are all +40712345678;
a number from abroad must carry its country code. Blanks, a lone "+", "000000" and numbers too
short or too long for their country are refused: they cannot be dialled.

Not imported by workflow code: the workflow only carries the E.164 string the API stored.
"""

from __future__ import annotations

import re
from typing import Final

import phonenumbers

DEFAULT_REGION: Final = "RO"
MAX_LENGTH: Final = 30

# What may be typed at all (digits, "+", spaces, brackets, dashes, dots, slashes); whether it is a
# real number is then libphonenumber's answer. Extensions ("ext. 5") are not accepted: nobody
# calls a citizen on one, and dropping it silently would lose what they typed.
INPUT_PATTERN: Final = r"^[0-9+()./\s-]{6,30}$"


def dialable_e164(typed: str, region: str = DEFAULT_REGION) -> str | None:
    """The number in E.164 ("+40712345678"), or None when `typed` is not a number that can be
    dialled (the caller says so in the citizen's language)."""
    if len(typed) > MAX_LENGTH or re.match(INPUT_PATTERN, typed) is None:
        return None
    try:
        number = phonenumbers.parse(typed, region)
    except phonenumbers.NumberParseException:
        return None
    if not phonenumbers.is_valid_number(number):
        return None
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)

"""What to tell a person about one field they filled wrongly, in the language they read.

The API's 422 answers (`http_api/errors.py`), the citizen's request form and the clerks' forms all
take their sentences from here, so a field is explained the same way wherever it is typed. A
sentence is written for the person at the form: it says what the field should look like, never a
regular expression or the validation library's own wording. A field people fill has its own
sentences (`field.<field>.<kind>` in the catalogs, `field.<field>.any` for any kind); any other
field gets the sentence for the kind of mistake (`field.generic.<kind>`), with its label
(`field.label.<field>`) and, where there is one, its limit or its allowed values. On a web form a
choice has its own sentence (`field.form.<field>`). The sentences are in the gettext catalogs
(`core.catalogs`); the catalogs' Romanian keys are what says which field has which sentence.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from typing import Any, Final

from core.catalogs import known, say, say_count
from core.catalogs import number as _number

# How pydantic (and our own validators, see http_api/schemas.py) name a mistake -> our kind of mistake.
KIND_OF_ERROR: Final[dict[str, str]] = {
    "missing": "missing",
    "missing_argument": "missing",
    "extra_forbidden": "extra",
    "unexpected_keyword_argument": "extra",
    "string_too_short": "too_short",
    "string_too_long": "too_long",
    "too_short": "too_few",
    "too_long": "too_many",
    "enum": "choice",
    "literal_error": "choice",
    "date_parsing": "date",
    "date_from_datetime_parsing": "date",
    "date_from_datetime_inexact": "date",
    "date_type": "date",
    "datetime_parsing": "datetime",
    "datetime_from_date_parsing": "datetime",
    "datetime_object_invalid": "datetime",
    "datetime_type": "datetime",
    "timezone_aware": "datetime",
    "timezone_naive": "datetime",
    "int_parsing": "integer",
    "int_type": "integer",
    "int_from_float": "integer",
    "int_parsing_size": "integer",
    "float_parsing": "number",
    "float_type": "number",
    "bool_parsing": "bool",
    "bool_type": "bool",
    "string_type": "text",
    "string_unicode": "text",
    "string_sub_type": "text",
    "list_type": "list",
    "model_type": "object",
    "model_attributes_type": "object",
    "dict_type": "object",
    "greater_than_equal": "range",
    "greater_than": "range",
    "less_than_equal": "range",
    "less_than": "range",
    "string_pattern_mismatch": "format",
    "value_error": "format",
    "assertion_error": "format",
    "registration_number_format": "format",
    "phone_not_dialable": "format",
    "resolution_documents_missing": "documents_missing",
    "resolution_clarified_with_documents": "documents_unexpected",
    "json_invalid": "json",
    "json_type": "json",
}

UNIT_OF_FIELD: Final[dict[str, str]] = {"documents_needed": "documents"}


def count(n: int, unit: str, language: str) -> str:
    """ "1 caracter", "10 caractere", "120 de caractere" / "1 character", "10 characters": the
    catalog's plural forms (`unit.<unit>`), the number written for the language by Babel."""
    return say_count(f"unit.{unit}", n, language)


def allowed_values(expected: str, language: str) -> str:
    """pydantic's `'webex', 'phone' or 'in_person'` -> "webex, phone sau in_person"."""
    values = re.findall(r"'([^']*)'", expected) or [
        v.strip() for v in re.split(r",| or ", expected) if v.strip()
    ]
    if len(values) < 2:
        return "".join(values)
    return f"{', '.join(values[:-1])} {say('field.or', language)} {values[-1]}"


def label(field: str, language: str) -> str:
    key = f"field.label.{field}"
    return say(key, language) if known(key) else field


def has_own_sentence(field: str) -> bool:
    """Whether a field people fill has sentences of its own (beyond the generic ones)."""
    return any(known(f"field.{field}.{kind}") for kind in (*set(KIND_OF_ERROR.values()), "any"))


def field_sentence(
    field: str,
    error_type: str,
    language: str,
    ctx: Mapping[str, Any] | None = None,
    sent: object = None,
    *,
    on_form: bool = False,
) -> str:
    """The sentence for one mistake: `field` is the field's own name (the last name in its path),
    `error_type` pydantic's (or our validator's) error type, `ctx` the error's context (limits,
    allowed values), `sent` what was sent (only its length is ever said, never its content).
    `on_form`: the field is a list to choose from on a web page (`field.form.<field>`)."""
    if on_form and known(f"field.form.{field}"):
        return say(f"field.form.{field}", language)
    kind = KIND_OF_ERROR.get(error_type, "invalid")
    ctx = ctx or {}
    key = f"field.{field}.{kind}"
    if not known(key):
        key = f"field.{field}.any" if kind not in ("missing", "extra", "json") else ""
    if not key or not known(key):
        key = f"field.generic.{_range_kind(ctx) if kind == 'range' else kind}"
    unit = UNIT_OF_FIELD.get(field, "items" if kind in ("too_few", "too_many") else "characters")
    limit = ctx.get("min_length", ctx.get("max_length"))
    values = {
        "label": label(field, language),
        "limit": count(int(limit), unit, language) if isinstance(limit, int) else "",
        "length": count(len(sent), unit, language) if isinstance(sent, str | list) else "",
        "allowed": allowed_values(str(ctx.get("expected", "")), language),
        "bound": _bound(ctx, language),
    }
    return say(key, language, **values)


def _range_kind(ctx: Mapping[str, Any]) -> str:
    for key, kind in (("ge", "range_min"), ("le", "range_max"), ("gt", "range_above"), ("lt", "range_below")):
        if key in ctx:
            return kind
    return "invalid"


def _bound(ctx: Mapping[str, Any], language: str) -> str:
    for key in ("ge", "le", "gt", "lt"):
        if key in ctx:
            value = ctx[key]
            return _number(value, language) if isinstance(value, int) else str(value)
    return ""


_LOCATIONS: Final = frozenset({"body", "query", "path", "header", "cookie"})


def sentences_for(
    errors: Iterable[Mapping[str, Any]], language: str, *, on_form: bool = False
) -> list[tuple[str, str]]:
    """pydantic's error list -> (field path, sentence) pairs, in order. The path drops where the
    value came from (`body`, `query`, ...): `documents_needed.0.title`, `phone`, `cheie`; a broken or
    missing body is `body`."""
    found: list[tuple[str, str]] = []
    for error in errors:
        loc = list(error.get("loc", ()))
        if loc and loc[0] in _LOCATIONS:
            loc = loc[1:]
        names = [str(part) for part in loc if isinstance(part, str)]
        kind = KIND_OF_ERROR.get(str(error.get("type", "")), "invalid")
        path = "body" if kind == "json" or not names else ".".join(str(part) for part in loc)
        field = "body" if path == "body" else names[-1]
        sentence = field_sentence(
            field, str(error.get("type", "")), language, error.get("ctx"), error.get("input"), on_form=on_form
        )
        found.append((path, sentence))
    return found


def form_sentences(errors: Iterable[Mapping[str, Any]], language: str) -> dict[str, str]:
    """For a web form: each top-level field named by an error -> its first sentence, in order."""
    found: dict[str, str] = {}
    for path, sentence in sentences_for(errors, language, on_form=True):
        found.setdefault(path.split(".")[0], sentence)
    return found

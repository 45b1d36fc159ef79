"""What to tell a person about one field they filled wrongly, in Romanian first and English second.

The API's 422 answers (`http_api/errors.py`), the citizen's request form and the clerks' forms all
take their sentences from here, so a field is explained the same way wherever it is typed. A
sentence is written for the person at the form: it says what the field should look like, never a
regular expression or the validation library's own wording. A field people fill has its own
sentences (`FIELD_SENTENCES`); any other field gets the sentence for the kind of mistake
(`GENERIC`), with its label and, where there is one, its limit or its allowed values.

Kept apart from `domain/messages.py` (codes of whole answers) because these are keyed by field and
mistake, not by code; both stay plain data that tests can check for both languages.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from typing import Any, Final

from domain.models import Language

RO, EN = Language.RO, Language.EN
Pair = dict[Language, str]

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

# What a field is called in a sentence about it. A field not named here is called by its own name.
LABELS: Final[dict[str, Pair]] = {
    "registration_number": {RO: "Număr de înregistrare", EN: "Registration number"},
    "requester_name": {RO: "Numele solicitantului", EN: "Applicant's name"},
    "filing_date": {RO: "Data depunerii", EN: "Filing date"},
    "slot_start": {RO: "Intervalul", EN: "Slot"},
    "channel": {RO: "Cum are loc întâlnirea", EN: "How you meet"},
    "phone": {RO: "Telefon", EN: "Phone"},
    "email": {RO: "E-mail", EN: "Email"},
    "language": {RO: "Limba", EN: "Language"},
    "accept_after_window": {RO: "Accept un interval mai târziu", EN: "Accept a later slot"},
    "conclusions": {RO: "Concluzii", EN: "Conclusions"},
    "category": {RO: "Categoria", EN: "Category"},
    "documents_needed": {RO: "Documente necesare", EN: "Documents needed"},
    "title": {RO: "Titlul documentului", EN: "Document title"},
    "original": {RO: "Original sau copie", EN: "Original or copy"},
    "reason": {RO: "Motivul", EN: "Reason"},
    "note": {RO: "Nota", EN: "Note"},
    "outcome": {RO: "Ce s-a întâmplat", EN: "What happened"},
    "accept": {RO: "Întâlnire la sediu", EN: "Meeting in person"},
    "assignee_id": {RO: "Funcționarul", EN: "Clerk"},
    "stars": {RO: "Nota (stele)", EN: "Stars"},
    "comment": {RO: "Comentariul", EN: "Comment"},
    "cheie": {RO: "Cheia din link", EN: "Key from the link"},
    "from": {RO: "Prima zi", EN: "First day"},
    "to": {RO: "Ultima zi", EN: "Last day"},
    "group": {RO: "Gruparea", EN: "Grouping"},
    "body": {RO: "Datele cererii", EN: "Request data"},
    "name": {RO: "Numele dumneavoastră", EN: "Your name"},
    "page": {RO: "Pagina sau documentul", EN: "Page or document"},
    "message": {RO: "Mesajul", EN: "Message"},
}

# The fields people fill: their own sentence per kind of mistake, "*" for any kind but a missing
# or an extra field (which the generic sentences, with the label, say well enough).
# Placeholders: {limit} (a count with its unit), {length} (what was sent), {allowed} (the values).
FIELD_SENTENCES: Final[dict[str, dict[str, Pair]]] = {
    "registration_number": {
        "*": {
            RO: "Numărul de înregistrare are forma 100001/2026: numărul, o bară și anul, ca pe dovada "
            "de depunere.",
            EN: "The registration number looks like 100001/2026: the number, a slash and the year, as "
            "on your filing receipt.",
        },
    },
    "requester_name": {
        "*": {
            RO: "Scrieți numele complet al solicitantului, ca pe cerere (între 2 și 120 de caractere).",
            EN: "Write the applicant's full name as on the application (2 to 120 characters).",
        },
    },
    "filing_date": {
        "*": {
            RO: "Data depunerii este ziua în care ați depus cererea, scrisă 2026-11-19 (an-lună-zi), ca pe "
            "dovada de depunere.",
            EN: "The filing date is the day you filed the application, written 2026-11-19 "
            "(year-month-day), as on your filing receipt.",
        },
    },
    "slot_start": {
        "*": {
            RO: "Alegeți unul dintre intervalele oferite (o zi și o oră, de exemplu "
            "2026-12-02T10:30:00+02:00).",
            EN: "Choose one of the slots offered (a day and a time, for example 2026-12-02T10:30:00+02:00).",
        },
    },
    "email": {
        "*": {
            RO: "Adresa de e-mail are forma nume@exemplu.ro; verificați să nu lipsească nicio literă.",
            EN: "An email address looks like name@example.ro; check that no letter is missing.",
        },
    },
    "phone": {
        "*": {
            RO: "Scrieți un număr de telefon la care vă putem suna, de exemplu 0712 345 678 sau "
            "+40 712 345 678 (din străinătate, cu prefixul țării).",
            EN: "Write a phone number we can call, for example 0712 345 678 or +40 712 345 678 (from "
            "abroad, with the country code).",
        },
    },
    "channel": {
        "*": {
            RO: "Alegeți cum are loc întâlnirea: webex (online), phone (la telefon) sau in_person "
            "(la sediu).",
            EN: "Choose how you meet: webex (online), phone, or in_person (at the city hall).",
        },
    },
    "language": {
        "*": {
            RO: "Limba poate fi ro (română) sau en (engleză).",
            EN: "The language can be ro (Romanian) or en (English).",
        },
    },
    "accept_after_window": {
        "*": {
            RO: "Acceptarea unui interval de după fereastra de 48 de ore este true (da) sau false (nu).",
            EN: "Accepting a slot after the 48-hour window is true (yes) or false (no).",
        },
    },
    "conclusions": {
        "too_short": {
            RO: "Concluziile au cel puțin {limit}: scrieți ce s-a stabilit la întâlnire.",
            EN: "The conclusions need at least {limit}: write what the meeting settled.",
        },
        "too_long": {
            RO: "Concluziile au cel mult {limit}; textul trimis are {length}.",
            EN: "The conclusions have at most {limit}; the text sent has {length}.",
        },
        "*": {
            RO: "Concluziile sunt un text între 10 și 8 000 de caractere.",
            EN: "The conclusions are a text of 10 to 8,000 characters.",
        },
    },
    "category": {
        "*": {
            RO: "Alegeți categoria rezoluției, una dintre: {allowed}.",
            EN: "Choose the resolution's category, one of: {allowed}.",
        },
    },
    "documents_needed": {
        "too_many": {
            RO: "O rezoluție poate cere cel mult {limit}.",
            EN: "A resolution can ask for at most {limit}.",
        },
        "documents_missing": {
            RO: "Categoria „dosarul așteaptă documente” cere cel puțin un document: scrieți ce mai are de "
            "depus cetățeanul.",
            EN: "The category “the file waits for documents” needs at least one document: write what the "
            "citizen still has to file.",
        },
        "documents_unexpected": {
            RO: "O situație lămurită nu mai cere documente: scoateți-le sau alegeți categoria „dosarul "
            "așteaptă documente”.",
            EN: "A clarified matter needs no more documents: remove them or choose the category “the file "
            "waits for documents”.",
        },
        "*": {
            RO: "Documentele necesare sunt o listă: pentru fiecare, titlul și dacă se cere originalul.",
            EN: "The documents needed are a list: for each, its title and whether the original is needed.",
        },
    },
    "title": {
        "*": {
            RO: "Titlul fiecărui document are între 2 și 200 de caractere.",
            EN: "Each document's title has 2 to 200 characters.",
        },
    },
    "original": {
        "*": {
            RO: "Spuneți pentru fiecare document dacă se cere originalul (true) sau ajunge o copie (false).",
            EN: "Say for each document whether the original is needed (true) or a copy will do (false).",
        },
    },
    "reason": {
        "too_short": {
            RO: "Scrieți motivul în câteva cuvinte (cel puțin {limit}); cetățeanul îl va citi.",
            EN: "Give the reason in a few words (at least {limit}); the citizen will read it.",
        },
        "*": {
            RO: "Motivul este un text de cel mult 1 000 de caractere.",
            EN: "The reason is a text of at most 1,000 characters.",
        },
    },
    "note": {
        "*": {
            RO: "Nota este un text de cel mult 2 000 de caractere.",
            EN: "The note is a text of at most 2,000 characters.",
        },
    },
    "outcome": {
        "*": {
            RO: "Alegeți ce s-a întâmplat la întâlnire, una dintre: {allowed}.",
            EN: "Choose what happened at the meeting, one of: {allowed}.",
        },
    },
    "accept": {
        "*": {
            RO: "Răspundeți cu true (întâlnirea are loc la sediu) sau false (are loc pe Webex).",
            EN: "Answer true (meet at the city hall) or false (meet on Webex).",
        },
    },
    "assignee_id": {
        "*": {
            RO: "Alegeți funcționarul din direcție care preia tichetul.",
            EN: "Choose the department's clerk who takes the ticket.",
        },
    },
    "stars": {
        "*": {
            RO: "Nota este un număr întreg de stele, de la 1 la 5.",
            EN: "The rating is a whole number of stars, from 1 to 5.",
        },
    },
    "comment": {
        "too_long": {
            RO: "Comentariul are cel mult {limit}.",
            EN: "The comment has at most {limit}.",
        },
    },
    "body": {
        "missing": {
            RO: "Cererea nu are date: trimiteți câmpurile ei ca obiect JSON.",
            EN: "The request has no data: send its fields as a JSON object.",
        },
        "object": {
            RO: "Trimiteți câmpurile cererii ca obiect JSON, între acolade.",
            EN: "Send the request's fields as a JSON object, between braces.",
        },
    },
    "name": {
        "*": {
            RO: "Numele este opțional; dacă îl scrieți, are cel mult 120 de caractere.",
            EN: "Your name is optional; if you give it, it has at most 120 characters.",
        },
    },
    "page": {
        "*": {
            RO: "Spuneți pe scurt pagina sau documentul (adresa sau titlul), în cel mult 300 de caractere.",
            EN: "Name the page or document briefly (its address or title), in at most 300 characters.",
        },
    },
    "message": {
        "too_short": {
            RO: "Descrieți problema în cel puțin {limit}: ce ați încercat și ce nu a mers.",
            EN: "Describe the problem in at least {limit}: what you tried and what did not work.",
        },
        "too_long": {
            RO: "Mesajul are cel mult {limit}; textul trimis are {length}.",
            EN: "The message has at most {limit}; the text sent has {length}.",
        },
        "*": {
            RO: "Mesajul este un text între 10 și 4 000 de caractere.",
            EN: "The message is a text of 10 to 4,000 characters.",
        },
    },
    "cheie": {
        "*": {
            RO: "Linkul nu este complet: deschideți-l sau copiați-l întreg din e-mail.",
            EN: "The link is incomplete: open it, or copy all of it, from the email.",
        },
    },
}

# On a web form a choice is a list to pick from, not a value to type: these replace the API's
# sentence (which names the values) for every kind of mistake in that field.
FORM_SENTENCES: Final[dict[str, Pair]] = {
    "slot_start": {RO: "Alegeți unul dintre intervalele libere.", EN: "Choose one of the free slots."},
    "channel": {RO: "Alegeți cum are loc întâlnirea.", EN: "Choose how you meet."},
    "category": {RO: "Alegeți categoria rezoluției din listă.", EN: "Choose the resolution's category."},
    "outcome": {RO: "Alegeți ce s-a întâmplat la întâlnire.", EN: "Choose what happened at the meeting."},
    "accept": {
        RO: "Alegeți dacă întâlnirea are loc la sediu sau pe Webex.",
        EN: "Choose whether to meet at the city hall or on Webex.",
    },
    "assignee_id": {
        RO: "Alegeți din listă funcționarul care preia tichetul.",
        EN: "Choose from the list the clerk who takes the ticket.",
    },
}

# Any other field, by the kind of mistake. {label} is the field's label.
GENERIC: Final[dict[str, Pair]] = {
    "missing": {RO: "Completați câmpul „{label}”.", EN: "Please fill in “{label}”."},
    "extra": {
        RO: "Câmpul „{label}” nu face parte din această cerere; nu îl trimiteți.",
        EN: "“{label}” is not part of this request; leave it out.",
    },
    "too_short": {
        RO: "„{label}” trebuie să aibă cel puțin {limit}.",
        EN: "“{label}” needs at least {limit}.",
    },
    "too_long": {
        RO: "„{label}” poate avea cel mult {limit}.",
        EN: "“{label}” can have at most {limit}.",
    },
    "too_few": {
        RO: "„{label}” trebuie să cuprindă cel puțin {limit}.",
        EN: "“{label}” needs at least {limit}.",
    },
    "too_many": {
        RO: "„{label}” poate cuprinde cel mult {limit}.",
        EN: "“{label}” can hold at most {limit}.",
    },
    "choice": {RO: "„{label}” poate fi doar: {allowed}.", EN: "“{label}” can only be: {allowed}."},
    "date": {
        RO: "„{label}” este o zi din calendar, scrisă 2026-11-19 (an-lună-zi).",
        EN: "“{label}” is a calendar day, written 2026-11-19 (year-month-day).",
    },
    "datetime": {
        RO: "„{label}” este o zi și o oră, scrise 2026-12-02T10:30:00+02:00.",
        EN: "“{label}” is a day and a time, written 2026-12-02T10:30:00+02:00.",
    },
    "integer": {RO: "„{label}” este un număr întreg.", EN: "“{label}” is a whole number."},
    "number": {RO: "„{label}” este un număr.", EN: "“{label}” is a number."},
    "bool": {RO: "„{label}” este true (da) sau false (nu).", EN: "“{label}” is true (yes) or false (no)."},
    "text": {RO: "„{label}” este un text.", EN: "“{label}” is a text."},
    "list": {RO: "„{label}” este o listă.", EN: "“{label}” is a list."},
    "object": {
        RO: "„{label}” este un obiect JSON, cu câmpurile lui între acolade.",
        EN: "“{label}” is a JSON object, its fields between braces.",
    },
    "range_min": {RO: "„{label}” este cel puțin {bound}.", EN: "“{label}” is at least {bound}."},
    "range_max": {RO: "„{label}” este cel mult {bound}.", EN: "“{label}” is at most {bound}."},
    "range_above": {RO: "„{label}” este mai mare decât {bound}.", EN: "“{label}” is more than {bound}."},
    "range_below": {RO: "„{label}” este mai mic decât {bound}.", EN: "“{label}” is less than {bound}."},
    "format": {
        RO: "„{label}” nu are forma cerută; verificați ce ați scris.",
        EN: "“{label}” is not in the expected form; check what you wrote.",
    },
    "json": {
        RO: "Datele trimise nu sunt un JSON valid: verificați acoladele, ghilimelele și virgulele.",
        EN: "The data sent is not valid JSON: check the braces, quotes and commas.",
    },
    "invalid": {RO: "Verificați câmpul „{label}”.", EN: "Please check “{label}”."},
}

# Counted things, singular and plural (Romanian adds "de" from 20 on, except after 1-19 in the
# last two digits: "19 caractere", "20 de caractere", "101 caractere").
UNITS: Final[dict[str, dict[Language, tuple[str, str]]]] = {
    "characters": {RO: ("caracter", "caractere"), EN: ("character", "characters")},
    "items": {RO: ("element", "elemente"), EN: ("item", "items")},
    "documents": {RO: ("document", "documente"), EN: ("document", "documents")},
    "days": {RO: ("zi", "zile"), EN: ("day", "days")},
}
UNIT_OF_FIELD: Final[dict[str, str]] = {"documents_needed": "documents"}
_SEPARATORS: Final[dict[Language, str]] = {RO: " ", EN: ","}
_OR: Final[dict[Language, str]] = {RO: "sau", EN: "or"}


def _number(n: int, language: Language) -> str:
    """8000 -> "8 000" in Romanian, "8,000" in English."""
    return f"{n:,}".replace(",", _SEPARATORS[language])


def count(n: int, unit: str, language: Language) -> str:
    """ "1 caracter", "10 caractere", "120 de caractere" / "1 character", "10 characters"."""
    one, many = UNITS[unit][language]
    if n == 1:
        return f"1 {one}"
    de = language == RO and n >= 20 and not 1 <= n % 100 <= 19
    return f"{_number(n, language)} {'de ' if de else ''}{many}"


def allowed_values(expected: str, language: Language) -> str:
    """pydantic's `'webex', 'phone' or 'in_person'` -> "webex, phone sau in_person"."""
    values = re.findall(r"'([^']*)'", expected) or [
        v.strip() for v in re.split(r",| or ", expected) if v.strip()
    ]
    if len(values) < 2:
        return "".join(values)
    return f"{', '.join(values[:-1])} {_OR[language]} {values[-1]}"


def label(field: str, language: Language) -> str:
    return LABELS[field][language] if field in LABELS else field


def field_sentence(
    field: str,
    error_type: str,
    language: Language,
    ctx: Mapping[str, Any] | None = None,
    sent: object = None,
    *,
    on_form: bool = False,
) -> str:
    """The sentence for one mistake: `field` is the field's own name (the last name in its path),
    `error_type` pydantic's (or our validator's) error type, `ctx` the error's context (limits,
    allowed values), `sent` what was sent (only its length is ever said, never its content).
    `on_form`: the field is a list to choose from on a web page (`FORM_SENTENCES`)."""
    if on_form and field in FORM_SENTENCES:
        return FORM_SENTENCES[field][language]
    kind = KIND_OF_ERROR.get(error_type, "invalid")
    ctx = ctx or {}
    own = FIELD_SENTENCES.get(field, {})
    template = own.get(kind) or (own.get("*") if kind not in ("missing", "extra", "json") else None)
    if template is None:
        template = GENERIC[_range_kind(ctx) if kind == "range" else kind]
    unit = UNIT_OF_FIELD.get(field, "items" if kind in ("too_few", "too_many") else "characters")
    limit = ctx.get("min_length", ctx.get("max_length"))
    values = {
        "label": label(field, language),
        "limit": count(int(limit), unit, language) if isinstance(limit, int) else "",
        "length": count(len(sent), unit, language) if isinstance(sent, str | list) else "",
        "allowed": allowed_values(str(ctx.get("expected", "")), language),
        "bound": _bound(ctx, language),
    }
    return template[language].format(**values)


def _range_kind(ctx: Mapping[str, Any]) -> str:
    for key, kind in (("ge", "range_min"), ("le", "range_max"), ("gt", "range_above"), ("lt", "range_below")):
        if key in ctx:
            return kind
    return "invalid"


def _bound(ctx: Mapping[str, Any], language: Language) -> str:
    for key in ("ge", "le", "gt", "lt"):
        if key in ctx:
            value = ctx[key]
            return _number(value, language) if isinstance(value, int) else str(value)
    return ""


_LOCATIONS: Final = frozenset({"body", "query", "path", "header", "cookie"})


def sentences_for(
    errors: Iterable[Mapping[str, Any]], language: Language, *, on_form: bool = False
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


def form_sentences(errors: Iterable[Mapping[str, Any]], language: Language) -> dict[str, str]:
    """For a web form: each top-level field named by an error -> its first sentence, in order."""
    found: dict[str, str] = {}
    for path, sentence in sentences_for(errors, language, on_form=True):
        found.setdefault(path.split(".")[0], sentence)
    return found

"""Typed search attributes: the columns ops filter on in the Temporal UI's workflow list.

Registered on the dev server by the run command and the tests (`ALL`), and set by the workflow as
the ticket moves, e.g. `TicketStatus = "awaiting_resolution" AND TicketDepartment = "urbanism"`.
"""

from __future__ import annotations

from temporalio.common import SearchAttributeKey

TICKET_ID = SearchAttributeKey.for_keyword("TicketId")
TICKET_STATUS = SearchAttributeKey.for_keyword("TicketStatus")
TICKET_CLERK = SearchAttributeKey.for_keyword("TicketClerk")
TICKET_DEPARTMENT = SearchAttributeKey.for_keyword("TicketDepartment")
REGISTRATION_NUMBER = SearchAttributeKey.for_keyword("RegistrationNumber")
MEETING_TIME = SearchAttributeKey.for_datetime("MeetingTime")
ESCALATION_LEVEL = SearchAttributeKey.for_int("EscalationLevel")
WEBEX_MEETING_ID = SearchAttributeKey.for_keyword("WebexMeetingId")
# The ticket's municipality (issue 11), set when the ticket starts: `Municipality = "huedin"` lists one
# city's tickets; tickets started before tenancy have none (they are the default municipality's).
MUNICIPALITY = SearchAttributeKey.for_keyword("Municipality")

ALL = (
    TICKET_ID,
    TICKET_STATUS,
    TICKET_CLERK,
    TICKET_DEPARTMENT,
    REGISTRATION_NUMBER,
    MEETING_TIME,
    ESCALATION_LEVEL,
    WEBEX_MEETING_ID,
    MUNICIPALITY,
)


def dev_server_args() -> list[str]:
    """`temporal server start-dev` flags that register every attribute with its type."""
    kinds = {"KEYWORD": "Keyword", "DATETIME": "Datetime", "INT": "Int"}
    args: list[str] = []
    for key in ALL:
        args += ["--search-attribute", f"{key.name}={kinds[key.indexed_value_type.name]}"]
    return args

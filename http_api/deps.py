"""Dependencies as `Annotated` aliases; authorization lives here, not in the handlers."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated

from fastapi import Depends, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from starlette.concurrency import run_in_threadpool
from temporalio.client import Client

from core.settings import Settings
from domain.availability import CalendarSource
from domain.calendar import CityCalendar
from domain.models import Language, Policy, StaffMember
from http_api.errors import ApiError, language_of
from store.calendar import open_calendar_source
from store.stores import Stores, open_stores


@dataclass(frozen=True)
class AppState:
    settings: Settings
    stores: Stores
    calendar: CityCalendar
    client: Client
    calendar_source: CalendarSource

    @property
    def policy(self) -> Policy:
        """The rules a new ticket starts under (DESIGN.md defaults, with the deployment's R5 preset)."""
        return Policy(time_zone=self.settings.time_zone, window_mode=self.settings.booking_window_mode)

    @classmethod
    def build(cls, settings: Settings, client: Client) -> AppState:
        """The one way to wire the API's adapters, shared by the app, tools and tests."""
        return cls(
            settings=settings,
            stores=open_stores(settings.database_url),
            calendar=CityCalendar(time_zone=settings.time_zone),
            client=client,
            calendar_source=open_calendar_source(settings.database_url),
        )


def get_state(request: Request) -> AppState:
    state: AppState = request.app.state.tichet
    return state


# Documented as the OpenAPI security scheme (so /docs can send it); the 401 is ours, with its code.
bearer = HTTPBearer(auto_error=False, scheme_name="staffToken", description="the personal API token")


async def current_staff(
    state: Annotated[AppState, Depends(get_state)],
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(bearer)],
) -> StaffMember:
    return await staff_for_token(state, credentials.credentials if credentials else "")


async def staff_for_token(state: AppState, token: str) -> StaffMember:
    """The person whose personal token this is, or 401 (also the codec server's bearer check)."""
    token = token.strip()
    if not token:
        raise ApiError(401, "unauthenticated")
    person = await run_in_threadpool(state.stores.staff.by_token, token)
    if person is None:
        raise ApiError(401, "unauthenticated")
    return person


StateDep = Annotated[AppState, Depends(get_state)]
LanguageDep = Annotated[Language, Depends(language_of)]
CurrentStaff = Annotated[StaffMember, Depends(current_staff)]

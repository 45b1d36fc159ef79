"""Dependencies as `Annotated` aliases; authorization lives here, not in the handlers."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import Annotated

from fastapi import Depends, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from starlette.concurrency import run_in_threadpool
from temporalio.client import Client

from core.settings import Settings
from core.tenancy import municipality_of_workflow, set_default_municipality
from domain.availability import CalendarSource
from domain.calendar import CityCalendar
from domain.models import Language, Policy, StaffMember
from domain.municipalities import Municipality
from http_api.errors import ApiError, language_of
from store.calendar import open_calendar_source
from store.municipalities import SqlMunicipalities, municipalities_for, settings_fallback
from store.staff import staff_municipality
from store.stores import Stores, open_stores


@dataclass(frozen=True)
class AppState:
    """The API's adapters, for one municipality (issue 11): `build` gives the default one's, and
    `for_municipality` / `for_workflow` the same state for another city, so every handler written
    for one city serves each city with that city's stores, calendar and rules."""

    settings: Settings
    stores: Stores
    calendar: CityCalendar
    client: Client
    calendar_source: CalendarSource
    municipality: Municipality
    municipalities: SqlMunicipalities
    _cities: dict[str, AppState] = field(default_factory=dict, compare=False, repr=False)

    @property
    def policy(self) -> Policy:
        """The rules a new ticket starts under (DESIGN.md defaults, with the municipality's R5 preset
        and policy)."""
        return self.municipality.policy()

    @classmethod
    def build(cls, settings: Settings, client: Client) -> AppState:
        """The one way to wire the API's adapters, shared by the app, tools and tests."""
        set_default_municipality(settings.default_municipality)
        municipalities = municipalities_for(settings.database_url, settings_fallback(settings))
        default = municipalities.get(settings.default_municipality)
        assert default is not None  # the fallback answers for it
        return cls._of(settings, client, default, municipalities)

    @classmethod
    def _of(
        cls, settings: Settings, client: Client, municipality: Municipality, municipalities: SqlMunicipalities
    ) -> AppState:
        return cls(
            settings=settings,
            stores=open_stores(settings.database_url, municipality.id, municipality.time_zone),
            calendar=municipality.calendar(),
            client=client,
            calendar_source=open_calendar_source(settings.database_url, municipality.id),
            municipality=municipality,
            municipalities=municipalities,
        )

    def for_municipality(self, municipality_id: str) -> AppState:
        """The state of that municipality; an unknown one is a 404 that says so."""
        if municipality_id == self.municipality.id:
            return self
        known = self._cities.get(municipality_id)
        found = self.municipalities.get(municipality_id)
        if found is None:
            raise ApiError(404, "unknown_municipality")
        if known is None or known.municipality != found:
            known = self._cities[municipality_id] = replace(
                self._of(self.settings, self.client, found, self.municipalities), _cities=self._cities
            )
        return known

    def for_workflow(self, workflow_id: str) -> AppState:
        """The state of the municipality a ticket's workflow id names."""
        return self.for_municipality(municipality_of_workflow(workflow_id, self.municipalities.ids()))

    def owns(self, workflow_id: str) -> bool:
        """Whether the ticket behind this workflow id is this municipality's."""
        return municipality_of_workflow(workflow_id, self.municipalities.ids()) == self.municipality.id


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


def ticket_state(state: Annotated[AppState, Depends(get_state)], workflow_id: str) -> AppState:
    """The state of the municipality whose ticket the path's workflow id names."""
    return state.for_workflow(workflow_id)


async def staff_state(state: AppState, me: StaffMember) -> AppState:
    """The state of the municipality `me` works for (staff belong to one)."""
    municipality = await run_in_threadpool(staff_municipality, state.settings.database_url, me.id)
    if municipality is None:
        raise ApiError(401, "unauthenticated")
    return state.for_municipality(municipality)


StateDep = Annotated[AppState, Depends(get_state)]
TicketStateDep = Annotated[AppState, Depends(ticket_state)]
LanguageDep = Annotated[Language, Depends(language_of)]
CurrentStaff = Annotated[StaffMember, Depends(current_staff)]

"""A municipality served by the deployment (issue 11): data, not a setting.

`store.municipalities` keeps them in the `municipalities` table; the deployment's default
municipality (`TICHET_DEFAULT_MUNICIPALITY`) falls back to the settings (`TICHET_CITY_NAME`,
`TICHET_TIME_ZONE`, `TICHET_BOOKING_WINDOW_MODE`, `TICHET_SMTP_SENDER`) until it has a row, so a
deployment upgraded to tenancy keeps working before anybody writes one.
"""

from __future__ import annotations

from datetime import time
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from domain.calendar import DEFAULT_HOURS, CityCalendar, Hours
from domain.models import Policy


class Municipality(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    id: str = Field(pattern=r"^[a-z][a-z0-9-]{1,61}[a-z0-9]$", description="a slug: cluj-napoca, huedin")
    name: str = Field(min_length=2, max_length=200, description="Municipiul Cluj-Napoca, Orașul Huedin")
    time_zone: str = "Europe/Bucharest"
    working_hours: dict[int, Hours] = Field(default_factory=lambda: dict(DEFAULT_HOURS))
    booking_window_mode: str = Field(default="within", pattern="^(within|at_least)$")
    policy_overrides: dict[str, Any] = Field(default_factory=dict, description="`Policy` fields, as JSON")
    sender: str = Field(default="Tichet Albastru <tichet-albastru@primaria.example>", max_length=200)
    pdf_header: str = Field(default="", max_length=500, description="the resolution's letterhead line")
    logo_path: str = Field(default="", max_length=300, description="an image for the PDF header; empty: none")
    path_prefix: str = Field(default="", max_length=80, description="the citizen pages' prefix, /huedin")
    registry_config: dict[str, Any] = Field(default_factory=lambda: {"adapter": "sql"})

    def policy(self) -> Policy:
        """The rules a new ticket of this municipality starts under."""
        return Policy.model_validate(
            {**self.policy_overrides, "time_zone": self.time_zone, "window_mode": self.booking_window_mode}
        )

    def calendar(self) -> CityCalendar:
        """The municipality's calendar: its zone and its working hours (R4)."""
        return CityCalendar(time_zone=self.time_zone, hours=self.working_hours)

    @property
    def header(self) -> str:
        """What the pages, the emails and the PDF put under the municipality's name."""
        return self.pdf_header or self.name


def hours_json(hours: dict[int, Hours]) -> dict[str, list[str]]:
    return {
        str(day): [opens.strftime("%H:%M"), closes.strftime("%H:%M")]
        for day, (opens, closes) in hours.items()
    }


def hours_from_json(value: dict[str, Any]) -> dict[int, Hours]:
    return {
        int(day): (time.fromisoformat(pair[0]), time.fromisoformat(pair[1])) for day, pair in value.items()
    }

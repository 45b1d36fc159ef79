"""The `municipalities` table (issue 11): which cities this deployment serves, and each one's
calendar, rules and branding (`domain.municipalities.Municipality`).

The table is tiny and read on every request, so it is loaded whole and kept for `ttl` seconds, like
the calendar configuration (`store.calendar`).
"""

from __future__ import annotations

import threading
import time as clock
from collections.abc import Callable

from sqlalchemy import Engine
from sqlmodel import select

from core.settings import Settings
from domain.municipalities import Municipality, hours_from_json, hours_json
from store.db import engine_for, session_scope
from store.tables import MunicipalityRow

DEFAULT_TTL_SECONDS = 60.0


def _municipality(row: MunicipalityRow) -> Municipality:
    return Municipality(
        id=row.id,
        name=row.name,
        time_zone=row.time_zone,
        working_hours=hours_from_json(row.working_hours),
        booking_window_mode=row.booking_window_mode,
        policy_overrides=row.policy,
        sender=row.sender,
        pdf_header=row.pdf_header,
        logo_path=row.logo_path,
        path_prefix=row.path_prefix,
        registry_config=row.registry_config,
    )


def municipality_row(municipality: Municipality) -> MunicipalityRow:
    return MunicipalityRow(
        id=municipality.id,
        name=municipality.name,
        time_zone=municipality.time_zone,
        working_hours=hours_json(municipality.working_hours),
        booking_window_mode=municipality.booking_window_mode,
        policy=municipality.policy_overrides,
        sender=municipality.sender,
        pdf_header=municipality.pdf_header,
        logo_path=municipality.logo_path,
        path_prefix=municipality.path_prefix or f"/{municipality.id}",
        registry_config=municipality.registry_config,
    )


def settings_fallback(settings: Settings) -> Municipality:
    """The default municipality as the settings describe it (until the table has its row)."""
    return Municipality(
        id=settings.default_municipality,
        name=settings.city_name,
        time_zone=settings.time_zone,
        booking_window_mode=settings.booking_window_mode,
        sender=settings.smtp_sender,
        path_prefix=f"/{settings.default_municipality}",
    )


class SqlMunicipalities:
    """The municipalities; `fallback` (the default one, from the settings) answers for its id while
    the table has no row of it."""

    def __init__(
        self,
        engine: Engine,
        *,
        fallback: Municipality | None = None,
        ttl: float = DEFAULT_TTL_SECONDS,
        monotonic: Callable[[], float] = clock.monotonic,
    ) -> None:
        self._engine, self._fallback, self._ttl, self._now = engine, fallback, ttl, monotonic
        self._loaded: tuple[float, dict[str, Municipality]] | None = None
        self._lock = threading.Lock()

    def get(self, municipality_id: str) -> Municipality | None:
        return self._all().get(municipality_id)

    def ids(self) -> frozenset[str]:
        return frozenset(self._all())

    def all(self) -> list[Municipality]:
        return sorted(self._all().values(), key=lambda m: m.id)

    def put(self, municipality: Municipality) -> None:
        """Add or replace a municipality (the seed, an administrator's tool)."""
        with session_scope(self._engine) as session:
            session.merge(municipality_row(municipality))
            session.commit()
        self.refresh()

    def refresh(self) -> None:
        self._loaded = None

    def _all(self) -> dict[str, Municipality]:
        loaded = self._loaded
        if loaded is not None and self._now() - loaded[0] < self._ttl:
            return loaded[1]
        with self._lock:
            with session_scope(self._engine) as session:
                found = {row.id: _municipality(row) for row in session.exec(select(MunicipalityRow))}
            if self._fallback is not None:
                found.setdefault(self._fallback.id, self._fallback)
            self._loaded = (self._now(), found)
            return found


_OPEN: dict[tuple[str, str], SqlMunicipalities] = {}


def municipalities_for(database_url: str, fallback: Municipality | None = None) -> SqlMunicipalities:
    """The process-wide municipalities of this database (the same engine as `open_stores`)."""
    key = (database_url, fallback.model_dump_json() if fallback is not None else "")
    found = _OPEN.get(key)
    if found is None:
        found = _OPEN[key] = SqlMunicipalities(engine_for(database_url), fallback=fallback)
    return found

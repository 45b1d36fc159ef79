"""The clerks' web pages, under `/personal`: sign in with the personal token, my tickets, one ticket
and its actions. Server-rendered like the citizen pages (no JavaScript), Romanian by default and
English with `?lang=en`; `http_api.pages` mounts `router`.

- `GET /personal`: the token form; `POST /personal/intrare` signs in (signed cookie),
  `POST /personal/iesire` signs out (`staff_login`).
- `GET /personal/tichete`: my open tickets; a director also sees their department's tickets waiting
  for a pick. `GET /personal/tichete/{workflow_id}`: one ticket, its history, and the forms its
  status allows (`staff_tickets`).
- `POST /personal/tichete/{workflow_id}/<action>`: `rezultat` (outcome), `rezolutie` (resolution),
  `muta` (reschedule), `sediu` (in person), `repartizeaza` (the director's pick) (`staff_actions`).
"""

from __future__ import annotations

from fastapi import APIRouter

from http_api.pages import staff_actions, staff_login, staff_tickets

router = APIRouter()
for module in (staff_login, staff_tickets, staff_actions):
    router.include_router(module.router)

__all__ = ["router"]

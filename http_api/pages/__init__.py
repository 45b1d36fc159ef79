"""The citizen's web pages: server-rendered HTML over the same functions as the JSON API.

Plain forms, no JavaScript, Romanian by default and English with `?lang=en` or an English browser.
`api.py` mounts `router`.
"""

from __future__ import annotations

from fastapi import APIRouter

from http_api.pages import notices, request_form, staff_routes, ticket_page

router = APIRouter()
router.include_router(request_form.router)
router.include_router(ticket_page.router)
router.include_router(notices.router)  # the accessibility statement and the privacy notice
router.include_router(staff_routes.router)  # the clerks' pages, under /personal

__all__ = ["router"]

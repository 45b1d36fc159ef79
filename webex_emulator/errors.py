"""Webex-shaped error responses.

Webex answers every failure with `{"message", "errors": [{"description"}], "trackingId"}` and a
`trackingid` header; `webexpythonsdk.ApiError` reads `message` and `trackingId` from that body. The
emulator uses the same shape for its own 4xx, for injected faults and for FastAPI's validation and
routing errors, so client code never meets a body that only the emulator would send.
"""

from __future__ import annotations

import uuid

from fastapi.responses import JSONResponse

DEFAULT_MESSAGES = {
    400: "The request was invalid or cannot be otherwise served.",
    401: "The request requires a valid access token set in the Authorization request header.",
    403: "The request is understood, but it has been refused or access is not allowed.",
    404: "The requested resource could not be found.",
    405: "The request was made to a resource using an HTTP request method that is not supported.",
    409: "The request could not be processed because it conflicts with the state of the resource.",
    429: "Too many requests have been sent in a given amount of time and the request has been rate limited.",
    500: "Something went wrong on the server.",
    502: "The server received an invalid response from an upstream server.",
    503: "Server is overloaded with requests. Try again later.",
}


class WebexApiError(Exception):
    """Raised by handlers; rendered by `error_response` through the app's exception handler."""

    def __init__(self, status: int, message: str | None = None, retry_after: int | None = None) -> None:
        self.status = status
        self.message = message or DEFAULT_MESSAGES.get(status, "Error.")
        self.retry_after = retry_after
        super().__init__(f"{status} {self.message}")


def error_response(status: int, message: str | None = None, retry_after: int | None = None) -> JSONResponse:
    text = message or DEFAULT_MESSAGES.get(status, "Error.")
    tracking_id = f"ROUTER_{uuid.uuid4()}".upper()
    headers = {"trackingid": tracking_id}
    if retry_after is not None:
        headers["Retry-After"] = str(retry_after)
    body = {"message": text, "errors": [{"description": text}], "trackingId": tracking_id}
    return JSONResponse(body, status_code=status, headers=headers)

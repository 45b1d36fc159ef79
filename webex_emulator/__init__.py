"""Local emulator of the Webex REST API (meetings, messages, recordings, signed webhooks).

`create_app(token, webhook_secret)` builds the FastAPI app; `python -m webex_emulator` serves it.
"""

from webex_emulator.app import create_app

__all__ = ["create_app"]

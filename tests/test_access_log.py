"""The API's access log names the path, never the query string (names, link keys)."""

from __future__ import annotations

import logging
import threading
import time

import httpx
import pytest
import uvicorn

from api import create_app
from core.settings import Settings
from http_api.access_log import ACCESS_LOGGER
from tests.servers import free_port


def test_a_request_with_personal_data_in_its_query_is_logged_by_its_path_only(
    settings: Settings, caplog: pytest.LogCaptureFixture
) -> None:
    """A real uvicorn server with its access log on (as `make run` serves the API): the line says
    which endpoint answered, and holds neither the requester's name nor the link's key."""
    port = free_port()
    # No lifespan: /health needs no Temporal, and this server only has to log one request.
    app = create_app(settings)
    config = uvicorn.Config(app, host="127.0.0.1", port=port, log_level="info", lifespan="off")
    server = uvicorn.Server(config)
    access = logging.getLogger(ACCESS_LOGGER)
    access.addHandler(caplog.handler)  # uvicorn's loggers do not propagate to the root
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    try:
        deadline = time.monotonic() + 15
        while not server.started and time.monotonic() < deadline:
            time.sleep(0.02)
        params = {"requester_name": "Ioana Pop", "cheie": "s3cr3t-key-123"}
        assert httpx.get(f"http://127.0.0.1:{port}/health", params=params).status_code == 200
    finally:
        server.should_exit = True
        thread.join(timeout=10)
        access.removeHandler(caplog.handler)
    lines = [r.getMessage() for r in caplog.records if r.name == ACCESS_LOGGER]
    assert any('"GET /health HTTP/1.1" 200' in line for line in lines), lines
    assert not any("Ioana" in line or "s3cr3t" in line or "?" in line for line in lines), lines

"""Access-log lines without query strings.

uvicorn logs every request's full path, and ours carry what must not reach a log: the citizen's name
(`GET /slots?requester_name=…`) and the secret key of their link (`/bilet/{id}?cheie=…`). The path
alone still tells ops which endpoint answered what.
"""

from __future__ import annotations

import logging

ACCESS_LOGGER = "uvicorn.access"


class DropQueryString(logging.Filter):
    """uvicorn's access record has the args (client, method, full path, HTTP version, status)."""

    def filter(self, record: logging.LogRecord) -> bool:
        args = record.args
        if isinstance(args, tuple) and len(args) == 5 and isinstance(args[2], str):
            record.args = (args[0], args[1], args[2].split("?", 1)[0], args[3], args[4])
        return True


def install() -> None:
    logger = logging.getLogger(ACCESS_LOGGER)
    if not any(isinstance(f, DropQueryString) for f in logger.filters):
        logger.addFilter(DropQueryString())

"""Run the emulator: `python -m webex_emulator --host 127.0.0.1 --port 8300 --token T --webhook-secret S`.

Defaults match `core.settings` development values, so the dev stack needs no flags. Point the client
at `http://HOST:PORT/v1/`.
"""

from __future__ import annotations

import argparse

import uvicorn

from webex_emulator.app import create_app


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(
        prog="python -m webex_emulator", description="Local Webex REST API emulator"
    )
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8300)
    parser.add_argument("--token", default="dev-webex-token", help="the only accepted Bearer token")
    parser.add_argument(
        "--webhook-secret",
        default="dev-webhook-secret",
        help="signs webhooks that were registered without a secret of their own",
    )
    parser.add_argument("--log-level", default="info")
    args = parser.parse_args(argv)
    app = create_app(token=args.token, webhook_secret=args.webhook_secret)
    uvicorn.run(app, host=args.host, port=args.port, log_level=args.log_level)


if __name__ == "__main__":
    main()

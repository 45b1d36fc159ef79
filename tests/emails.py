"""Reading back the emails `integrations.emails.compose` builds (the text of each alternative, the
calendar files), and running `send_email` as the worker would."""

from __future__ import annotations

import dataclasses
from datetime import datetime
from email.message import EmailMessage
from pathlib import Path

from temporalio import activity
from temporalio.testing import ActivityEnvironment

from activities.notifications import NotificationActivities
from domain.activity_io import AnyEmailRequest
from integrations.mailer import SmtpMailer
from store.db import create_schema, make_engine
from store.stores import stores_for

SENDER = "Tichet Albastru <tichet-albastru@primaria.example>"


def _alternative(message: EmailMessage, subtype: str) -> str:
    part = message.get_body(preferencelist=(subtype,))
    assert isinstance(part, EmailMessage)
    content = part.get_content()
    assert isinstance(content, str)
    return content


def plain(message: EmailMessage) -> str:
    """The text/plain alternative."""
    return _alternative(message, "plain")


def html(message: EmailMessage) -> str:
    """The text/html alternative."""
    return _alternative(message, "html")


def calendar_files(message: EmailMessage) -> list[EmailMessage]:
    """Every part a mail program would show as a calendar file or act on as an invite."""
    return [
        part
        for part in message.walk()
        if not part.is_multipart()
        and (
            part.get_content_type() in ("text/calendar", "application/ics")
            or (part.get_filename() or "").endswith(".ics")
        )
    ]


def activity_info(
    workflow_id: str, activity_id: str, asked_at: datetime, *, run_id: str = "run-1", attempt: int = 1
) -> activity.Info:
    """What the worker hands `send_email` for one email: a retry has the same ids, a later attempt."""
    return dataclasses.replace(
        ActivityEnvironment.default_info(),
        activity_id=activity_id,
        activity_type="send_email",
        workflow_id=workflow_id,
        workflow_run_id=run_id,
        attempt=attempt,
        scheduled_time=asked_at,
        current_attempt_scheduled_time=asked_at,
        started_time=asked_at,
    )


async def run_send_email(
    notifications: NotificationActivities, info: activity.Info, request: AnyEmailRequest
) -> None:
    """Run `send_email` as the worker would (the same activity, real SMTP)."""
    env = ActivityEnvironment()
    env.info = info
    await env.run(notifications.send_email, request)


def smtp_notifications(
    smtp_port: int, db_dir: Path, *, city: str, link_secret: str, base_url: str = "http://127.0.0.1:8000"
) -> NotificationActivities:
    """The email activity as the worker wires it, sending to a real SMTP server, over an empty
    database of its own (the sent-log's table included)."""
    engine = make_engine(f"sqlite:///{db_dir / 'tichet.db'}")
    create_schema(engine)
    mailer = SmtpMailer("127.0.0.1", smtp_port, SENDER)
    return NotificationActivities(mailer, stores_for(engine).registry, base_url, link_secret, city)

"""The Temporal worker: connects, wires the activities to their adapters, and polls. Nothing else.

Run with `python -m worker` (the run command does it for you).
"""

from __future__ import annotations

import asyncio
import dataclasses
import logging
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from temporalio import activity
from temporalio.client import Client
from temporalio.common import VersioningBehavior, WorkerDeploymentVersion
from temporalio.worker import (
    ActivityInboundInterceptor,
    ExecuteActivityInput,
    Interceptor,
    Worker,
    WorkerDeploymentConfig,
)
from temporalio.worker.workflow_sandbox import SandboxedWorkflowRunner, SandboxRestrictions

from activities.accessibility import FeedbackActivities
from activities.archive import ArchiveActivities
from activities.booking import BookingActivities
from activities.calendar import CalendarActivities
from activities.documents import DocumentActivities
from activities.meetings import MeetingActivities, MeetingFollowUpActivities
from activities.notifications import NotificationActivities
from activities.registry import RegistryActivities
from activities.retention import RetentionActivities
from core.retention_schedule import ensure_purge_schedule
from core.settings import Settings, get_settings
from core.temporal_client import DATA_CONVERTER, connect
from core.tenancy import acting_for, current_municipality, municipality_of_workflow, set_default_municipality
from domain.calendar import CityCalendar
from domain.municipalities import Municipality
from integrations.bounces import BounceReceiver, DeliveryReports
from integrations.erasure import TicketHistories
from integrations.mailer import SmtpMailer
from integrations.webex import WebexMeetings
from store.accessibility_feedback import feedback_for
from store.calendar import open_calendar_source
from store.municipalities import SqlMunicipalities, municipalities_for, settings_fallback
from store.personal_data import personal_data_for
from store.stores import open_stores
from workflows.accessibility_feedback import AccessibilityFeedbackWorkflow
from workflows.blue_ticket import BlueTicketWorkflow
from workflows.retention import RetentionPurgeWorkflow

WORKFLOWS = [BlueTicketWorkflow, RetentionPurgeWorkflow, AccessibilityFeedbackWorkflow]
# Pydantic validates `EmailStr` lazily with these pure libraries; passing them through avoids
# re-importing them for every workflow run (and the sandbox's warning about it).
SANDBOX = SandboxedWorkflowRunner(
    restrictions=SandboxRestrictions.default.with_passthrough_modules("email_validator", "idna")
)


def with_our_converter(client: Client) -> Client:
    """The worker decodes with the tolerant payload converter whichever client it is given (a test's,
    a tool's), keeping that client's codec: a signal's undecodable payload must reach the ticket,
    which refuses it in its timeline."""
    converter = client.data_converter
    if converter.payload_converter_class is DATA_CONVERTER.payload_converter_class:
        return client
    config = client.config()
    config["data_converter"] = dataclasses.replace(
        converter, payload_converter_class=DATA_CONVERTER.payload_converter_class
    )
    return Client(**config)


class MunicipalityInterceptor(Interceptor):
    """Each activity acts for the municipality its workflow id names (`core.tenancy`): the shared
    SQL adapters scope their queries by it, the emails and the letter take its name and sender."""

    def __init__(self, municipalities: SqlMunicipalities) -> None:
        self.municipalities = municipalities

    def intercept_activity(self, next: ActivityInboundInterceptor) -> ActivityInboundInterceptor:
        return _ActingFor(next, self.municipalities)


class _ActingFor(ActivityInboundInterceptor):
    def __init__(self, next: ActivityInboundInterceptor, municipalities: SqlMunicipalities) -> None:
        super().__init__(next)
        self.municipalities = municipalities

    async def execute_activity(self, input: ExecuteActivityInput) -> Any:
        workflow_id = activity.info().workflow_id or ""
        known = await asyncio.to_thread(self.municipalities.ids)
        # Set here, in the activity's own context: a threaded activity gets a copy of it.
        with acting_for(municipality_of_workflow(workflow_id, known)):
            return await super().execute_activity(input)


def current_city(municipalities: SqlMunicipalities, fallback: Municipality) -> Municipality:
    """The municipality the running activity acts for (the default one when it has no row)."""
    return municipalities.get(current_municipality()) or fallback


def deployment_config(settings: Settings) -> WorkerDeploymentConfig | None:
    """A versioned worker when a build id is set. Auto-upgrade, not pinned: a ticket lives 30+ days,
    and pinning would keep every old build's workers running until its last ticket closes."""
    if not settings.worker_build_id:
        return None
    version = WorkerDeploymentVersion(settings.worker_deployment_name, settings.worker_build_id)
    return WorkerDeploymentConfig(
        version=version,
        use_worker_versioning=True,
        default_versioning_behavior=VersioningBehavior.AUTO_UPGRADE,
    )


def create_worker(client: Client, settings: Settings, *, task_queue: str | None = None) -> Worker:
    set_default_municipality(settings.default_municipality)
    fallback = settings_fallback(settings)
    municipalities = municipalities_for(settings.database_url, fallback)

    def city() -> Municipality:
        return current_city(municipalities, fallback)

    calendars: dict[str, tuple[Municipality, CityCalendar]] = {}

    def city_calendar() -> CityCalendar:
        found = city()
        known = calendars.get(found.id)
        if known is None or known[0] != found:  # a changed row gives a new calendar
            known = calendars[found.id] = (found, found.calendar())
        return known[1]

    # Opened without a municipality: each activity's queries are scoped by the one it acts for.
    stores = open_stores(settings.database_url)
    calendar = CityCalendar(time_zone=settings.time_zone)
    mailer = SmtpMailer(
        settings.smtp_host, settings.smtp_port, settings.smtp_sender, bounce_address=settings.bounce_address
    )
    webex = WebexMeetings(settings.webex_base_url, settings.webex_token)
    registry = RegistryActivities(stores.registry, stores.staff, calendar)
    calendar_source = open_calendar_source(settings.database_url)
    booking = BookingActivities(
        stores.staff, stores.bookings, calendar, calendar_source=calendar_source, calendars=city_calendar
    )
    meetings = MeetingActivities(webex)
    follow_up = MeetingFollowUpActivities(webex, settings.public_base_url)
    calendar_activities = CalendarActivities(calendar, calendar_source, calendars=city_calendar)
    worker_client = with_our_converter(client)
    notifications = NotificationActivities(
        mailer,
        stores.registry,
        settings.public_base_url,
        settings.link_secret,
        settings.city_name,
        deliveries=stores.deliveries,
        reports=DeliveryReports(stores.deliveries, worker_client),
        municipality=city,
    )
    documents = DocumentActivities(
        stores.registry, settings.city_name, settings.public_base_url, settings.link_secret, municipality=city
    )
    archive = ArchiveActivities(stores.archive, webex)
    feedback = FeedbackActivities(
        mailer,
        feedback_for(settings.database_url),
        stores.deliveries,
        to=settings.accessibility_contact_email,
        city=settings.city_name,
        base_url=settings.public_base_url,
        retention_days=settings.contact_retention_days,
    )
    retention = RetentionActivities(TicketHistories(worker_client), personal_data_for(settings.database_url))
    return Worker(
        worker_client,
        task_queue=task_queue or settings.task_queue,
        workflows=WORKFLOWS,
        activities=[
            registry.check_eligibility,
            registry.assign_audience,
            registry.confirm_director_pick,
            booking.reserve_slot,
            booking.release_slot,
            meetings.create_meeting,
            meetings.cancel_meeting,
            follow_up.move_meeting,
            follow_up.notify_host,
            follow_up.find_recording,
            calendar_activities.working_deadlines,
            notifications.send_email,
            documents.issue_resolution_document,
            archive.archive_audience,
            retention.find_due,
            retention.erase,
            feedback.send,
            feedback.erase_old,
        ],
        # Database and Webex calls are blocking; they run on threads so the event loop stays free.
        activity_executor=ThreadPoolExecutor(max_workers=20),
        workflow_runner=SANDBOX,
        max_cached_workflows=settings.worker_max_cached_workflows,
        deployment_config=deployment_config(settings),
        interceptors=[MunicipalityInterceptor(municipalities)],
    )


async def main() -> None:
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s %(message)s")
    settings = get_settings()
    client = await connect(settings, metrics_address=settings.worker_metrics_address)
    worker = create_worker(client, settings)
    # The daily purge (issue 9): created once, left alone when already as the settings want it.
    change = await ensure_purge_schedule(
        client,
        task_queue=settings.task_queue,
        retention_days=settings.contact_retention_days,
        time_zone=settings.time_zone,
    )
    logging.getLogger("worker").info("retention purge schedule: %s", change.value)
    logging.getLogger("worker").info(
        "polling task queue %s on %s as %s",
        settings.task_queue,
        settings.temporal_address,
        f"build {settings.worker_build_id} of {settings.worker_deployment_name}"
        if settings.worker_build_id
        else "an unversioned worker",
    )
    if not settings.bounce_smtp_port:
        await worker.run()
        return
    # The bounce address's mail (issue 12), on this loop, where the client it signals with lives.
    # aiosmtpd logs each envelope at INFO, and an auto-reply's sender may be a citizen's address.
    logging.getLogger("mail.log").setLevel(logging.WARNING)
    reports = DeliveryReports(open_stores(settings.database_url).deliveries, with_our_converter(client))
    async with BounceReceiver(reports, settings.bounce_smtp_host, settings.bounce_smtp_port):
        await worker.run()


if __name__ == "__main__":
    asyncio.run(main())

"""Baseline: the schema `create_all` made up to issue 9 (every table of store/tables.py).

A database created before migrations is stamped here by `python -m store.migrate` when its
tables match this revision exactly.

Revision ID: 0001
Revises:
Create Date: 2026-12-02 14:11:39.278149
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel.sql.sqltypes
from alembic import op

revision: str = "0001"
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "archive",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("ticket_id", sqlmodel.sql.sqltypes.AutoString(length=80), nullable=False),
        sa.Column("level", sa.Integer(), nullable=False),
        sa.Column("attempt", sa.Integer(), nullable=False),
        sa.Column("registration_number", sqlmodel.sql.sqltypes.AutoString(length=40), nullable=False),
        sa.Column("staff_id", sqlmodel.sql.sqltypes.AutoString(length=40), nullable=False),
        sa.Column("department_id", sqlmodel.sql.sqltypes.AutoString(length=40), nullable=True),
        sa.Column("channel", sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
        sa.Column("meeting_start", sa.DateTime(timezone=True), nullable=True),
        sa.Column("outcome", sqlmodel.sql.sqltypes.AutoString(length=30), nullable=False),
        sa.Column("conclusions", sqlmodel.sql.sqltypes.AutoString(), nullable=True),
        sa.Column("resolution_document_number", sqlmodel.sql.sqltypes.AutoString(length=40), nullable=True),
        sa.Column("recording_ref", sqlmodel.sql.sqltypes.AutoString(length=300), nullable=True),
        sa.Column("started_late", sa.Boolean(), nullable=False),
        sa.Column("closed_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("ticket_id", "level", "attempt", name="uq_archive_ticket_level_attempt"),
    )
    with op.batch_alter_table("archive", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_archive_department_id"), ["department_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_archive_meeting_start"), ["meeting_start"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_archive_registration_number"), ["registration_number"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_archive_staff_id"), ["staff_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_archive_ticket_id"), ["ticket_id"], unique=False)

    op.create_table(
        "city_days_off",
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("reason", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
        sa.PrimaryKeyConstraint("day"),
    )
    op.create_table(
        "contact_erasures",
        sa.Column("ticket_id", sqlmodel.sql.sqltypes.AutoString(length=80), nullable=False),
        sa.Column("workflow_id", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
        sa.Column("registration_number", sqlmodel.sql.sqltypes.AutoString(length=40), nullable=False),
        sa.Column("pseudonym", sqlmodel.sql.sqltypes.AutoString(length=40), nullable=False),
        sa.Column("reason", sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
        sa.Column("closed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("erased_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("ticket_id"),
    )
    with op.batch_alter_table("contact_erasures", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_contact_erasures_workflow_id"), ["workflow_id"], unique=False)

    op.create_table(
        "departments",
        sa.Column("id", sqlmodel.sql.sqltypes.AutoString(length=40), nullable=False),
        sa.Column("name", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
        sa.Column("director_id", sqlmodel.sql.sqltypes.AutoString(length=40), nullable=True),
        sa.Column("deputy_mayor_id", sqlmodel.sql.sqltypes.AutoString(length=40), nullable=True),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_table(
        "email_deliveries",
        sa.Column("message_id", sqlmodel.sql.sqltypes.AutoString(length=250), nullable=False),
        sa.Column("workflow_id", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
        sa.Column("kind", sqlmodel.sql.sqltypes.AutoString(length=60), nullable=False),
        sa.Column("recipient_kind", sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
        sa.Column("status", sqlmodel.sql.sqltypes.AutoString(length=30), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("detail", sqlmodel.sql.sqltypes.AutoString(length=500), nullable=True),
        sa.Column("first_attempt_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("last_attempt_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("sent_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("status_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("message_id"),
    )
    with op.batch_alter_table("email_deliveries", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_email_deliveries_workflow_id"), ["workflow_id"], unique=False)

    op.create_table(
        "ratings",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("ticket_id", sqlmodel.sql.sqltypes.AutoString(length=80), nullable=False),
        sa.Column("level", sa.Integer(), nullable=False),
        sa.Column("registration_number", sqlmodel.sql.sqltypes.AutoString(length=40), nullable=False),
        sa.Column("staff_id", sqlmodel.sql.sqltypes.AutoString(length=40), nullable=False),
        sa.Column("department_id", sqlmodel.sql.sqltypes.AutoString(length=40), nullable=True),
        sa.Column("meeting_start", sa.DateTime(timezone=True), nullable=True),
        sa.Column("stars", sa.Integer(), nullable=False),
        sa.Column("comment", sqlmodel.sql.sqltypes.AutoString(length=1000), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("ticket_id", "level", name="uq_rating_ticket_level"),
    )
    with op.batch_alter_table("ratings", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_ratings_department_id"), ["department_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_ratings_meeting_start"), ["meeting_start"], unique=False)
        batch_op.create_index(batch_op.f("ix_ratings_staff_id"), ["staff_id"], unique=False)

    op.create_table(
        "webhook_events",
        sa.Column("event_id", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
        sa.Column("kind", sqlmodel.sql.sqltypes.AutoString(length=30), nullable=False),
        sa.Column("meeting_id", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
        sa.Column("received_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("event_id"),
    )
    with op.batch_alter_table("webhook_events", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_webhook_events_meeting_id"), ["meeting_id"], unique=False)

    op.create_table(
        "department_hours",
        sa.Column("department_id", sqlmodel.sql.sqltypes.AutoString(length=40), nullable=False),
        sa.Column("weekday", sa.Integer(), nullable=False),
        sa.Column("opens", sa.Time(), nullable=True),
        sa.Column("closes", sa.Time(), nullable=True),
        sa.CheckConstraint(
            "(opens IS NULL AND closes IS NULL) OR "
            "(opens IS NOT NULL AND closes IS NOT NULL AND opens < closes)",
            name="ck_department_hours_pair",
        ),
        sa.CheckConstraint("weekday BETWEEN 0 AND 6", name="ck_department_hours_weekday"),
        sa.ForeignKeyConstraint(
            ["department_id"],
            ["departments.id"],
        ),
        sa.PrimaryKeyConstraint("department_id", "weekday"),
    )
    op.create_table(
        "staff",
        sa.Column("id", sqlmodel.sql.sqltypes.AutoString(length=40), nullable=False),
        sa.Column("name", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
        sa.Column("email", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
        sa.Column("webex_email", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
        sa.Column("role", sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
        sa.Column("department_id", sqlmodel.sql.sqltypes.AutoString(), nullable=True),
        sa.Column("reports_to_id", sqlmodel.sql.sqltypes.AutoString(length=40), nullable=True),
        sa.Column("substitute_id", sqlmodel.sql.sqltypes.AutoString(length=40), nullable=True),
        sa.Column("api_token_sha256", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=True),
        sa.ForeignKeyConstraint(
            ["department_id"],
            ["departments.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("api_token_sha256"),
    )
    with op.batch_alter_table("staff", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_staff_department_id"), ["department_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_staff_role"), ["role"], unique=False)

    op.create_table(
        "absences",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("staff_id", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("first_day", sa.Date(), nullable=False),
        sa.Column("last_day", sa.Date(), nullable=False),
        sa.Column("reason", sqlmodel.sql.sqltypes.AutoString(length=40), nullable=False),
        sa.ForeignKeyConstraint(
            ["staff_id"],
            ["staff.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("absences", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_absences_staff_id"), ["staff_id"], unique=False)

    op.create_table(
        "bookings",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("ticket_id", sqlmodel.sql.sqltypes.AutoString(length=80), nullable=False),
        sa.Column("level", sa.Integer(), nullable=False),
        sa.Column("staff_id", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("slot_start", sa.DateTime(timezone=True), nullable=False),
        sa.Column("slot_end", sa.DateTime(timezone=True), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("cancelled_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["staff_id"],
            ["staff.id"],
        ),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("bookings", schema=None) as batch_op:
        batch_op.create_index(
            "uq_booking_active_slot",
            ["staff_id", "slot_start"],
            unique=True,
            sqlite_where=sa.text("cancelled_at IS NULL"),
            postgresql_where=sa.text("cancelled_at IS NULL"),
        )
        batch_op.create_index(
            "uq_booking_active_ticket_level",
            ["ticket_id", "level"],
            unique=True,
            sqlite_where=sa.text("cancelled_at IS NULL"),
            postgresql_where=sa.text("cancelled_at IS NULL"),
        )

    op.create_table(
        "registered_files",
        sa.Column("registration_number", sqlmodel.sql.sqltypes.AutoString(length=40), nullable=False),
        sa.Column("filing_date", sa.Date(), nullable=False),
        sa.Column("requester_name", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
        sa.Column("subject", sqlmodel.sql.sqltypes.AutoString(length=300), nullable=False),
        sa.Column("department_id", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("status", sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
        sa.Column("answered_on", sa.Date(), nullable=True),
        sa.Column("last_handler_id", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.ForeignKeyConstraint(
            ["department_id"],
            ["departments.id"],
        ),
        sa.ForeignKeyConstraint(
            ["last_handler_id"],
            ["staff.id"],
        ),
        sa.PrimaryKeyConstraint("registration_number"),
    )
    with op.batch_alter_table("registered_files", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_registered_files_department_id"), ["department_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_registered_files_last_handler_id"), ["last_handler_id"], unique=False
        )

    op.create_table(
        "staff_hours",
        sa.Column("staff_id", sqlmodel.sql.sqltypes.AutoString(length=40), nullable=False),
        sa.Column("weekday", sa.Integer(), nullable=False),
        sa.Column("opens", sa.Time(), nullable=True),
        sa.Column("closes", sa.Time(), nullable=True),
        sa.CheckConstraint(
            "(opens IS NULL AND closes IS NULL) OR "
            "(opens IS NOT NULL AND closes IS NOT NULL AND opens < closes)",
            name="ck_staff_hours_pair",
        ),
        sa.CheckConstraint("weekday BETWEEN 0 AND 6", name="ck_staff_hours_weekday"),
        sa.ForeignKeyConstraint(
            ["staff_id"],
            ["staff.id"],
        ),
        sa.PrimaryKeyConstraint("staff_id", "weekday"),
    )
    op.create_table(
        "staff_sessions",
        sa.Column("id_hash", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("staff_id", sqlmodel.sql.sqltypes.AutoString(length=40), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("revoked_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["staff_id"],
            ["staff.id"],
        ),
        sa.PrimaryKeyConstraint("id_hash"),
    )
    with op.batch_alter_table("staff_sessions", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_staff_sessions_staff_id"), ["staff_id"], unique=False)

    op.create_table(
        "outgoing_documents",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("registration_number", sqlmodel.sql.sqltypes.AutoString(length=40), nullable=False),
        sa.Column("file_registration_number", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("ticket_id", sqlmodel.sql.sqltypes.AutoString(length=80), nullable=False),
        sa.Column("level", sa.Integer(), nullable=False),
        sa.Column("title", sqlmodel.sql.sqltypes.AutoString(length=300), nullable=False),
        sa.Column("filename", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
        sa.Column("content_type", sqlmodel.sql.sqltypes.AutoString(length=100), nullable=False),
        sa.Column("content", sa.LargeBinary(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["file_registration_number"],
            ["registered_files.registration_number"],
        ),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("registration_number"),
        sa.UniqueConstraint("ticket_id", "level", name="uq_document_ticket_level"),
    )
    with op.batch_alter_table("outgoing_documents", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_outgoing_documents_file_registration_number"),
            ["file_registration_number"],
            unique=False,
        )


def downgrade() -> None:
    with op.batch_alter_table("outgoing_documents", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_outgoing_documents_file_registration_number"))

    op.drop_table("outgoing_documents")
    with op.batch_alter_table("staff_sessions", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_staff_sessions_staff_id"))

    op.drop_table("staff_sessions")
    op.drop_table("staff_hours")
    with op.batch_alter_table("registered_files", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_registered_files_last_handler_id"))
        batch_op.drop_index(batch_op.f("ix_registered_files_department_id"))

    op.drop_table("registered_files")
    with op.batch_alter_table("bookings", schema=None) as batch_op:
        batch_op.drop_index(
            "uq_booking_active_ticket_level",
            sqlite_where=sa.text("cancelled_at IS NULL"),
            postgresql_where=sa.text("cancelled_at IS NULL"),
        )
        batch_op.drop_index(
            "uq_booking_active_slot",
            sqlite_where=sa.text("cancelled_at IS NULL"),
            postgresql_where=sa.text("cancelled_at IS NULL"),
        )

    op.drop_table("bookings")
    with op.batch_alter_table("absences", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_absences_staff_id"))

    op.drop_table("absences")
    with op.batch_alter_table("staff", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_staff_role"))
        batch_op.drop_index(batch_op.f("ix_staff_department_id"))

    op.drop_table("staff")
    op.drop_table("department_hours")
    with op.batch_alter_table("webhook_events", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_webhook_events_meeting_id"))

    op.drop_table("webhook_events")
    with op.batch_alter_table("ratings", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_ratings_staff_id"))
        batch_op.drop_index(batch_op.f("ix_ratings_meeting_start"))
        batch_op.drop_index(batch_op.f("ix_ratings_department_id"))

    op.drop_table("ratings")
    with op.batch_alter_table("email_deliveries", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_email_deliveries_workflow_id"))

    op.drop_table("email_deliveries")
    op.drop_table("departments")
    with op.batch_alter_table("contact_erasures", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_contact_erasures_workflow_id"))

    op.drop_table("contact_erasures")
    op.drop_table("city_days_off")
    with op.batch_alter_table("archive", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_archive_ticket_id"))
        batch_op.drop_index(batch_op.f("ix_archive_staff_id"))
        batch_op.drop_index(batch_op.f("ix_archive_registration_number"))
        batch_op.drop_index(batch_op.f("ix_archive_meeting_start"))
        batch_op.drop_index(batch_op.f("ix_archive_department_id"))

    op.drop_table("archive")

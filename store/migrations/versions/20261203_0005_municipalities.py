"""Municipalities as tenants (issue 11): the `municipalities` table, and `municipality_id` on every
table that holds a city's data. Every row that exists at the upgrade belongs to the default
municipality (`cluj-napoca`, the server default).

The per-city keys change: a file's registration number is unique per municipality (the primary key
of `registered_files` becomes (municipality_id, registration_number)), so are the outgoing document
numbers and a declared day off. SQLite cannot change a primary key in place, so these three tables
are rebuilt (new table, copy, drop, rename) the same way on both backends.

The downgrade refuses while a municipality other than the default one has rows: going down would
merge two cities' files under one number.

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-03 16:05:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel.sql.sqltypes
from alembic import op

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

DEFAULT = "cluj-napoca"
# Tables that only gain the column (their keys are ids that are unique across the deployment).
ADDED = ("departments", "staff", "absences", "bookings", "archive", "ratings")
_TEXT = sqlmodel.sql.sqltypes.AutoString


def _municipality(*, primary_key: bool = False) -> sa.Column[str]:
    return sa.Column("municipality_id", _TEXT(length=63), nullable=False, server_default=DEFAULT)


def _files_table(name: str, *, tenanted: bool) -> None:
    key = ["municipality_id", "registration_number"] if tenanted else ["registration_number"]
    op.create_table(
        name,
        *([_municipality(primary_key=True)] if tenanted else []),
        sa.Column("registration_number", _TEXT(length=40), nullable=False),
        sa.Column("filing_date", sa.Date(), nullable=False),
        sa.Column("requester_name", _TEXT(length=200), nullable=False),
        sa.Column("subject", _TEXT(length=300), nullable=False),
        sa.Column("department_id", _TEXT(), nullable=False),
        sa.Column("status", _TEXT(length=20), nullable=False),
        sa.Column("answered_on", sa.Date(), nullable=True),
        sa.Column("last_handler_id", _TEXT(), nullable=False),
        sa.ForeignKeyConstraint(["department_id"], ["departments.id"]),
        sa.ForeignKeyConstraint(["last_handler_id"], ["staff.id"]),
        sa.PrimaryKeyConstraint(*key),
    )


def _documents_table(name: str, files: str, *, tenanted: bool) -> None:
    if tenanted:
        constraints: list[sa.schema.SchemaItem] = [
            _municipality(),
            sa.UniqueConstraint(
                "municipality_id", "registration_number", name="uq_document_municipality_number"
            ),
            sa.ForeignKeyConstraint(
                ["municipality_id", "file_registration_number"],
                [f"{files}.municipality_id", f"{files}.registration_number"],
                name="fk_document_file",
            ),
        ]
    else:
        constraints = [
            sa.UniqueConstraint("registration_number"),
            sa.ForeignKeyConstraint(["file_registration_number"], [f"{files}.registration_number"]),
        ]
    op.create_table(
        name,
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("registration_number", _TEXT(length=40), nullable=False),
        sa.Column("file_registration_number", _TEXT(), nullable=False),
        sa.Column("ticket_id", _TEXT(length=80), nullable=False),
        sa.Column("level", sa.Integer(), nullable=False),
        sa.Column("title", _TEXT(length=300), nullable=False),
        sa.Column("filename", _TEXT(length=200), nullable=False),
        sa.Column("content_type", _TEXT(length=100), nullable=False),
        sa.Column("content", sa.LargeBinary(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        *constraints,
    )


def _days_off_table(name: str, *, tenanted: bool) -> None:
    op.create_table(
        name,
        *([_municipality(primary_key=True)] if tenanted else []),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("reason", _TEXT(length=200), nullable=False),
        sa.PrimaryKeyConstraint(*(["municipality_id", "day"] if tenanted else ["day"])),
    )


FILE_COLUMNS = "registration_number, filing_date, requester_name, subject, department_id, status, answered_on, last_handler_id"  # noqa: E501
DOCUMENT_COLUMNS = "id, registration_number, file_registration_number, ticket_id, level, title, filename, content_type, content, created_at"  # noqa: E501


def _rebuild(*, tenanted: bool) -> None:
    """registered_files, outgoing_documents and city_days_off with (tenanted) or without the
    municipality in their keys; rows copied, the default municipality's when gaining the column."""
    lead = "municipality_id, " if tenanted else ""
    given = f"'{DEFAULT}', " if tenanted else ""
    _files_table("_new_registered_files", tenanted=tenanted)
    op.execute(
        f"INSERT INTO _new_registered_files ({lead}{FILE_COLUMNS}) "
        f"SELECT {given}{FILE_COLUMNS} FROM registered_files"
    )
    _documents_table("_new_outgoing_documents", "_new_registered_files", tenanted=tenanted)
    op.execute(
        f"INSERT INTO _new_outgoing_documents ({lead}{DOCUMENT_COLUMNS}) "
        f"SELECT {given}{DOCUMENT_COLUMNS} FROM outgoing_documents"
    )
    _days_off_table("_new_city_days_off", tenanted=tenanted)
    op.execute(
        f"INSERT INTO _new_city_days_off ({lead}day, reason) SELECT {given}day, reason FROM city_days_off"
    )
    with op.batch_alter_table("outgoing_documents") as batch_op:
        batch_op.drop_index("ix_outgoing_documents_file_registration_number")
    if not tenanted:
        op.drop_index("ix_outgoing_documents_municipality_id", table_name="outgoing_documents")
    op.drop_table("outgoing_documents")
    op.drop_index("ix_registered_files_department_id", table_name="registered_files")
    op.drop_index("ix_registered_files_last_handler_id", table_name="registered_files")
    op.drop_table("registered_files")
    op.drop_table("city_days_off")
    op.rename_table("_new_registered_files", "registered_files")
    op.rename_table("_new_outgoing_documents", "outgoing_documents")
    op.rename_table("_new_city_days_off", "city_days_off")
    if op.get_bind().dialect.name == "postgresql":
        # The id sequence keeps counting where the old table's stopped.
        op.execute(
            "SELECT setval(pg_get_serial_sequence('outgoing_documents', 'id'), "
            "COALESCE((SELECT MAX(id) FROM outgoing_documents), 0) + 1, false)"
        )
    # Made once the old table is gone: on PostgreSQL a unique constraint's name is an index's, global.
    with op.batch_alter_table("outgoing_documents") as batch_op:
        batch_op.create_unique_constraint("uq_document_ticket_level", ["ticket_id", "level"])
    op.create_index("ix_registered_files_department_id", "registered_files", ["department_id"])
    op.create_index("ix_registered_files_last_handler_id", "registered_files", ["last_handler_id"])
    op.create_index(
        "ix_outgoing_documents_file_registration_number", "outgoing_documents", ["file_registration_number"]
    )
    if tenanted:
        op.create_index("ix_outgoing_documents_municipality_id", "outgoing_documents", ["municipality_id"])


def upgrade() -> None:
    op.create_table(
        "municipalities",
        sa.Column("id", _TEXT(length=63), nullable=False),
        sa.Column("name", _TEXT(length=200), nullable=False),
        sa.Column("time_zone", _TEXT(length=60), nullable=False),
        sa.Column("working_hours", sa.JSON(), nullable=False),
        sa.Column("booking_window_mode", _TEXT(length=20), nullable=False),
        sa.Column("policy", sa.JSON(), nullable=False),
        sa.Column("sender", _TEXT(length=200), nullable=False),
        sa.Column("pdf_header", _TEXT(length=500), nullable=False),
        sa.Column("logo_path", _TEXT(length=300), nullable=False),
        sa.Column("path_prefix", _TEXT(length=80), nullable=False),
        sa.Column("registry_config", sa.JSON(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    for table in ADDED:
        with op.batch_alter_table(table) as batch_op:
            batch_op.add_column(_municipality())
            batch_op.create_index(f"ix_{table}_municipality_id", ["municipality_id"], unique=False)
    _rebuild(tenanted=True)


def downgrade() -> None:
    bind = op.get_bind()
    for table in (*ADDED, "registered_files", "outgoing_documents", "city_days_off"):
        others = bind.execute(
            sa.text(f"SELECT COUNT(*) FROM {table} WHERE municipality_id <> :default"), {"default": DEFAULT}
        ).scalar_one()
        if others:
            raise RuntimeError(
                f"refused: {table} holds {others} rows of municipalities other than {DEFAULT!r}; "
                "a database without tenancy cannot keep them apart"
            )
    _rebuild(tenanted=False)
    for table in ADDED:
        # A plain ALTER on both backends (SQLite >= 3.35): batch mode's copy of the table would drop
        # `departments` and `staff` while other tables' foreign keys point at them.
        op.drop_index(f"ix_{table}_municipality_id", table_name=table)
        op.drop_column(table, "municipality_id")
    op.drop_table("municipalities")

"""Email delivery status (issue 12): `sent` becomes `delivered`, and the delivery reports table.

`email_deliveries.status` gains `temporary-failure` and `permanent-failure` (no schema change: a
string column); the rows an older release wrote as `sent` (the relay accepted them) are `delivered`
now, which the new code reads as "do not send again". `email_reports` is new: the bounces that
reach the bounce address. Going down turns `delivered` (and the failures) back into what the old
code knows, so it neither resends an accepted email nor stops on an unknown status.

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-03 16:05:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel.sql.sqltypes
from alembic import op

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.execute("UPDATE email_deliveries SET status = 'delivered' WHERE status = 'sent'")
    op.create_table(
        "email_reports",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("received_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("outcome", sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
        sa.Column("size", sa.Integer(), nullable=False),
        sa.Column("message_id", sqlmodel.sql.sqltypes.AutoString(length=250), nullable=True),
        sa.Column("action", sqlmodel.sql.sqltypes.AutoString(length=20), nullable=True),
        sa.Column("status_code", sqlmodel.sql.sqltypes.AutoString(length=20), nullable=True),
        sa.Column("reason", sqlmodel.sql.sqltypes.AutoString(length=300), nullable=True),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("email_reports", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_email_reports_message_id"), ["message_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_email_reports_received_at"), ["received_at"], unique=False)


def downgrade() -> None:
    # The old code sends again only from `sending`: an email the relay accepted or refused for good
    # must not go out again, so every status past `sending` is `sent` to it, except a 4xx retry.
    # The updates come first: on SQLite they open the transaction, so that the drops below are
    # undone with it when an earlier revision's downgrade refuses (pysqlite runs DDL outside one).
    op.execute("UPDATE email_deliveries SET status = 'sending' WHERE status = 'temporary-failure'")
    op.execute("UPDATE email_deliveries SET status = 'sent' WHERE status <> 'sending'")
    with op.batch_alter_table("email_reports", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_email_reports_received_at"))
        batch_op.drop_index(batch_op.f("ix_email_reports_message_id"))

    op.drop_table("email_reports")

"""Accessibility feedback (issue 12): the messages of the accessibility statement's form.

A new table only, so the running (old) code is unaffected until it is replaced.

Revision ID: 0004
Revises: 0001
Create Date: 2026-12-03 07:34:26.701383
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel.sql.sqltypes
from alembic import op

revision: str = "0004"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "accessibility_feedback",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sqlmodel.sql.sqltypes.AutoString(length=120), nullable=False),
        sa.Column("email", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
        sa.Column("page", sqlmodel.sql.sqltypes.AutoString(length=300), nullable=False),
        sa.Column("message", sqlmodel.sql.sqltypes.AutoString(length=4000), nullable=False),
        sa.Column("language", sqlmodel.sql.sqltypes.AutoString(length=5), nullable=False),
        sa.Column("received_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("emailed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("erased_at", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("accessibility_feedback", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_accessibility_feedback_received_at"), ["received_at"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("accessibility_feedback", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_accessibility_feedback_received_at"))

    op.drop_table("accessibility_feedback")

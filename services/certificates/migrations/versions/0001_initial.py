"""Facts heard (classes, persons, progress, 学时 entries), certificates; outbox and inbox.

Revision ID: 0001
Revises:
Create Date: 2026-11-25
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from shared.db import UTCDateTime
from shared.migrations import create_messaging_tables

revision: str = "0001"
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "certificate_class",
        sa.Column("class_id", sa.String(64), primary_key=True),
        sa.Column("title", sa.String(200), nullable=False),
        sa.Column("category", sa.String(40), nullable=False),
        sa.Column("year", sa.Integer, nullable=False),
        sa.Column("required_hours", sa.Numeric(6, 2), nullable=False),
    )
    op.create_table(
        "certificate_person",
        sa.Column("person_id", sa.String(64), primary_key=True),
        sa.Column("name", sa.String(100), nullable=False),
    )
    op.create_table(
        "certificate_progress",
        sa.Column("person_id", sa.String(64), primary_key=True),
        sa.Column("class_id", sa.String(64), primary_key=True, index=True),
        sa.Column("enrolled", sa.Boolean, nullable=False),
        sa.Column("assessment_id", sa.String(64), nullable=True),
        sa.Column("assessment_passed", sa.Boolean, nullable=True),
        sa.Column("assessed_at", UTCDateTime, nullable=True),
    )
    op.create_table(
        "certificate_hours_entry",
        sa.Column("entry_id", sa.String(64), primary_key=True),
        sa.Column("person_id", sa.String(64), nullable=False),
        sa.Column("class_id", sa.String(64), nullable=False),
        sa.Column("hours", sa.Numeric(7, 2), nullable=False),
        sa.Column("replaced_by_entry_id", sa.String(64), nullable=True),
    )
    op.create_index("ix_certificate_hours_entry_learner", "certificate_hours_entry", ["person_id", "class_id"])
    op.create_table(
        "certificate",
        sa.Column("certificate_number", sa.String(32), primary_key=True),
        sa.Column("person_id", sa.String(64), nullable=False, index=True),
        sa.Column("class_id", sa.String(64), nullable=False),
        sa.Column("holder_name", sa.String(100), nullable=False),
        sa.Column("class_title", sa.String(200), nullable=False),
        sa.Column("category", sa.String(40), nullable=False),
        sa.Column("hours", sa.Numeric(7, 2), nullable=False),
        sa.Column("issued_at", UTCDateTime, nullable=False),
        sa.Column("revoked_at", UTCDateTime, nullable=True),
        sa.Column("revocation_reason", sa.String(500), nullable=True),
    )
    # At most one valid certificate per learner and class, even when two events race to issue it.
    op.create_index(
        "uq_certificate_valid_per_learner",
        "certificate",
        ["person_id", "class_id"],
        unique=True,
        sqlite_where=sa.text("revoked_at IS NULL"),
        postgresql_where=sa.text("revoked_at IS NULL"),
    )
    create_messaging_tables()


def downgrade() -> None:
    for table in (
        "inbox_record",
        "outbox_message",
        "certificate",
        "certificate_hours_entry",
        "certificate_progress",
        "certificate_person",
        "certificate_class",
    ):
        op.drop_table(table)

"""Classes, sessions, persons, enrollments; outbox and inbox.

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
        "training_class",
        sa.Column("class_id", sa.String(64), primary_key=True),
        sa.Column("title", sa.String(200), nullable=False),
        sa.Column("category", sa.String(40), nullable=False),
        sa.Column("year", sa.Integer, nullable=False),
        sa.Column("required_hours", sa.Numeric(6, 2), nullable=False),
        sa.Column("created_at", UTCDateTime, nullable=False),
    )
    op.create_table(
        "class_session",
        sa.Column("session_id", sa.String(64), primary_key=True),
        sa.Column("class_id", sa.String(64), sa.ForeignKey("training_class.class_id"), nullable=False, index=True),
        sa.Column("title", sa.String(200), nullable=False),
        sa.Column("kind", sa.String(20), nullable=False),
        sa.Column("starts_at", UTCDateTime, nullable=False),
        sa.Column("duration_minutes", sa.Integer, nullable=False),
        sa.Column("hours", sa.Numeric(6, 2), nullable=False),
    )
    op.create_table(
        "person",
        sa.Column("person_id", sa.String(64), primary_key=True),
        sa.Column("name", sa.String(100), nullable=False),
        sa.Column("unit", sa.String(200), nullable=True),
        sa.Column("registered_at", UTCDateTime, nullable=False),
    )
    op.create_table(
        "enrollment",
        sa.Column("enrollment_id", sa.String(64), primary_key=True),
        sa.Column("class_id", sa.String(64), sa.ForeignKey("training_class.class_id"), nullable=False, index=True),
        sa.Column("person_id", sa.String(64), sa.ForeignKey("person.person_id"), nullable=False, index=True),
        sa.Column("enrolled_at", UTCDateTime, nullable=False),
        sa.UniqueConstraint("class_id", "person_id"),
    )
    create_messaging_tables()


def downgrade() -> None:
    for table in ("inbox_record", "outbox_message", "enrollment", "person", "class_session", "training_class"):
        op.drop_table(table)

"""Known classes and enrollments, final assessments; outbox and inbox.

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
        "evaluation_class",
        sa.Column("class_id", sa.String(64), primary_key=True),
        sa.Column("title", sa.String(200), nullable=False),
        sa.Column("known_since", UTCDateTime, nullable=False),
    )
    op.create_table(
        "evaluation_enrollment",
        sa.Column("enrollment_id", sa.String(64), primary_key=True),
        sa.Column("class_id", sa.String(64), nullable=False, index=True),
        sa.Column("person_id", sa.String(64), nullable=False),
        sa.UniqueConstraint("class_id", "person_id"),
    )
    op.create_table(
        "assessment",
        sa.Column("assessment_id", sa.String(64), primary_key=True),
        sa.Column("class_id", sa.String(64), nullable=False),
        sa.Column("person_id", sa.String(64), nullable=False),
        sa.Column("passed", sa.Boolean, nullable=False),
        sa.Column("score", sa.Numeric(5, 2), nullable=True),
        sa.Column("comment", sa.String(1000), nullable=True),
        sa.Column("assessed_by", sa.String(200), nullable=False),
        sa.Column("assessed_at", UTCDateTime, nullable=False),
    )
    op.create_index("ix_assessment_class_person", "assessment", ["class_id", "person_id", "assessed_at"])
    create_messaging_tables()


def downgrade() -> None:
    for table in ("inbox_record", "outbox_message", "assessment", "evaluation_enrollment", "evaluation_class"):
        op.drop_table(table)

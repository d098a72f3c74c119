"""The certificates service's tables, its inbox, outbox and parked events

Revision ID: 0001
Revises:
Create Date: 2026-11-25 23:18:00.391356
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from shared.db import UTCDateTime

revision: str = "0001"
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "certificate",
        sa.Column("certificate_number", sa.String(length=32), nullable=False),
        sa.Column("person_id", sa.String(length=64), nullable=False),
        sa.Column("class_id", sa.String(length=64), nullable=False),
        sa.Column("holder_name", sa.String(length=100), nullable=False),
        sa.Column("class_title", sa.String(length=200), nullable=False),
        sa.Column("category", sa.String(length=64), nullable=False),
        sa.Column("hours", sa.Numeric(precision=7, scale=2), nullable=False),
        sa.Column("issued_at", UTCDateTime(), nullable=False),
        sa.Column("revoked_at", UTCDateTime(), nullable=True),
        sa.Column("revocation_reason", sa.String(length=500), nullable=True),
        sa.Column("revision", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("certificate_number"),
    )
    with op.batch_alter_table("certificate", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_certificate_person_id"), ["person_id"], unique=False)
        batch_op.create_index(
            "uq_certificate_valid_per_learner",
            ["person_id", "class_id"],
            unique=True,
            sqlite_where=sa.text("revoked_at IS NULL"),
            postgresql_where=sa.text("revoked_at IS NULL"),
        )

    op.create_table(
        "certificate_class",
        sa.Column("class_id", sa.String(length=64), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("category", sa.String(length=64), nullable=False),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("required_hours", sa.Numeric(precision=6, scale=2), nullable=False),
        sa.PrimaryKeyConstraint("class_id"),
    )
    op.create_table(
        "certificate_enrollment",
        sa.Column("enrollment_id", sa.String(length=64), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("class_id", sa.String(length=64), nullable=False),
        sa.Column("person_id", sa.String(length=64), nullable=False),
        sa.Column("status", sa.String(length=64), nullable=False),
        sa.PrimaryKeyConstraint("enrollment_id"),
    )
    with op.batch_alter_table("certificate_enrollment", schema=None) as batch_op:
        batch_op.create_index("ix_certificate_enrollment_learner", ["person_id", "class_id"], unique=False)

    op.create_table(
        "certificate_hours_entry",
        sa.Column("entry_id", sa.String(length=64), nullable=False),
        sa.Column("person_id", sa.String(length=64), nullable=False),
        sa.Column("class_id", sa.String(length=64), nullable=False),
        sa.Column("hours", sa.Numeric(precision=7, scale=2), nullable=False),
        sa.Column("replaced_by_entry_id", sa.String(length=64), nullable=True),
        sa.PrimaryKeyConstraint("entry_id"),
    )
    with op.batch_alter_table("certificate_hours_entry", schema=None) as batch_op:
        batch_op.create_index("ix_certificate_hours_entry_learner", ["person_id", "class_id"], unique=False)

    op.create_table(
        "certificate_person",
        sa.Column("person_id", sa.String(length=64), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.PrimaryKeyConstraint("person_id"),
    )
    op.create_table(
        "certificate_progress",
        sa.Column("person_id", sa.String(length=64), nullable=False),
        sa.Column("class_id", sa.String(length=64), nullable=False),
        sa.Column("assessment_id", sa.String(length=64), nullable=True),
        sa.Column("assessment_passed", sa.Boolean(), nullable=True),
        sa.Column("assessed_at", UTCDateTime(), nullable=True),
        sa.PrimaryKeyConstraint("person_id", "class_id"),
    )
    with op.batch_alter_table("certificate_progress", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_certificate_progress_class_id"), ["class_id"], unique=False)

    op.create_table(
        "inbox_record",
        sa.Column("source", sa.String(length=255), nullable=False),
        sa.Column("event_id", sa.String(length=255), nullable=False),
        sa.Column("event_type", sa.String(length=200), nullable=False),
        sa.Column("digest", sa.String(length=64), nullable=False),
        sa.Column("outcome", sa.String(length=32), nullable=False),
        sa.Column("processed_at", UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("source", "event_id"),
    )
    op.create_table(
        "outbox_message",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("event_id", sa.String(length=255), nullable=False),
        sa.Column("event_type", sa.String(length=200), nullable=False),
        sa.Column("topic", sa.String(length=200), nullable=False),
        sa.Column("key", sa.String(length=200), nullable=False),
        sa.Column("payload", sa.Text(), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("published_at", UTCDateTime(), nullable=True),
        sa.Column("failed_at", UTCDateTime(), nullable=True),
        sa.Column("failure", sa.Text(), nullable=True),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("outbox_message", schema=None) as batch_op:
        batch_op.create_index("ix_outbox_message_unpublished", ["published_at", "id"], unique=False)

    op.create_table(
        "parked_event",
        sa.Column("source", sa.String(length=255), nullable=False),
        sa.Column("event_id", sa.String(length=255), nullable=False),
        sa.Column("waiting_for", sa.String(length=200), nullable=False),
        sa.Column("event_type", sa.String(length=200), nullable=False),
        sa.Column("payload", sa.Text(), nullable=False),
        sa.Column("parked_at", UTCDateTime(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("source", "event_id", "waiting_for"),
    )
    with op.batch_alter_table("parked_event", schema=None) as batch_op:
        batch_op.create_index("ix_parked_event_waiting_for", ["waiting_for"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("parked_event", schema=None) as batch_op:
        batch_op.drop_index("ix_parked_event_waiting_for")

    op.drop_table("parked_event")
    with op.batch_alter_table("outbox_message", schema=None) as batch_op:
        batch_op.drop_index("ix_outbox_message_unpublished")

    op.drop_table("outbox_message")
    op.drop_table("inbox_record")
    with op.batch_alter_table("certificate_progress", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_certificate_progress_class_id"))

    op.drop_table("certificate_progress")
    op.drop_table("certificate_person")
    with op.batch_alter_table("certificate_hours_entry", schema=None) as batch_op:
        batch_op.drop_index("ix_certificate_hours_entry_learner")

    op.drop_table("certificate_hours_entry")
    with op.batch_alter_table("certificate_enrollment", schema=None) as batch_op:
        batch_op.drop_index("ix_certificate_enrollment_learner")

    op.drop_table("certificate_enrollment")
    op.drop_table("certificate_class")
    with op.batch_alter_table("certificate", schema=None) as batch_op:
        batch_op.drop_index(
            "uq_certificate_valid_per_learner",
            sqlite_where=sa.text("revoked_at IS NULL"),
            postgresql_where=sa.text("revoked_at IS NULL"),
        )
        batch_op.drop_index(batch_op.f("ix_certificate_person_id"))

    op.drop_table("certificate")

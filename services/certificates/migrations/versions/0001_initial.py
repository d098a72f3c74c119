"""The certificates service's tables, its inbox, outbox and parked events

Revision ID: 0001
Revises:
Create Date: 2026-11-26 01:47:11.664908
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
        sa.Column("required_hours", sa.Numeric(precision=6, scale=2), nullable=False),
        sa.Column("criteria", sa.String(length=500), nullable=False),
        sa.Column("starts_on", sa.Date(), nullable=False),
        sa.Column("ends_on", sa.Date(), nullable=False),
        sa.Column("issued_at", UTCDateTime(), nullable=False),
        sa.Column("revoked_at", UTCDateTime(), nullable=True),
        sa.Column("revocation_reason", sa.String(length=500), nullable=True),
        sa.Column("reinstated_at", UTCDateTime(), nullable=True),
        sa.Column("revision", sa.Integer(), nullable=False),
        sa.Column("ordinal", sa.Integer(), nullable=False),
        sa.Column("status_list", sa.String(length=32), nullable=False),
        sa.Column("status_index", sa.Integer(), nullable=False),
        sa.Column("changed_at", UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("certificate_number"),
        sa.UniqueConstraint("person_id", "class_id", "ordinal", name="uq_certificate_ordinal"),
        sa.UniqueConstraint("status_list", "status_index", name="uq_certificate_status_index"),
    )
    with op.batch_alter_table("certificate", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_certificate_class_id"), ["class_id"], unique=False)
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
        sa.Column("starts_on", sa.Date(), nullable=True),
        sa.Column("ends_on", sa.Date(), nullable=True),
        sa.Column("manager_ids", sa.JSON(), nullable=False),
        sa.Column("required_hours", sa.Numeric(precision=6, scale=2), nullable=False),
        sa.Column("max_absence_share", sa.Numeric(precision=5, scale=4), nullable=True),
        sa.Column("assessment_required", sa.Boolean(), nullable=False),
        sa.Column("survey_required", sa.Boolean(), nullable=False),
        sa.Column("reissue_after_revocation", sa.Boolean(), nullable=False),
        sa.Column("certificate", sa.Boolean(), nullable=False),
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
        sa.Column("class_id", sa.String(length=64), nullable=True),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("hours", sa.Numeric(precision=7, scale=2), nullable=False),
        sa.Column("replaced_by_entry_id", sa.String(length=64), nullable=True),
        sa.Column("channel", sa.String(length=64), nullable=True),
        sa.Column("category", sa.String(length=64), nullable=True),
        sa.Column("trained_on", sa.Date(), nullable=True),
        sa.PrimaryKeyConstraint("entry_id"),
    )
    with op.batch_alter_table("certificate_hours_entry", schema=None) as batch_op:
        batch_op.create_index("ix_certificate_hours_entry_learner", ["person_id", "class_id"], unique=False)
        batch_op.create_index("ix_certificate_hours_entry_year", ["person_id", "year"], unique=False)

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
        sa.Column("assessment_grade", sa.String(length=64), nullable=True),
        sa.Column("assessed_at", UTCDateTime(), nullable=True),
        sa.Column("survey_answered", sa.Boolean(), nullable=False),
        sa.PrimaryKeyConstraint("person_id", "class_id"),
    )
    with op.batch_alter_table("certificate_progress", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_certificate_progress_class_id"), ["class_id"], unique=False)

    op.create_table(
        "certificate_requirement_standing",
        sa.Column("person_id", sa.String(length=64), nullable=False),
        sa.Column("requirement", sa.String(length=100), nullable=False),
        sa.Column("window_start", sa.Date(), nullable=False),
        sa.Column("window_end", sa.Date(), nullable=True),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("required_hours", sa.Numeric(precision=8, scale=2), nullable=False),
        sa.Column("credited_hours", sa.Numeric(precision=8, scale=2), nullable=False),
        sa.Column("standing", sa.String(length=64), nullable=False),
        sa.Column("as_of", sa.Date(), nullable=False),
        sa.Column("revision", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("person_id", "requirement", "window_start"),
    )
    op.create_table(
        "certificate_session",
        sa.Column("session_id", sa.String(length=64), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("class_id", sa.String(length=64), nullable=False),
        sa.Column("starts_at", UTCDateTime(), nullable=False),
        sa.Column("hours", sa.Numeric(precision=6, scale=2), nullable=False),
        sa.Column("status", sa.String(length=64), nullable=False),
        sa.PrimaryKeyConstraint("session_id"),
    )
    with op.batch_alter_table("certificate_session", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_certificate_session_class_id"), ["class_id"], unique=False)

    op.create_table(
        "certificate_session_attendance",
        sa.Column("person_id", sa.String(length=64), nullable=False),
        sa.Column("session_id", sa.String(length=64), nullable=False),
        sa.Column("class_id", sa.String(length=64), nullable=False),
        sa.Column("status", sa.String(length=64), nullable=False),
        sa.Column("revision", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("person_id", "session_id"),
    )
    with op.batch_alter_table("certificate_session_attendance", schema=None) as batch_op:
        batch_op.create_index("ix_certificate_session_attendance_learner", ["person_id", "class_id"], unique=False)

    op.create_table(
        "hours_statement",
        sa.Column("statement_number", sa.String(length=32), nullable=False),
        sa.Column("person_id", sa.String(length=64), nullable=False),
        sa.Column("holder_name", sa.String(length=100), nullable=False),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("ordinal", sa.Integer(), nullable=False),
        sa.Column("by_channel", sa.JSON(), nullable=False),
        sa.Column("by_category", sa.JSON(), nullable=False),
        sa.Column("requirements", sa.JSON(), nullable=False),
        sa.Column("issued_at", UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("statement_number"),
        sa.UniqueConstraint("person_id", "year", "ordinal", name="uq_hours_statement_ordinal"),
    )
    with op.batch_alter_table("hours_statement", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_hours_statement_person_id"), ["person_id"], unique=False)

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
    with op.batch_alter_table("hours_statement", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_hours_statement_person_id"))

    op.drop_table("hours_statement")
    with op.batch_alter_table("certificate_session_attendance", schema=None) as batch_op:
        batch_op.drop_index("ix_certificate_session_attendance_learner")

    op.drop_table("certificate_session_attendance")
    with op.batch_alter_table("certificate_session", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_certificate_session_class_id"))

    op.drop_table("certificate_session")
    op.drop_table("certificate_requirement_standing")
    with op.batch_alter_table("certificate_progress", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_certificate_progress_class_id"))

    op.drop_table("certificate_progress")
    op.drop_table("certificate_person")
    with op.batch_alter_table("certificate_hours_entry", schema=None) as batch_op:
        batch_op.drop_index("ix_certificate_hours_entry_year")
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
        batch_op.drop_index(batch_op.f("ix_certificate_class_id"))

    op.drop_table("certificate")

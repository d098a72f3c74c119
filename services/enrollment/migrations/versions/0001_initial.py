"""The enrollment service's tables, its inbox, outbox and parked events

Revision ID: 0001
Revises:
Create Date: 2026-11-26 01:47:10.220364
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
        "course",
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("changed_at", UTCDateTime(), nullable=False),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("usual_hours", sa.Numeric(precision=6, scale=2), nullable=True),
        sa.Column("place", sa.String(length=200), nullable=True),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("course_id", sa.String(length=64), nullable=False),
        sa.Column("teaching_modes", sa.JSON(), nullable=False),
        sa.PrimaryKeyConstraint("course_id"),
    )
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
        "organisation",
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("changed_at", UTCDateTime(), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("valid_from", sa.Date(), nullable=False),
        sa.Column("valid_until", sa.Date(), nullable=True),
        sa.Column("org_id", sa.String(length=64), nullable=False),
        sa.Column("kind", sa.String(length=40), nullable=False),
        sa.Column("unit_kind", sa.String(length=40), nullable=True),
        sa.Column("parent_id", sa.String(length=64), nullable=True),
        sa.Column("unit_id", sa.String(length=64), nullable=True),
        sa.PrimaryKeyConstraint("org_id"),
    )
    with op.batch_alter_table("organisation", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_organisation_parent_id"), ["parent_id"], unique=False)

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

    op.create_table(
        "person",
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("changed_at", UTCDateTime(), nullable=False),
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("kind", sa.String(length=40), nullable=True),
        sa.Column("unit_id", sa.String(length=64), nullable=True),
        sa.Column("branch_id", sa.String(length=64), nullable=True),
        sa.Column("person_id", sa.String(length=64), nullable=False),
        sa.Column("statuses", sa.JSON(), nullable=False),
        sa.Column("positions", sa.JSON(), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.PrimaryKeyConstraint("person_id"),
    )
    with op.batch_alter_table("person", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_person_unit_id"), ["unit_id"], unique=False)

    op.create_table(
        "teacher",
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("changed_at", UTCDateTime(), nullable=False),
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("internal", sa.Boolean(), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("teacher_id", sa.String(length=64), nullable=False),
        sa.Column("subjects", sa.JSON(), nullable=False),
        sa.PrimaryKeyConstraint("teacher_id"),
    )
    op.create_table(
        "training_class",
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("changed_at", UTCDateTime(), nullable=False),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("category", sa.String(length=64), nullable=False),
        sa.Column("level", sa.String(length=64), nullable=True),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("starts_on", sa.Date(), nullable=True),
        sa.Column("ends_on", sa.Date(), nullable=True),
        sa.Column("delivery", sa.String(length=20), nullable=False),
        sa.Column("place", sa.String(length=200), nullable=True),
        sa.Column("capacity", sa.Integer(), nullable=True),
        sa.Column("organiser_id", sa.String(length=64), nullable=True),
        sa.Column("required_hours", sa.Numeric(precision=6, scale=2), nullable=False),
        sa.Column("max_absence_share", sa.Numeric(precision=5, scale=4), nullable=True),
        sa.Column("assessment_required", sa.Boolean(), nullable=False),
        sa.Column("survey_required", sa.Boolean(), nullable=False),
        sa.Column("reissue_after_revocation", sa.Boolean(), nullable=False),
        sa.Column("certificate", sa.Boolean(), nullable=True),
        sa.Column("crediting_rule", sa.String(length=64), nullable=True),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("class_id", sa.String(length=64), nullable=False),
        sa.Column("phases", sa.JSON(), nullable=False),
        sa.Column("manager_ids", sa.JSON(), nullable=False),
        sa.Column("unit_quotas", sa.JSON(), nullable=False),
        sa.PrimaryKeyConstraint("class_id"),
    )
    op.create_table(
        "class_group",
        sa.Column("group_id", sa.String(length=64), nullable=False),
        sa.Column("class_id", sa.String(length=64), nullable=False),
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("member_ids", sa.JSON(), nullable=False),
        sa.Column("leader_id", sa.String(length=64), nullable=True),
        sa.Column("changed_at", UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["class_id"],
            ["training_class.class_id"],
        ),
        sa.PrimaryKeyConstraint("group_id"),
        sa.UniqueConstraint("class_id", "name"),
    )
    with op.batch_alter_table("class_group", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_class_group_class_id"), ["class_id"], unique=False)

    op.create_table(
        "class_session",
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("changed_at", UTCDateTime(), nullable=False),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("teaching_mode", sa.String(length=40), nullable=False),
        sa.Column("course_id", sa.String(length=64), nullable=True),
        sa.Column("starts_at", UTCDateTime(), nullable=False),
        sa.Column("ends_at", UTCDateTime(), nullable=False),
        sa.Column("hours", sa.Numeric(precision=6, scale=2), nullable=False),
        sa.Column("place", sa.String(length=200), nullable=True),
        sa.Column("phase", sa.String(length=100), nullable=True),
        sa.Column("session_id", sa.String(length=64), nullable=False),
        sa.Column("class_id", sa.String(length=64), nullable=False),
        sa.Column("teacher_ids", sa.JSON(), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("cancel_reason", sa.String(length=500), nullable=True),
        sa.ForeignKeyConstraint(
            ["class_id"],
            ["training_class.class_id"],
        ),
        sa.PrimaryKeyConstraint("session_id"),
    )
    with op.batch_alter_table("class_session", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_class_session_class_id"), ["class_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_class_session_starts_at"), ["starts_at"], unique=False)

    op.create_table(
        "committee_seat",
        sa.Column("class_id", sa.String(length=64), nullable=False),
        sa.Column("role", sa.String(length=40), nullable=False),
        sa.Column("person_id", sa.String(length=64), nullable=False),
        sa.ForeignKeyConstraint(
            ["class_id"],
            ["training_class.class_id"],
        ),
        sa.ForeignKeyConstraint(
            ["person_id"],
            ["person.person_id"],
        ),
        sa.PrimaryKeyConstraint("class_id", "role"),
    )
    op.create_table(
        "duty_shift",
        sa.Column("class_id", sa.String(length=64), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("manager_id", sa.String(length=64), nullable=False),
        sa.ForeignKeyConstraint(
            ["class_id"],
            ["training_class.class_id"],
        ),
        sa.PrimaryKeyConstraint("class_id", "day", "manager_id"),
    )
    op.create_table(
        "enrollment",
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("changed_at", UTCDateTime(), nullable=False),
        sa.Column("enrollment_id", sa.String(length=64), nullable=False),
        sa.Column("class_id", sa.String(length=64), nullable=False),
        sa.Column("person_id", sa.String(length=64), nullable=False),
        sa.Column("route", sa.String(length=20), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("reason", sa.String(length=500), nullable=False),
        sa.Column("nominated_by", sa.String(length=64), nullable=True),
        sa.Column("eligibility_rule", sa.String(length=64), nullable=False),
        sa.Column("eligibility_reason", sa.String(length=1000), nullable=False),
        sa.Column("waitlisted_at", UTCDateTime(), nullable=True),
        sa.Column("transferred_from", sa.String(length=64), nullable=True),
        sa.Column("transferred_to", sa.String(length=64), nullable=True),
        sa.Column("enrolled_at", UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["class_id"],
            ["training_class.class_id"],
        ),
        sa.ForeignKeyConstraint(
            ["person_id"],
            ["person.person_id"],
        ),
        sa.PrimaryKeyConstraint("enrollment_id"),
        sa.UniqueConstraint("class_id", "person_id"),
    )
    with op.batch_alter_table("enrollment", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_enrollment_class_id"), ["class_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_enrollment_person_id"), ["person_id"], unique=False)

    op.create_table(
        "class_notice",
        sa.Column("notice_id", sa.String(length=64), nullable=False),
        sa.Column("class_id", sa.String(length=64), nullable=False),
        sa.Column("group_id", sa.String(length=64), nullable=True),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("body", sa.String(length=4000), nullable=False),
        sa.Column("posted_by", sa.String(length=128), nullable=False),
        sa.Column("posted_at", UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["class_id"],
            ["training_class.class_id"],
        ),
        sa.ForeignKeyConstraint(
            ["group_id"],
            ["class_group.group_id"],
        ),
        sa.PrimaryKeyConstraint("notice_id"),
    )
    with op.batch_alter_table("class_notice", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_class_notice_class_id"), ["class_id"], unique=False)

    op.create_table(
        "notice_read",
        sa.Column("notice_id", sa.String(length=64), nullable=False),
        sa.Column("person_id", sa.String(length=64), nullable=False),
        sa.Column("read_at", UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["notice_id"],
            ["class_notice.notice_id"],
        ),
        sa.PrimaryKeyConstraint("notice_id", "person_id"),
    )


def downgrade() -> None:
    op.drop_table("notice_read")
    with op.batch_alter_table("class_notice", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_class_notice_class_id"))

    op.drop_table("class_notice")
    with op.batch_alter_table("enrollment", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_enrollment_person_id"))
        batch_op.drop_index(batch_op.f("ix_enrollment_class_id"))

    op.drop_table("enrollment")
    op.drop_table("duty_shift")
    op.drop_table("committee_seat")
    with op.batch_alter_table("class_session", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_class_session_starts_at"))
        batch_op.drop_index(batch_op.f("ix_class_session_class_id"))

    op.drop_table("class_session")
    with op.batch_alter_table("class_group", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_class_group_class_id"))

    op.drop_table("class_group")
    op.drop_table("training_class")
    op.drop_table("teacher")
    with op.batch_alter_table("person", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_person_unit_id"))

    op.drop_table("person")
    with op.batch_alter_table("parked_event", schema=None) as batch_op:
        batch_op.drop_index("ix_parked_event_waiting_for")

    op.drop_table("parked_event")
    with op.batch_alter_table("outbox_message", schema=None) as batch_op:
        batch_op.drop_index("ix_outbox_message_unpublished")

    op.drop_table("outbox_message")
    with op.batch_alter_table("organisation", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_organisation_parent_id"))

    op.drop_table("organisation")
    op.drop_table("inbox_record")
    op.drop_table("course")

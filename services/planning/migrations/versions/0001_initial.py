"""The planning service's tables, its inbox, outbox and parked events

Revision ID: 0001
Revises:
Create Date: 2026-11-26 00:17:53.210969
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
        "annual_plan",
        sa.Column("plan_id", sa.String(length=64), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("classes", sa.JSON(), nullable=False),
        sa.Column("fed_by", sa.JSON(), nullable=False),
        sa.PrimaryKeyConstraint("plan_id"),
    )
    with op.batch_alter_table("annual_plan", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_annual_plan_year"), ["year"], unique=False)

    op.create_table(
        "class_budget",
        sa.Column("class_id", sa.String(length=64), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("standards", sa.String(length=64), nullable=False),
        sa.Column("learners", sa.Integer(), nullable=True),
        sa.Column("days", sa.Integer(), nullable=True),
        sa.Column("lines", sa.JSON(), nullable=False),
        sa.Column("notes", sa.JSON(), nullable=False),
        sa.PrimaryKeyConstraint("class_id"),
    )
    op.create_table(
        "cultivation_record",
        sa.Column("person_id", sa.String(length=64), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("activities", sa.JSON(), nullable=False),
        sa.Column("talks", sa.JSON(), nullable=False),
        sa.PrimaryKeyConstraint("person_id"),
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
        "officer_term",
        sa.Column("person_id", sa.String(length=64), nullable=False),
        sa.Column("position", sa.String(length=64), nullable=False),
        sa.Column("elected_on", sa.Date(), nullable=False),
        sa.Column("role", sa.String(length=64), nullable=False),
        sa.Column("level", sa.String(length=64), nullable=False),
        sa.Column("org_id", sa.String(length=64), nullable=True),
        sa.Column("unit_id", sa.String(length=64), nullable=True),
        sa.Column("outcome", sa.String(length=64), nullable=False),
        sa.Column("class_id", sa.String(length=64), nullable=True),
        sa.Column("rule", sa.String(length=64), nullable=False),
        sa.Column("reason", sa.String(length=1000), nullable=False),
        sa.Column("revision", sa.Integer(), nullable=False),
        sa.Column("decided_at", UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("person_id", "position", "elected_on"),
    )
    with op.batch_alter_table("officer_term", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_officer_term_class_id"), ["class_id"], unique=False)
        batch_op.create_index("ix_officer_term_outcome", ["outcome", "level"], unique=False)
        batch_op.create_index(batch_op.f("ix_officer_term_unit_id"), ["unit_id"], unique=False)

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
        "planning_announced",
        sa.Column("subject", sa.String(length=200), nullable=False),
        sa.Column("revision", sa.Integer(), nullable=False),
        sa.Column("digest", sa.String(length=64), nullable=False),
        sa.PrimaryKeyConstraint("subject"),
    )
    op.create_table(
        "planning_assessment",
        sa.Column("assessment_id", sa.String(length=64), nullable=False),
        sa.Column("class_id", sa.String(length=64), nullable=False),
        sa.Column("person_id", sa.String(length=64), nullable=False),
        sa.Column("passed", sa.Boolean(), nullable=False),
        sa.Column("grade", sa.String(length=64), nullable=True),
        sa.Column("assessed_at", UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("assessment_id"),
    )
    with op.batch_alter_table("planning_assessment", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_planning_assessment_class_id"), ["class_id"], unique=False)
        batch_op.create_index("ix_planning_assessment_learner", ["person_id", "class_id"], unique=False)

    op.create_table(
        "planning_certificate",
        sa.Column("certificate_number", sa.String(length=32), nullable=False),
        sa.Column("revision", sa.Integer(), nullable=False),
        sa.Column("person_id", sa.String(length=64), nullable=False),
        sa.Column("class_id", sa.String(length=64), nullable=False),
        sa.Column("valid", sa.Boolean(), nullable=False),
        sa.Column("changed_on", sa.Date(), nullable=False),
        sa.Column("hours", sa.Numeric(precision=7, scale=2), nullable=True),
        sa.PrimaryKeyConstraint("certificate_number"),
    )
    with op.batch_alter_table("planning_certificate", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_planning_certificate_class_id"), ["class_id"], unique=False)
        batch_op.create_index("ix_planning_certificate_learner", ["person_id", "class_id"], unique=False)

    op.create_table(
        "planning_class",
        sa.Column("class_id", sa.String(length=64), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("category", sa.String(length=64), nullable=False),
        sa.Column("level", sa.String(length=64), nullable=True),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("starts_on", sa.Date(), nullable=True),
        sa.Column("ends_on", sa.Date(), nullable=True),
        sa.Column("capacity", sa.Integer(), nullable=True),
        sa.Column("status", sa.String(length=64), nullable=False),
        sa.PrimaryKeyConstraint("class_id"),
    )
    with op.batch_alter_table("planning_class", schema=None) as batch_op:
        batch_op.create_index("ix_planning_class_group", ["category", "level"], unique=False)
        batch_op.create_index(batch_op.f("ix_planning_class_year"), ["year"], unique=False)

    op.create_table(
        "planning_credit",
        sa.Column("entry_id", sa.String(length=64), nullable=False),
        sa.Column("person_id", sa.String(length=64), nullable=False),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("hours", sa.Numeric(precision=7, scale=2), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("class_id", sa.String(length=64), nullable=True),
        sa.Column("category", sa.String(length=64), nullable=True),
        sa.Column("channel", sa.String(length=64), nullable=True),
        sa.Column("activity_id", sa.String(length=64), nullable=True),
        sa.Column("platform", sa.String(length=100), nullable=True),
        sa.PrimaryKeyConstraint("entry_id"),
    )
    with op.batch_alter_table("planning_credit", schema=None) as batch_op:
        batch_op.create_index("ix_planning_credit_class", ["class_id"], unique=False)
        batch_op.create_index("ix_planning_credit_person", ["person_id", "year"], unique=False)

    op.create_table(
        "planning_enrollment",
        sa.Column("enrollment_id", sa.String(length=64), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("class_id", sa.String(length=64), nullable=False),
        sa.Column("person_id", sa.String(length=64), nullable=False),
        sa.Column("status", sa.String(length=64), nullable=False),
        sa.PrimaryKeyConstraint("enrollment_id"),
    )
    with op.batch_alter_table("planning_enrollment", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_planning_enrollment_class_id"), ["class_id"], unique=False)
        batch_op.create_index("ix_planning_enrollment_learner", ["person_id", "class_id"], unique=False)

    op.create_table(
        "planning_organisation",
        sa.Column("org_id", sa.String(length=64), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=64), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("parent_id", sa.String(length=64), nullable=True),
        sa.PrimaryKeyConstraint("org_id"),
    )
    op.create_table(
        "planning_person",
        sa.Column("person_id", sa.String(length=64), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("unit_id", sa.String(length=64), nullable=True),
        sa.Column("branch_id", sa.String(length=64), nullable=True),
        sa.Column("statuses", sa.JSON(), nullable=False),
        sa.Column("positions", sa.JSON(), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.PrimaryKeyConstraint("person_id"),
    )
    with op.batch_alter_table("planning_person", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_planning_person_branch_id"), ["branch_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_planning_person_unit_id"), ["unit_id"], unique=False)

    op.create_table(
        "planning_reversal",
        sa.Column("entry_id", sa.String(length=64), nullable=False),
        sa.Column("person_id", sa.String(length=64), nullable=False),
        sa.Column("reverses_entry_id", sa.String(length=64), nullable=False),
        sa.Column("replaced_by_entry_id", sa.String(length=64), nullable=True),
        sa.PrimaryKeyConstraint("entry_id"),
    )
    with op.batch_alter_table("planning_reversal", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_planning_reversal_person_id"), ["person_id"], unique=False)

    op.create_table(
        "planning_session",
        sa.Column("session_id", sa.String(length=64), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("class_id", sa.String(length=64), nullable=False),
        sa.Column("starts_at", UTCDateTime(), nullable=False),
        sa.Column("status", sa.String(length=64), nullable=False),
        sa.PrimaryKeyConstraint("session_id"),
    )
    with op.batch_alter_table("planning_session", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_planning_session_class_id"), ["class_id"], unique=False)

    op.create_table(
        "planning_standing",
        sa.Column("person_id", sa.String(length=64), nullable=False),
        sa.Column("requirement", sa.String(length=100), nullable=False),
        sa.Column("window_start", sa.Date(), nullable=False),
        sa.Column("window_end", sa.Date(), nullable=True),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("required_hours", sa.Numeric(precision=9, scale=2), nullable=False),
        sa.Column("credited_hours", sa.Numeric(precision=9, scale=2), nullable=False),
        sa.Column("standing", sa.String(length=64), nullable=False),
        sa.Column("met_on", sa.Date(), nullable=True),
        sa.Column("as_of", sa.Date(), nullable=False),
        sa.PrimaryKeyConstraint("person_id", "requirement", "window_start"),
    )
    op.create_table(
        "planning_survey_answer",
        sa.Column("form_id", sa.String(length=64), nullable=False),
        sa.Column("person_id", sa.String(length=64), nullable=False),
        sa.Column("class_id", sa.String(length=64), nullable=True),
        sa.Column("purpose", sa.String(length=64), nullable=False),
        sa.Column("answered_at", UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("form_id", "person_id"),
    )
    op.create_table(
        "spending_standards",
        sa.Column("name", sa.String(length=64), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("changed_at", UTCDateTime(), nullable=False),
        sa.Column("standards", sa.JSON(), nullable=False),
        sa.PrimaryKeyConstraint("name"),
    )
    op.create_table(
        "task_nominee",
        sa.Column("person_id", sa.String(length=64), nullable=False),
        sa.Column("task_id", sa.String(length=64), nullable=False),
        sa.PrimaryKeyConstraint("person_id", "task_id"),
    )
    with op.batch_alter_table("task_nominee", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_task_nominee_task_id"), ["task_id"], unique=False)

    op.create_table(
        "training_task",
        sa.Column("task_id", sa.String(length=64), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("issuer", sa.String(length=64), nullable=False),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("quota", sa.Integer(), nullable=False),
        sa.Column("assigned_on", sa.Date(), nullable=False),
        sa.Column("deadline", sa.Date(), nullable=False),
        sa.Column("required_hours", sa.Numeric(precision=6, scale=2), nullable=False),
        sa.Column("counting", sa.JSON(), nullable=False),
        sa.Column("eligibility", sa.JSON(), nullable=False),
        sa.Column("nominees", sa.JSON(), nullable=False),
        sa.PrimaryKeyConstraint("task_id"),
    )


def downgrade() -> None:
    op.drop_table("training_task")
    with op.batch_alter_table("task_nominee", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_task_nominee_task_id"))

    op.drop_table("task_nominee")
    op.drop_table("spending_standards")
    op.drop_table("planning_survey_answer")
    op.drop_table("planning_standing")
    with op.batch_alter_table("planning_session", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_planning_session_class_id"))

    op.drop_table("planning_session")
    with op.batch_alter_table("planning_reversal", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_planning_reversal_person_id"))

    op.drop_table("planning_reversal")
    with op.batch_alter_table("planning_person", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_planning_person_unit_id"))
        batch_op.drop_index(batch_op.f("ix_planning_person_branch_id"))

    op.drop_table("planning_person")
    op.drop_table("planning_organisation")
    with op.batch_alter_table("planning_enrollment", schema=None) as batch_op:
        batch_op.drop_index("ix_planning_enrollment_learner")
        batch_op.drop_index(batch_op.f("ix_planning_enrollment_class_id"))

    op.drop_table("planning_enrollment")
    with op.batch_alter_table("planning_credit", schema=None) as batch_op:
        batch_op.drop_index("ix_planning_credit_person")
        batch_op.drop_index("ix_planning_credit_class")

    op.drop_table("planning_credit")
    with op.batch_alter_table("planning_class", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_planning_class_year"))
        batch_op.drop_index("ix_planning_class_group")

    op.drop_table("planning_class")
    with op.batch_alter_table("planning_certificate", schema=None) as batch_op:
        batch_op.drop_index("ix_planning_certificate_learner")
        batch_op.drop_index(batch_op.f("ix_planning_certificate_class_id"))

    op.drop_table("planning_certificate")
    with op.batch_alter_table("planning_assessment", schema=None) as batch_op:
        batch_op.drop_index("ix_planning_assessment_learner")
        batch_op.drop_index(batch_op.f("ix_planning_assessment_class_id"))

    op.drop_table("planning_assessment")
    op.drop_table("planning_announced")
    with op.batch_alter_table("parked_event", schema=None) as batch_op:
        batch_op.drop_index("ix_parked_event_waiting_for")

    op.drop_table("parked_event")
    with op.batch_alter_table("outbox_message", schema=None) as batch_op:
        batch_op.drop_index("ix_outbox_message_unpublished")

    op.drop_table("outbox_message")
    with op.batch_alter_table("officer_term", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_officer_term_unit_id"))
        batch_op.drop_index("ix_officer_term_outcome")
        batch_op.drop_index(batch_op.f("ix_officer_term_class_id"))

    op.drop_table("officer_term")
    op.drop_table("inbox_record")
    op.drop_table("cultivation_record")
    op.drop_table("class_budget")
    with op.batch_alter_table("annual_plan", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_annual_plan_year"))

    op.drop_table("annual_plan")

"""The evaluation service's tables, its inbox, outbox and parked events

Revision ID: 0001
Revises:
Create Date: 2026-11-25 23:28:10.784779
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
        "assessment",
        sa.Column("assessment_id", sa.String(length=64), nullable=False),
        sa.Column("class_id", sa.String(length=64), nullable=False),
        sa.Column("person_id", sa.String(length=64), nullable=False),
        sa.Column("passed", sa.Boolean(), nullable=False),
        sa.Column("score", sa.Numeric(precision=5, scale=2), nullable=True),
        sa.Column("grade", sa.String(length=16), nullable=False),
        sa.Column("rule", sa.String(length=64), nullable=False),
        sa.Column("reason", sa.String(length=1000), nullable=False),
        sa.Column("comment", sa.String(length=1000), nullable=True),
        sa.Column("assessed_by", sa.String(length=200), nullable=False),
        sa.Column("assessed_at", UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("assessment_id"),
    )
    with op.batch_alter_table("assessment", schema=None) as batch_op:
        batch_op.create_index("ix_assessment_class_person", ["class_id", "person_id", "assessed_at"], unique=False)

    op.create_table(
        "evaluation_class",
        sa.Column("class_id", sa.String(length=64), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("category", sa.String(length=64), nullable=False),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("manager_ids", sa.JSON(), nullable=False),
        sa.Column("status", sa.String(length=64), nullable=False),
        sa.PrimaryKeyConstraint("class_id"),
    )
    op.create_table(
        "evaluation_command",
        sa.Column("command_id", sa.String(length=64), nullable=False),
        sa.Column("kind", sa.String(length=32), nullable=False),
        sa.Column("class_id", sa.String(length=64), nullable=False),
        sa.Column("person_id", sa.String(length=64), nullable=True),
        sa.Column("submitted_by", sa.String(length=200), nullable=False),
        sa.Column("submitted_at", UTCDateTime(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("waiting_for", sa.JSON(), nullable=False),
        sa.Column("detail", sa.String(length=1000), nullable=False),
        sa.Column("result_id", sa.String(length=64), nullable=True),
        sa.PrimaryKeyConstraint("command_id"),
    )
    op.create_table(
        "evaluation_course",
        sa.Column("course_id", sa.String(length=64), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.PrimaryKeyConstraint("course_id"),
    )
    op.create_table(
        "evaluation_enrollment",
        sa.Column("enrollment_id", sa.String(length=64), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("class_id", sa.String(length=64), nullable=False),
        sa.Column("person_id", sa.String(length=64), nullable=False),
        sa.Column("status", sa.String(length=64), nullable=False),
        sa.PrimaryKeyConstraint("enrollment_id"),
    )
    with op.batch_alter_table("evaluation_enrollment", schema=None) as batch_op:
        batch_op.create_index("ix_evaluation_enrollment_learner", ["class_id", "person_id"], unique=False)

    op.create_table(
        "evaluation_form",
        sa.Column("form_id", sa.String(length=64), nullable=False),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("purpose", sa.String(length=32), nullable=False),
        sa.Column("template_id", sa.String(length=64), nullable=False),
        sa.Column("template_version", sa.Integer(), nullable=False),
        sa.Column("opens_at", UTCDateTime(), nullable=False),
        sa.Column("closes_at", UTCDateTime(), nullable=False),
        sa.Column("anonymous", sa.Boolean(), nullable=False),
        sa.Column("training_group", sa.String(length=64), nullable=False),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("class_id", sa.String(length=64), nullable=True),
        sa.Column("session_id", sa.String(length=64), nullable=True),
        sa.Column("teacher_id", sa.String(length=64), nullable=True),
        sa.Column("course", sa.String(length=64), nullable=True),
        sa.Column("created_by", sa.String(length=200), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("form_id"),
    )
    with op.batch_alter_table("evaluation_form", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_evaluation_form_class_id"), ["class_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_evaluation_form_teacher_id"), ["teacher_id"], unique=False)

    op.create_table(
        "evaluation_scheme",
        sa.Column("class_id", sa.String(length=64), nullable=False),
        sa.Column("definition", sa.JSON(), nullable=False),
        sa.Column("set_by", sa.String(length=200), nullable=False),
        sa.Column("set_at", UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("class_id"),
    )
    op.create_table(
        "evaluation_session",
        sa.Column("session_id", sa.String(length=64), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("class_id", sa.String(length=64), nullable=False),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("teaching_mode", sa.String(length=64), nullable=False),
        sa.Column("course_id", sa.String(length=64), nullable=True),
        sa.Column("teacher_ids", sa.JSON(), nullable=False),
        sa.Column("status", sa.String(length=64), nullable=False),
        sa.PrimaryKeyConstraint("session_id"),
    )
    with op.batch_alter_table("evaluation_session", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_evaluation_session_class_id"), ["class_id"], unique=False)

    op.create_table(
        "evaluation_teacher",
        sa.Column("teacher_id", sa.String(length=64), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("internal", sa.Boolean(), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.PrimaryKeyConstraint("teacher_id"),
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
        "questionnaire_template",
        sa.Column("template_id", sa.String(length=64), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("sections", sa.JSON(), nullable=False),
        sa.Column("created_by", sa.String(length=200), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("template_id", "version"),
    )
    op.create_table(
        "score_sheet",
        sa.Column("sheet_id", sa.String(length=64), nullable=False),
        sa.Column("class_id", sa.String(length=64), nullable=False),
        sa.Column("person_id", sa.String(length=64), nullable=True),
        sa.Column("party", sa.String(length=32), nullable=False),
        sa.Column("scorer_id", sa.String(length=200), nullable=False),
        sa.Column("scores", sa.JSON(), nullable=False),
        sa.Column("comment", sa.String(length=1000), nullable=True),
        sa.Column("scored_at", UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("sheet_id"),
    )
    with op.batch_alter_table("score_sheet", schema=None) as batch_op:
        batch_op.create_index("ix_score_sheet_class_learner", ["class_id", "person_id"], unique=False)

    op.create_table(
        "survey_participation",
        sa.Column("form_id", sa.String(length=64), nullable=False),
        sa.Column("person_id", sa.String(length=64), nullable=False),
        sa.Column("answered_at", UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("form_id", "person_id"),
    )
    op.create_table(
        "survey_response",
        sa.Column("response_id", sa.String(length=64), nullable=False),
        sa.Column("form_id", sa.String(length=64), nullable=False),
        sa.Column("answers", sa.JSON(), nullable=False),
        sa.Column("respondent_id", sa.String(length=64), nullable=True),
        sa.Column("receipt_digest", sa.String(length=64), nullable=True),
        sa.PrimaryKeyConstraint("response_id"),
    )
    with op.batch_alter_table("survey_response", schema=None) as batch_op:
        batch_op.create_index("ix_survey_response_receipt", ["form_id", "receipt_digest"], unique=False)
        batch_op.create_index("ix_survey_response_respondent", ["form_id", "respondent_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("survey_response", schema=None) as batch_op:
        batch_op.drop_index("ix_survey_response_respondent")
        batch_op.drop_index("ix_survey_response_receipt")

    op.drop_table("survey_response")
    op.drop_table("survey_participation")
    with op.batch_alter_table("score_sheet", schema=None) as batch_op:
        batch_op.drop_index("ix_score_sheet_class_learner")

    op.drop_table("score_sheet")
    op.drop_table("questionnaire_template")
    with op.batch_alter_table("parked_event", schema=None) as batch_op:
        batch_op.drop_index("ix_parked_event_waiting_for")

    op.drop_table("parked_event")
    with op.batch_alter_table("outbox_message", schema=None) as batch_op:
        batch_op.drop_index("ix_outbox_message_unpublished")

    op.drop_table("outbox_message")
    op.drop_table("inbox_record")
    op.drop_table("evaluation_teacher")
    with op.batch_alter_table("evaluation_session", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_evaluation_session_class_id"))

    op.drop_table("evaluation_session")
    op.drop_table("evaluation_scheme")
    with op.batch_alter_table("evaluation_form", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_evaluation_form_teacher_id"))
        batch_op.drop_index(batch_op.f("ix_evaluation_form_class_id"))

    op.drop_table("evaluation_form")
    with op.batch_alter_table("evaluation_enrollment", schema=None) as batch_op:
        batch_op.drop_index("ix_evaluation_enrollment_learner")

    op.drop_table("evaluation_enrollment")
    op.drop_table("evaluation_course")
    op.drop_table("evaluation_command")
    op.drop_table("evaluation_class")
    with op.batch_alter_table("assessment", schema=None) as batch_op:
        batch_op.drop_index("ix_assessment_class_person")

    op.drop_table("assessment")

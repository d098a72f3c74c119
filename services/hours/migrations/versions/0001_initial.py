"""Copies of classes, sessions and persons; attendance, voids, parked attendance; the 学时 ledger; ingest
receipts; outbox and inbox.

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
        "hours_class",
        sa.Column("class_id", sa.String(64), primary_key=True),
        sa.Column("title", sa.String(200), nullable=False),
        sa.Column("year", sa.Integer, nullable=False),
        sa.Column("required_hours", sa.Numeric(6, 2), nullable=False),
    )
    op.create_table(
        "hours_session",
        sa.Column("session_id", sa.String(64), primary_key=True),
        sa.Column("class_id", sa.String(64), nullable=False, index=True),
        sa.Column("starts_at", UTCDateTime, nullable=False),
        sa.Column("duration_minutes", sa.Integer, nullable=False),
        sa.Column("hours", sa.Numeric(6, 2), nullable=False),
        sa.Column("year", sa.Integer, nullable=False),
    )
    op.create_table(
        "hours_person",
        sa.Column("person_id", sa.String(64), primary_key=True),
        sa.Column("name", sa.String(100), nullable=False),
    )
    op.create_table(
        "attendance",
        sa.Column("source", sa.String(255), primary_key=True),
        sa.Column("event_id", sa.String(255), primary_key=True),
        sa.Column("person_id", sa.String(64), sa.ForeignKey("hours_person.person_id"), nullable=False),
        sa.Column("item", sa.String(300), nullable=False),
        sa.Column("session_id", sa.String(64), sa.ForeignKey("hours_session.session_id"), nullable=True),
        sa.Column("activity_id", sa.String(64), nullable=True),
        sa.Column("activity_platform", sa.String(100), nullable=True),
        sa.Column("class_id", sa.String(64), nullable=True),
        sa.Column("year", sa.Integer, nullable=False),
        sa.Column("status", sa.String(20), nullable=False),
        sa.Column("channel", sa.String(10), nullable=False),
        sa.Column("minutes", sa.Integer, nullable=True),
        sa.Column("reported_hours", sa.Numeric(4, 2), nullable=True),
        sa.Column("occurred_at", UTCDateTime, nullable=False),
        sa.Column("credit_hours", sa.Numeric(6, 2), nullable=False),
        sa.Column("rule", sa.String(64), nullable=False),
        sa.Column("reason", sa.Text, nullable=False),
        sa.Column("received_at", UTCDateTime, nullable=False),
    )
    op.create_index("ix_attendance_person_item", "attendance", ["person_id", "item"])
    op.create_table(
        "attendance_void",
        sa.Column("voided_source", sa.String(255), primary_key=True),
        sa.Column("voided_event_id", sa.String(255), primary_key=True),
        sa.Column("void_source", sa.String(255), nullable=False),
        sa.Column("void_event_id", sa.String(255), nullable=False),
        sa.Column("reason", sa.Text, nullable=False),
        sa.Column("recorded_at", UTCDateTime, nullable=False),
    )
    op.create_table(
        "parked_attendance",
        sa.Column("source", sa.String(255), primary_key=True),
        sa.Column("event_id", sa.String(255), primary_key=True),
        sa.Column("person_id", sa.String(64), nullable=False, index=True),
        sa.Column("session_id", sa.String(64), nullable=True, index=True),
        sa.Column("event_json", sa.Text, nullable=False),
        sa.Column("parked_at", UTCDateTime, nullable=False),
    )
    op.create_table(
        "ledger_entry",
        sa.Column("entry_id", sa.String(64), primary_key=True),
        sa.Column("person_id", sa.String(64), nullable=False),
        sa.Column("year", sa.Integer, nullable=False),
        sa.Column("kind", sa.String(10), nullable=False),
        sa.Column("hours", sa.Numeric(6, 2), nullable=False),
        sa.Column("item", sa.String(300), nullable=False),
        sa.Column("class_id", sa.String(64), nullable=True),
        sa.Column("session_id", sa.String(64), nullable=True),
        sa.Column("activity_id", sa.String(64), nullable=True),
        sa.Column("rule", sa.String(64), nullable=True),
        sa.Column("reason", sa.Text, nullable=False),
        sa.Column("attendance_source", sa.String(255), nullable=False),
        sa.Column("attendance_event_id", sa.String(255), nullable=False),
        sa.Column(
            "reverses_entry_id", sa.String(64), sa.ForeignKey("ledger_entry.entry_id"), nullable=True, unique=True
        ),
        sa.Column("recorded_at", UTCDateTime, nullable=False),
        sa.ForeignKeyConstraint(
            ["attendance_source", "attendance_event_id"], ["attendance.source", "attendance.event_id"]
        ),
    )
    op.create_index("ix_ledger_entry_person_year", "ledger_entry", ["person_id", "year"])
    op.create_index("ix_ledger_entry_person_item", "ledger_entry", ["person_id", "item"])
    op.create_table(
        "ingest_receipt",
        sa.Column("source", sa.String(255), primary_key=True),
        sa.Column("event_id", sa.String(255), primary_key=True),
        sa.Column("event_type", sa.String(200), nullable=False),
        sa.Column("digest", sa.String(64), nullable=False),
        sa.Column("received_by", sa.String(255), nullable=False),
        sa.Column("received_at", UTCDateTime, nullable=False),
    )
    create_messaging_tables()


def downgrade() -> None:
    for table in (
        "inbox_record",
        "outbox_message",
        "ingest_receipt",
        "ledger_entry",
        "parked_attendance",
        "attendance_void",
        "attendance",
        "hours_person",
        "hours_session",
        "hours_class",
    ):
        op.drop_table(table)

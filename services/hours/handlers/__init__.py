"""How the 学时 (training hour) ledger changes, one module per concern: the register's facts it projects
(``projections``), attendance into the ledger (``attendance``), and the HTTP door (``ingest``).

Handlers work in the caller's unit of work and never commit: the consumer, or the HTTP route, commits the effect,
the inbox records and the outbox rows together.
"""

from __future__ import annotations

from services.hours.handlers.attendance import record_attendance, void_attendance
from services.hours.handlers.projections import PROJECTIONS
from shared.consumer import EventHandlers
from shared.events.contracts.attendance import AttendanceRecorded, AttendanceVoided

handlers = EventHandlers()
PROJECTIONS.install(handlers)
handlers.on_batch(AttendanceRecorded)(record_attendance)
handlers.on_batch(AttendanceVoided)(void_attendance)

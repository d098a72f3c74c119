"""How planning changes, one module per concern: the register's facts it keeps (``register``), facts from the
ledger, evaluation and certificates (``facts``), the office's records (``office``, and the commands that write them:
``plans``, ``tasks``, ``cultivation``, ``budgets``), new officers into training (``officers``), and what it
announces as facts change (``announcements``).

Handlers work in the caller's unit of work and never commit: the consumer, or the HTTP route, commits the effect,
the inbox records and the outbox rows together.
"""

from __future__ import annotations

from services.planning.handlers import facts
from services.planning.handlers.office import OFFICE_RECORDS
from services.planning.handlers.register import REGISTER
from shared.consumer import EventHandlers

handlers = EventHandlers()
REGISTER.install(handlers)
OFFICE_RECORDS.install(handlers)
facts.install(handlers)

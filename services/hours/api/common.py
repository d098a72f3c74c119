"""What the hours routes share: the service's own settings and rules, today in Beijing, the principal."""

from __future__ import annotations

from datetime import date
from typing import Annotated

from fastapi import Depends, Query

from services.hours.configuration import HoursRules, rules_of
from services.hours.domain.ledger import ledger_day
from services.hours.settings import Settings
from shared.api import WrittenDay
from shared.auth import Principal, current_principal
from shared.db import utcnow
from shared.service import ServiceRuntime

Viewer = Annotated[Principal, Depends(current_principal)]
AsOf = Annotated[WrittenDay | None, Query(description="the end of this day (Beijing time), YYYY-MM-DD; default: today")]


def settings_of(runtime: ServiceRuntime) -> Settings:
    settings = runtime.settings
    assert isinstance(settings, Settings)  # the hours service is defined with its own settings
    return settings


def rules(runtime: ServiceRuntime) -> HoursRules:
    return rules_of(settings_of(runtime))


def today() -> date:
    return ledger_day(utcnow())

from __future__ import annotations

import json
from pathlib import Path
from typing import Self

from pydantic import PrivateAttr, model_validator

from services.enrollment.domain.eligibility import ELIGIBILITY_V1, EligibilityPolicy, policy_from_data
from shared.settings import ServiceSettings


class Settings(ServiceSettings):
    service_name: str = "enrollment"
    http_port: int = 8001
    # Who may join which category of class: eligibility/v1 (services/enrollment/domain/eligibility.py) unless a
    # JSON file gives a policy of its own, with a new versioned name (read once, at start; a bad file stops it).
    eligibility_policy_file: Path | None = None
    _eligibility_policy: EligibilityPolicy = PrivateAttr(default=ELIGIBILITY_V1)

    @model_validator(mode="after")
    def _read_the_eligibility_policy(self) -> Self:
        if self.eligibility_policy_file is not None:
            try:
                data = json.loads(self.eligibility_policy_file.read_text(encoding="utf-8"))
                self._eligibility_policy = policy_from_data(data)
            except (OSError, ValueError) as error:  # a policy's errors and JSON's are ValueErrors
                raise ValueError(f"eligibility policy {self.eligibility_policy_file}: {error}") from error
        return self

    @property
    def eligibility_policy(self) -> EligibilityPolicy:
        return self._eligibility_policy

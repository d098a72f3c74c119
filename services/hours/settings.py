from __future__ import annotations

from pathlib import Path

from pydantic import SecretStr, model_validator

from shared.settings import ServiceSettings

# Refused in production (see below); only signs check-in codes in development and tests.
DEVELOPMENT_CHECK_IN_SECRET = "dangxiao-development-check-in-secret"  # noqa: S105
MIN_CHECK_IN_SECRET_LENGTH = 32


class Settings(ServiceSettings):
    service_name: str = "hours"
    http_port: int = 8002
    # The 学时 crediting rulebook and the requirements, as TOML files (see domain/rules.py and
    # domain/requirements.py); unset: the built-in ones.
    rulebook_file: Path | None = None
    requirements_file: Path | None = None
    # Signs the rotating check-in codes (HMAC-SHA256): whoever knows it can compute every session's codes.
    check_in_secret: SecretStr | None = None
    # How often the service checks whether yesterday's review of requirements (pace, out of reach) is due.
    review_check_seconds: float = 300.0

    @model_validator(mode="after")
    def _no_default_check_in_secret_in_production(self) -> Settings:
        secret = self.check_in_secret.get_secret_value() if self.check_in_secret else None
        if self.environment != "production":
            if secret is None:
                self.check_in_secret = SecretStr(DEVELOPMENT_CHECK_IN_SECRET)
            return self
        if secret is None or len(secret) < MIN_CHECK_IN_SECRET_LENGTH or secret == DEVELOPMENT_CHECK_IN_SECRET:
            raise ValueError(
                f"DANGXIAO_CHECK_IN_SECRET must be set to a private value of {MIN_CHECK_IN_SECRET_LENGTH}+ characters "
                "in production"
            )
        return self

    @property
    def check_in_key(self) -> bytes:
        assert self.check_in_secret is not None  # supplied outside production, required in it
        return self.check_in_secret.get_secret_value().encode()

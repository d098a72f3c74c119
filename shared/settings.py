"""Settings every service reads from the environment (prefix ``DANGXIAO_``).

Each service subclasses :class:`ServiceSettings` only to name itself and its port; everything else is
the same knob in every service so that deployment files stay uniform.
"""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from pydantic import Field, SecretStr, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

# Refused in production (see below); only signs local development and test tokens.
DEVELOPMENT_JWT_SECRET = "dangxiao-development-only-secret-change-me"  # noqa: S105

Environment = Literal["development", "test", "production"]


class ServiceSettings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="DANGXIAO_", extra="ignore")

    service_name: str = "dangxiao"
    environment: Environment = "development"
    http_host: str = "127.0.0.1"
    http_port: int = 8000
    # Empty means the embedded default: a SQLite file under data_dir.
    database_url: str = ""
    data_dir: Path = Path(".data")
    kafka_bootstrap_servers: str = "127.0.0.1:9092"
    # Consumers of one service share one group, so two instances split the partitions.
    kafka_group_id: str = ""
    attendance_topic: str = "dangxiao.attendance.v1"
    # Of topics the project creates (`python -m services.<name> topics`, and at start when the cluster lacks them):
    # partitions bound how many instances of a service share the work; replication 3 on a real cluster, so that
    # acks=all means something.
    kafka_partitions: int = Field(default=6, ge=1, le=1000)
    kafka_replication_factor: int = Field(default=1, ge=1)
    # Request bodies over this are refused with 413 before anything reads them.
    max_request_bytes: int = Field(default=8 * 1024 * 1024, ge=1024)
    # Records a consumer takes per poll and applies in one transaction.
    consumer_batch_size: int = Field(default=1000, ge=1, le=10000)
    log_level: str = "INFO"
    # Bearer tokens: HS256 with a shared secret locally; RS256/ES256 with the SSO's public key in production.
    jwt_algorithm: Literal["HS256", "RS256", "ES256"] = "HS256"
    jwt_secret: SecretStr | None = None
    jwt_public_key: str | None = None
    jwt_issuer: str = "dangxiao"
    jwt_audience: str = "dangxiao"
    # How often a failing event is tried before it is dead-lettered. An outage of the database or network
    # is waited out instead (never dead-lettered); past the patience the record is left for redelivery.
    max_delivery_attempts: int = 5
    outage_patience_seconds: float = 60.0
    outbox_poll_seconds: float = 0.5
    # Outbox rows the relay publishes per round (and marks sent in one statement).
    outbox_batch_size: int = Field(default=1000, ge=1, le=10000)
    # Off where a separate step migrates (docker compose); on for the embedded default.
    migrate_on_start: bool = True
    # Off holds committed events in the outbox (maintenance of the broker; crash-safety tests).
    outbox_relay_enabled: bool = True

    @model_validator(mode="after")
    def _no_default_secrets_in_production(self) -> ServiceSettings:
        if self.environment != "production":
            if self.jwt_algorithm == "HS256" and self.jwt_secret is None:
                self.jwt_secret = SecretStr(DEVELOPMENT_JWT_SECRET)
            return self
        if not self.database_url:
            raise ValueError("DANGXIAO_DATABASE_URL must be set in production")
        if self.jwt_algorithm == "HS256":
            secret = self.jwt_secret.get_secret_value() if self.jwt_secret else ""
            if len(secret) < 32 or secret == DEVELOPMENT_JWT_SECRET:
                raise ValueError("DANGXIAO_JWT_SECRET must be set to a private value of 32+ characters in production")
        elif not self.jwt_public_key:
            raise ValueError(f"DANGXIAO_JWT_PUBLIC_KEY must be set for {self.jwt_algorithm} in production")
        return self

    @property
    def resolved_database_url(self) -> str:
        return self.database_url or f"sqlite:///{self.data_dir / (self.service_name + '.db')}"

    @property
    def consumer_group(self) -> str:
        return self.kafka_group_id or f"dangxiao-{self.service_name}"

"""The certificates service's settings: besides every service's, the secret its numbers derive from, the key that
signs its credentials, where it is published, the school it speaks for, and the font its PDFs are set in."""

from __future__ import annotations

from pathlib import Path

from pydantic import SecretStr, model_validator

from services.certificates.domain.numbers import MIN_SECRET_BYTES
from shared.settings import ServiceSettings

# Refused in production (see below); only derives numbers (and the development signing key) locally and in tests.
DEVELOPMENT_CERTIFICATE_SECRET = "dangxiao-development-only-certificate-secret-change-me"  # noqa: S105


class Settings(ServiceSettings):
    service_name: str = "certificates"
    http_port: int = 8004
    # The secret certificate and statement numbers, recipient salts and status-list places derive from (HMAC):
    # at least 32 bytes. The same secret must be kept for ever, or a rebuild derives other numbers.
    certificate_secret: SecretStr | None = None
    # The school's Ed25519 signing key (PKCS#8 PEM, `openssl genpkey -algorithm ed25519`) and its id in the DID
    # document. Outside production a development key derived from the secret stands in when none is given.
    certificate_signing_key_file: Path | None = None
    certificate_signing_key_id: str = "key-1"
    # Where the service is reached from outside: verification links, credential ids and the did:web derive from it.
    public_base_url: str = ""
    school_name: str = "中共上海开放大学委员会党校"
    school_url: str = "https://www.sou.edu.cn"
    # LXGW WenKai, from Debian's fonts-lxgw-wenkai.
    certificate_font_dir: Path = Path("/usr/share/fonts/truetype/lxgw-wenkai")

    @model_validator(mode="after")
    def _certificate_secrets_in_production(self) -> Settings:
        if self.environment != "production":
            if self.certificate_secret is None:
                self.certificate_secret = SecretStr(DEVELOPMENT_CERTIFICATE_SECRET)
            if not self.public_base_url:
                self.public_base_url = f"http://{self.http_host}:{self.http_port}"
            return self
        secret = self.certificate_secret.get_secret_value() if self.certificate_secret else ""
        if len(secret.encode()) < MIN_SECRET_BYTES or secret == DEVELOPMENT_CERTIFICATE_SECRET:
            raise ValueError(
                f"DANGXIAO_CERTIFICATE_SECRET must be set to a private value of {MIN_SECRET_BYTES}+ bytes in production"
            )
        if self.certificate_signing_key_file is None:
            raise ValueError("DANGXIAO_CERTIFICATE_SIGNING_KEY_FILE must name the school's Ed25519 key in production")
        if not self.public_base_url.startswith("https://"):
            raise ValueError("DANGXIAO_PUBLIC_BASE_URL must be the service's https:// address in production")
        return self

    @property
    def secret_bytes(self) -> bytes:
        assert self.certificate_secret is not None  # supplied outside production, required in it
        return self.certificate_secret.get_secret_value().encode()

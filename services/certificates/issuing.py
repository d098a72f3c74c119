"""What the certificates service issues with, read once from its settings: the secret numbers derive from, the
school's signing key, its did:web and public links, and the font of its PDFs."""

from __future__ import annotations

import hashlib
import hmac
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from urllib.parse import urlsplit

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from services.certificates.credentials.keys import IssuerKey, did_web, verification_method
from services.certificates.credentials.open_badge import PublicLinks, School
from services.certificates.documents.fonts import CertificateFont
from services.certificates.settings import Settings

DEVELOPMENT_KEY_ID = "development-key"


@dataclass(frozen=True)
class Issuing:
    secret: bytes
    key: IssuerKey
    school: School
    links: PublicLinks
    font_dir: Path

    @property
    def cautions(self) -> tuple[str, ...]:
        if self.key.key_id == DEVELOPMENT_KEY_ID:
            return ("no signing key configured: signing with a development key derived from the secret",)
        return ()

    @classmethod
    def from_settings(cls, settings: Settings) -> Issuing:
        secret = settings.secret_bytes
        if settings.certificate_signing_key_file is not None:
            key = IssuerKey.from_pem(
                settings.certificate_signing_key_id, settings.certificate_signing_key_file.read_bytes()
            )
        else:
            # Outside production only (the settings refuse it there): a key derived from the secret, so that
            # credentials keep verifying across restarts of a development or test deployment.
            seed = hmac.new(secret, b"development-signing-key", hashlib.sha256).digest()
            key = IssuerKey(DEVELOPMENT_KEY_ID, Ed25519PrivateKey.from_private_bytes(seed))
        base_url = settings.public_base_url.rstrip("/")
        school = School(did_web(urlsplit(base_url).netloc), settings.school_name, settings.school_url)
        return cls(secret, key, school, PublicLinks(base_url), settings.certificate_font_dir)

    @property
    def verification_method(self) -> str:
        return verification_method(self.school.did, self.key.key_id)

    @cached_property
    def font(self) -> CertificateFont:
        """Found when a PDF is first made, so that a service without the font still verifies and signs."""
        return CertificateFont.find(self.font_dir)

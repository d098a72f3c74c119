"""The school's signing keys and their publication: a did:web DID document and a JWKS.

The school is identified by ``did:web:<host>``; verifiers resolve it to ``https://<host>/.well-known/did.json``
and find there every key that ever signed a credential, the current one and those retired, so that a credential
signed before a key rotation still verifies.
"""

from __future__ import annotations

import base64
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat, load_pem_private_key

from services.certificates.credentials import CredentialError

DID_CONTEXTS = ["https://www.w3.org/ns/did/v1", "https://w3id.org/security/multikey/v1"]
# Multicodec prefix of an Ed25519 public key (0xed, as an unsigned varint), as Multikey wants it.
_ED25519_PUBLIC_KEY_CODEC = b"\xed\x01"
_BASE58_ALPHABET = "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz"

JsonObject = dict[str, Any]


def did_web(host: str) -> str:
    """The did:web of a host, e.g. ``did:web:dangxiao.example.edu``; a port is percent-encoded (``%3A8004``)."""
    if not host or "/" in host:
        raise CredentialError(f"did:web needs a bare host name (with an optional port), got {host!r}")
    return f"did:web:{quote(host, safe='')}"


@dataclass(frozen=True)
class PublicKey:
    """A public key verifiers can find under ``{did}#{key_id}``."""

    key_id: str  # the fragment, e.g. "key-2026"
    public_key: Ed25519PublicKey

    @property
    def raw(self) -> bytes:
        return self.public_key.public_bytes(Encoding.Raw, PublicFormat.Raw)

    @property
    def multibase(self) -> str:
        """The key as a Multikey's ``publicKeyMultibase``: base58btc of the multicodec-prefixed key, ``z6Mk…``."""
        return "z" + base58btc(_ED25519_PUBLIC_KEY_CODEC + self.raw)


@dataclass(frozen=True)
class IssuerKey:
    """The school's current Ed25519 signing key."""

    key_id: str
    private_key: Ed25519PrivateKey

    @classmethod
    def from_pem(cls, key_id: str, pem: bytes) -> IssuerKey:
        """Read a PKCS#8 PEM key, as ``openssl genpkey -algorithm ed25519`` writes it."""
        key = load_pem_private_key(pem, password=None)
        if not isinstance(key, Ed25519PrivateKey):
            raise CredentialError(f"the signing key {key_id} must be an Ed25519 key, got {type(key).__name__}")
        return cls(key_id, key)

    @property
    def public(self) -> PublicKey:
        return PublicKey(self.key_id, self.private_key.public_key())

    def sign(self, data: bytes) -> bytes:
        return self.private_key.sign(data)


def verification_method(did: str, key_id: str) -> str:
    return f"{did}#{key_id}"


def did_document(did: str, keys: Sequence[PublicKey]) -> JsonObject:
    """The DID document to serve at ``/.well-known/did.json``: every key, each usable to assert credentials."""
    if not keys:
        raise CredentialError("a DID document publishes at least one key")
    methods = [
        {
            "id": verification_method(did, key.key_id),
            "type": "Multikey",
            "controller": did,
            "publicKeyMultibase": key.multibase,
        }
        for key in keys
    ]
    return {
        "@context": DID_CONTEXTS,
        "id": did,
        "verificationMethod": methods,
        "assertionMethod": [method["id"] for method in methods],
    }


def jwks(did: str, keys: Sequence[PublicKey]) -> JsonObject:
    """The same keys as a JSON Web Key Set (RFC 7517, OKP keys of RFC 8037), for verifiers that speak JOSE."""
    return {
        "keys": [
            {
                "kty": "OKP",
                "crv": "Ed25519",
                "x": base64.urlsafe_b64encode(key.raw).rstrip(b"=").decode(),
                "kid": verification_method(did, key.key_id),
                "alg": "EdDSA",
                "use": "sig",
            }
            for key in keys
        ]
    }


def base58btc(data: bytes) -> str:
    """Bitcoin's base58 alphabet, as multibase ``z`` and Data Integrity proof values use it."""
    value = int.from_bytes(data)
    encoded = ""
    while value:
        value, digit = divmod(value, 58)
        encoded = _BASE58_ALPHABET[digit] + encoded
    leading_zeros = len(data) - len(data.lstrip(b"\0"))
    return "1" * leading_zeros + encoded

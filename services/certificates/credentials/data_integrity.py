"""A W3C Data Integrity proof with the cryptosuite eddsa-rdfc-2022 (W3C Recommendation "Data Integrity EdDSA
Cryptosuites v1.0"), the Linked Data proof Open Badges 3.0 conformance accepts.

Signing canonicalises the credential and the proof options with RDFC-1.0 (pyld's URDNA2015, the same algorithm),
hashes each with SHA-256, and signs the proof options' hash followed by the credential's with the school's
Ed25519 key. Canonicalising works on the meaning, not the bytes: every property must be defined by the contexts,
so one left undefined would go unsigned; such a document is refused rather than signed in part.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from datetime import UTC, datetime
from functools import cache
from pathlib import Path
from typing import Any

from pyld import jsonld  # type: ignore[import-untyped]

from services.certificates.credentials import CredentialError
from services.certificates.credentials.keys import IssuerKey, JsonObject, base58btc

CRYPTOSUITE = "eddsa-rdfc-2022"
VC_V2_CONTEXT = "https://www.w3.org/ns/credentials/v2"
OB_V3_CONTEXT = "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json"
_CONTEXT_FILES = {
    VC_V2_CONTEXT: "credentials-v2.jsonld",
    OB_V3_CONTEXT: "ob-v3p0-context-3.0.3.json",
}
_CONTEXTS_DIR = Path(__file__).parent / "contexts"


def sign(document: Mapping[str, Any], key: IssuerKey, verification_method: str, created: datetime) -> JsonObject:
    """The document with a proof by ``key``, which verifiers find at ``verification_method``."""
    if "proof" in document:
        raise CredentialError("the document already carries a proof; sign the unsecured document")
    if created.tzinfo is None:
        raise CredentialError(f"a proof's creation time needs a time zone, got {created.isoformat()}")
    options = {
        "type": "DataIntegrityProof",
        "cryptosuite": CRYPTOSUITE,
        "created": xsd_datetime(created),
        "verificationMethod": verification_method,
        "proofPurpose": "assertionMethod",
    }
    # The proof options are canonicalised in the document's contexts, as the cryptosuite prescribes.
    options_hash = hashlib.sha256(canonical_nquads({"@context": document["@context"], **options}).encode()).digest()
    document_hash = hashlib.sha256(canonical_nquads(document).encode()).digest()
    proof_value = "z" + base58btc(key.sign(options_hash + document_hash))
    # A list of proofs, as the Open Badges 3.0 schema wants it, even of one.
    return {**document, "proof": [{**options, "proofValue": proof_value}]}


def canonical_nquads(document: Mapping[str, Any]) -> str:
    """RDFC-1.0 canonical N-Quads of a JSON-LD document, every property defined by the bundled contexts."""

    def refuse_undefined(term: str | None) -> None:
        raise CredentialError(f"{term!r} is not defined by the credential's contexts, so it could not be signed")

    processor = jsonld.JsonLdProcessor(on_property_dropped=refuse_undefined)
    try:
        nquads: str = processor.normalize(
            dict(document),
            {"algorithm": "URDNA2015", "format": "application/n-quads", "documentLoader": _load_bundled_context},
        )
    except jsonld.JsonLdError as error:
        raise CredentialError(f"the document cannot be canonicalised: {_innermost(error)}") from error
    return nquads


def xsd_datetime(moment: datetime) -> str:
    """UTC to the second with a Z, the form verifiers read as xsd:dateTime everywhere."""
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _load_bundled_context(url: str, options: object = None) -> dict[str, Any]:
    if url not in _CONTEXT_FILES:
        raise CredentialError(f"the context {url} is not one the service signs against")
    # A fresh copy each time: what pyld does with a context must not change the next credential's.
    return {"contextUrl": None, "documentUrl": url, "document": json.loads(_context_text(url))}


@cache
def _context_text(url: str) -> str:
    return (_CONTEXTS_DIR / _CONTEXT_FILES[url]).read_text(encoding="utf-8")


def _innermost(error: BaseException) -> BaseException:
    """pyld wraps the cause several times over; the innermost one says what is wrong."""
    while error.__cause__ is not None:
        error = error.__cause__
    return error

"""Revocation that verifiers check for themselves: a W3C Bitstring Status List (Recommendation "Bitstring Status
List v1.0").

Every credential names one bit of a status list credential the school publishes; the bit is set while the
certificate is revoked and cleared when it is reinstated. The list is at least 131,072 bits long and each
credential's bit is placed at random (derived from the server secret and the credential's number, so a rebuild
places it again where it was), so fetching the list tells nobody which credential a verifier is checking.
"""

from __future__ import annotations

import base64
import gzip
import hashlib
import hmac
import json
from collections.abc import Set
from dataclasses import dataclass
from datetime import datetime

from services.certificates.credentials import CredentialError
from services.certificates.credentials.data_integrity import VC_V2_CONTEXT, xsd_datetime
from services.certificates.credentials.keys import JsonObject

# The spec's minimum: 16 KiB of bits, enough herd for a verifier's fetch to give nothing away.
STATUS_LIST_LENGTH = 131_072
REVOCATION = "revocation"
_PROBES = 64


@dataclass(frozen=True)
class StatusListEntry:
    """Where a credential's revocation bit is: which list, which index."""

    list_url: str  # the status list credential's URL, which verifiers fetch
    index: int

    def credential_status(self) -> JsonObject:
        """The credential's ``credentialStatus``."""
        return {
            "id": f"{self.list_url}#{self.index}",
            "type": "BitstringStatusListEntry",
            "statusPurpose": REVOCATION,
            "statusListIndex": str(self.index),
            "statusListCredential": self.list_url,
        }


@dataclass(frozen=True)
class BitstringStatusList:
    """The bits of one status list: index 0 is the left-most bit of the first byte."""

    bits: bytes

    @classmethod
    def empty(cls, length: int = STATUS_LIST_LENGTH) -> BitstringStatusList:
        if length < STATUS_LIST_LENGTH or length % 8:
            raise CredentialError(
                f"a status list has a multiple of 8 bits, at least {STATUS_LIST_LENGTH}, not {length}"
            )
        return cls(bytes(length // 8))

    @classmethod
    def of_revoked(cls, revoked: Set[int], length: int = STATUS_LIST_LENGTH) -> BitstringStatusList:
        """The list in which exactly the ``revoked`` indexes are set."""
        bits = bytearray(cls.empty(length).bits)
        for index in revoked:
            _check_index(index, len(bits) * 8)
            bits[index // 8] |= 0x80 >> (index % 8)
        return cls(bytes(bits))

    @classmethod
    def decode(cls, encoded_list: str) -> BitstringStatusList:
        if not encoded_list.startswith("u"):
            raise CredentialError("an encoded status list is multibase base64url, starting with 'u'")
        compressed = base64.urlsafe_b64decode(encoded_list[1:] + "=" * (-len(encoded_list[1:]) % 4))
        return cls(gzip.decompress(compressed))

    @property
    def length(self) -> int:
        return len(self.bits) * 8

    def is_set(self, index: int) -> bool:
        _check_index(index, self.length)
        return bool(self.bits[index // 8] & (0x80 >> (index % 8)))

    def with_bit(self, index: int, *, revoked: bool) -> BitstringStatusList:
        """The list with one credential's bit set (revoked) or cleared (valid, e.g. reinstated)."""
        _check_index(index, self.length)
        bits = bytearray(self.bits)
        if revoked:
            bits[index // 8] |= 0x80 >> (index % 8)
        else:
            bits[index // 8] &= ~(0x80 >> (index % 8)) & 0xFF
        return BitstringStatusList(bytes(bits))

    def encode(self) -> str:
        """Multibase base64url (no padding) of the GZIP-compressed bits; the same bits always encode the same."""
        compressed = gzip.compress(self.bits, mtime=0)
        return "u" + base64.urlsafe_b64encode(compressed).rstrip(b"=").decode()


def status_index_probes(secret: bytes, credential_number: str, length: int = STATUS_LIST_LENGTH) -> list[int]:
    """The indexes a credential's bit may take, in the order they are tried, derived from the secret and its
    number: a caller holding many credentials needs to ask only about these whether they are taken."""
    probes = []
    for attempt in range(_PROBES):
        digest = hmac.new(secret, json.dumps(["status-index", credential_number, attempt]).encode(), hashlib.sha256)
        probes.append(int.from_bytes(digest.digest()[:8]) % length)
    return probes


def allocate_status_index(
    secret: bytes, credential_number: str, taken: Set[int], length: int = STATUS_LIST_LENGTH
) -> int:
    """A free index for a credential: the first of its probes not taken.

    The same secret, number and taken indexes give the same index, so a rebuild that allocates in the order of
    the event log places every credential where it was. ``taken`` need hold only the taken probes, unless all of
    them are: then the next free index after the last probe is taken, and ``taken`` must hold every index.
    """
    if len(taken) >= length:
        raise CredentialError(f"the status list has no free index left among its {length}")
    probes = status_index_probes(secret, credential_number, length)
    free = next((index for index in probes if index not in taken), None)
    if free is not None:
        return free
    # A list so full that every probe landed on a taken index.
    last = probes[-1]
    return next(candidate % length for candidate in range(last, last + length) if candidate % length not in taken)


def status_list_credential(
    list_url: str, issuer: str, status_list: BitstringStatusList, valid_from: datetime
) -> JsonObject:
    """The unsigned status list credential published at ``list_url``; sign it like a badge."""
    return {
        "@context": [VC_V2_CONTEXT],
        "id": list_url,
        "type": ["VerifiableCredential", "BitstringStatusListCredential"],
        "issuer": issuer,
        "validFrom": xsd_datetime(valid_from),
        "credentialSubject": {
            "id": f"{list_url}#list",
            "type": "BitstringStatusList",
            "statusPurpose": REVOCATION,
            "encodedList": status_list.encode(),
        },
    }


def _check_index(index: int, length: int) -> None:
    if not 0 <= index < length:
        raise CredentialError(f"status list index {index} is outside the list's {length} bits")

"""Credentials anyone can verify without asking us: Open Badges 3.0 credentials secured with a W3C Data Integrity
proof (cryptosuite eddsa-rdfc-2022, Ed25519), the school's keys published as a did:web document and a JWKS, and
revocation through a W3C Bitstring Status List.

Why eddsa-rdfc-2022: it is the Linked Data proof that 1EdTech's conformance suite accepts for Open Badges 3.0, and
it is the securing format in which the spec asks for Ed25519 (its VC-JWT format asks for RS256 at least).
"""


class CredentialError(ValueError):
    """A credential, key or status list that cannot be made as asked; the message says why."""

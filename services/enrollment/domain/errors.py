"""What the register's rules refuse. Every message says what is wrong, so the API can answer 4xx with it."""

from __future__ import annotations


class RegisterError(ValueError):
    """Bad input to a register rule."""


class VocabularyError(RegisterError):
    """A code or label that is not in the register's vocabulary."""


class OrganisationError(RegisterError):
    """A unit or Party organisation (党组织) that cannot be, or cannot change, as asked."""


class PersonError(RegisterError):
    """A person's record that contradicts itself: overlapping periods, missing dates."""


class EligibilityError(RegisterError):
    """An eligibility policy that cannot be read, or a person who may not join a class."""


class ClassError(RegisterError):
    """A training class (培训班) that cannot be, or cannot change, as asked."""


class SessionError(RegisterError):
    """A session that cannot be scheduled, rescheduled or cancelled as asked."""


class DoubleBooking(SessionError):
    """A teacher or a room asked to be in two sessions at once."""


class EnrollmentError(RegisterError):
    """A step in a learner's way through a class that is not allowed from where they are."""


class AlreadyEnrolled(EnrollmentError):
    """A person who already takes part in the class (nominated, applied, approved or waitlisted)."""

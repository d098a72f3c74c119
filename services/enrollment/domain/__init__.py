"""The register's rules, free of I/O: vocabularies, the organisation tree, people as of a date, who may join
which class, classes and their sessions, and a learner's way through a class."""

# The handler tests still import these two from the package; they live in sessions.py.
from services.enrollment.domain.sessions import max_hours_for, session_hours_problem

__all__ = ["max_hours_for", "session_hours_problem"]

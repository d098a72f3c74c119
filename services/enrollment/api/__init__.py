"""The enrollment service's HTTP API: the register's reference data, classes and sessions, enrollments and
workbooks, each concern its own router."""

from __future__ import annotations

from services.enrollment.api import classes, enrollments, register, workbooks

ROUTERS = (register.router, classes.router, enrollments.router, workbooks.router)

"""The enrollment service's HTTP API: the register's reference data, classes and sessions, enrollments and
workbooks, class affairs (班务), each concern its own router."""

from __future__ import annotations

from services.enrollment.api import class_affairs, classes, enrollments, register, workbooks

ROUTERS = (register.router, classes.router, enrollments.router, workbooks.router, class_affairs.router)

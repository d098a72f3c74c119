"""Evaluation's HTTP API: questionnaires and answers, the 结业考核 (schemes, scores, results), and reports."""

from __future__ import annotations

from services.evaluation.api import assessments, questionnaires, reports

routers = (questionnaires.router, assessments.router, reports.router)

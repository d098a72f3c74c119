"""Decimals as evaluation's API writes them: strings, so that no float rounds them on the way.

Scores and grade thresholds run from 0 to 100 with at most two decimals ("85", "87.5"); weights are shares of 1
with at most four ("0.5", "0.125").
"""

from __future__ import annotations

from shared.events.contracts.common import decimal_text

SCORE_PATTERN = r"^(100(\.0{1,2})?|\d{1,2}(\.\d{1,2})?)$"
Score = decimal_text(SCORE_PATTERN, ge=0, le=100, places=2, examples=["85", "87.5"])
WEIGHT_PATTERN = r"^(0(\.\d{1,4})?|1(\.0{1,4})?)$"
Weight = decimal_text(WEIGHT_PATTERN, ge=0, le=1, places=4, examples=["0.5", "0.125"])

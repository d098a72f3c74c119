"""The hours service's rules as configured: the crediting rulebook and the requirements, each the built-in one unless
a TOML file replaces it (``DANGXIAO_RULEBOOK_FILE``, ``DANGXIAO_REQUIREMENTS_FILE``)."""

from __future__ import annotations

import tomllib
from collections.abc import Callable
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import TypeVar

from services.hours.domain.requirements import BUILT_IN_REQUIREMENTS, Requirement, parse_requirements
from services.hours.domain.rules import DEFAULT_RULEBOOK, Rulebook, parse_rulebook
from services.hours.settings import Settings

T = TypeVar("T")


@dataclass(frozen=True)
class HoursRules:
    rulebook: Rulebook
    requirements: tuple[Requirement, ...]


BUILT_IN = HoursRules(DEFAULT_RULEBOOK, BUILT_IN_REQUIREMENTS)


def rules_of(settings: Settings) -> HoursRules:
    """The rules the settings name, read once per process; a file that cannot be read stops the service with the
    reason."""
    return _rules_from(settings.rulebook_file, settings.requirements_file)


@cache
def _rules_from(rulebook_file: Path | None, requirements_file: Path | None) -> HoursRules:
    return HoursRules(
        rulebook=_read(rulebook_file, parse_rulebook, BUILT_IN.rulebook),
        requirements=_read(requirements_file, parse_requirements, BUILT_IN.requirements),
    )


def _read(path: Path | None, parse: Callable[[object], T], built_in: T) -> T:
    if path is None:
        return built_in
    try:
        return parse(tomllib.loads(path.read_text(encoding="utf-8")))
    except (OSError, tomllib.TOMLDecodeError, ValueError) as error:
        raise ValueError(f"{path}: {error}") from error

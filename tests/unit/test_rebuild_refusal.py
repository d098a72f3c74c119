"""``rebuild`` drops a service's tables: a service that keeps facts first-hand refuses before touching anything."""

from __future__ import annotations

import asyncio
import importlib
from pathlib import Path

import pytest

from shared.migrations import upgrade
from shared.rebuild import NotRebuildable, rebuild
from shared.service import ServiceRuntime


@pytest.mark.parametrize(("service", "kept"), [("enrollment", "the register"), ("evaluation", "answers")])
async def test_a_service_that_keeps_facts_first_hand_refuses_to_rebuild_and_keeps_its_tables(
    service: str, kept: str, tmp_path: Path
) -> None:
    settings = importlib.import_module(f"services.{service}.settings").Settings(data_dir=tmp_path)
    runtime = ServiceRuntime(importlib.import_module(f"services.{service}.app").define(settings))
    await asyncio.to_thread(upgrade, runtime.database.url, runtime.definition.migrations_dir)
    database_file = next(tmp_path.glob("*.db"))
    before = database_file.read_bytes()

    with pytest.raises(NotRebuildable, match=kept):
        await rebuild(runtime)

    assert database_file.read_bytes() == before


@pytest.mark.parametrize("service", ["hours", "certificates", "planning"])
def test_the_services_that_derive_everything_from_topics_may_rebuild(service: str, tmp_path: Path) -> None:
    settings = importlib.import_module(f"services.{service}.settings").Settings(data_dir=tmp_path)
    assert importlib.import_module(f"services.{service}.app").define(settings).keeps_first_hand is None

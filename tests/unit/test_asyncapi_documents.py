"""Every service's AsyncAPI document is valid, as the AsyncAPI CLI (from npm, nobody here wrote it) judges it."""

from __future__ import annotations

import importlib
import os
import subprocess
from pathlib import Path

import pytest

from shared.service import ServiceRuntime
from tests.support import ROOT, SERVICES

CLI = ROOT / "tools" / "asyncapi" / "node_modules" / ".bin" / "asyncapi"


@pytest.mark.parametrize("service", SERVICES)
def test_the_asyncapi_document_validates(service: str, tmp_path: Path) -> None:
    assert CLI.is_file(), "the AsyncAPI CLI is not installed: ./dev setup installs it (npm ci --prefix tools/asyncapi)"
    definition = importlib.import_module(f"services.{service}.app").define(
        importlib.import_module(f"services.{service}.settings").Settings(data_dir=tmp_path)
    )
    document = tmp_path / f"{service}.asyncapi.json"
    document.write_text(ServiceRuntime(definition).asyncapi().to_specification().to_json(), encoding="utf-8")
    environment = {**os.environ, "HOME": str(tmp_path), "SUPPRESS_NO_CONFIG_WARNING": "true", "NODE_ENV": "test"}

    finished = subprocess.run(
        [str(CLI), "validate", str(document)], capture_output=True, text=True, timeout=300, env=environment, check=False
    )

    assert finished.returncode == 0, finished.stdout + finished.stderr
    assert "is valid" in finished.stdout
    assert "0 errors" in finished.stdout

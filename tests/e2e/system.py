"""The four services as separate processes, as in production, driven from outside over HTTP and Kafka."""

from __future__ import annotations

import asyncio
import os
import signal
import socket
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

import httpx

from shared.auth import Role
from tests.support import ROOT, bearer


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


@dataclass
class ServiceProcess:
    name: str
    port: int
    env: dict[str, str]
    log_path: Path
    process: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> None:
        log = self.log_path.open("ab")
        # Where the service is reached from outside (certificates' verification links derive from it).
        environment = {"DANGXIAO_PUBLIC_BASE_URL": self.url, **self.env}
        self.process = subprocess.Popen(
            [sys.executable, "-m", f"services.{self.name}", "serve", "--port", str(self.port)],
            cwd=ROOT,
            env=environment,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        log.close()

    def kill(self) -> None:
        """SIGKILL: no shutdown hooks run, as in a crash."""
        assert self.process is not None
        self.process.kill()
        self.process.wait(timeout=10)

    def stop(self) -> None:
        if self.process is None or self.process.poll() is not None:
            return
        self.process.send_signal(signal.SIGTERM)
        try:
            self.process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait(timeout=10)

    def log_tail(self, lines: int = 40) -> str:
        if not self.log_path.exists():
            return ""
        return "\n".join(self.log_path.read_text(errors="replace").splitlines()[-lines:])

    async def wait_ready(self, timeout: float = 60.0) -> None:
        deadline = time.monotonic() + timeout
        async with httpx.AsyncClient(base_url=self.url) as client:
            while time.monotonic() < deadline:
                assert self.process is not None
                if self.process.poll() is not None:
                    raise RuntimeError(f"{self.name} exited with {self.process.returncode}:\n{self.log_tail()}")
                try:
                    if (await client.get("/readyz", timeout=2)).status_code == 200:
                        return
                except httpx.TransportError:
                    pass
                await asyncio.sleep(0.2)
        raise RuntimeError(f"{self.name} not ready within {timeout} s:\n{self.log_tail()}")


@dataclass
class System:
    services: dict[str, ServiceProcess] = field(default_factory=dict)

    def url(self, name: str) -> str:
        return self.services[name].url

    def client(
        self, name: str, role: Role | None = None, subject: str = "tester", sources: list[str] | None = None
    ) -> httpx.AsyncClient:
        headers = bearer(role, subject, sources) if role else {}
        return httpx.AsyncClient(base_url=self.url(name), headers=headers, timeout=10)

    async def start(self, *names: str) -> None:
        for name in names or tuple(self.services):
            self.services[name].start()
        await asyncio.gather(*(self.services[name].wait_ready() for name in names or tuple(self.services)))

    def stop(self) -> None:
        for service in self.services.values():
            service.stop()


def service_environment(
    name: str, *, kafka_bootstrap: str, database_url: str, group_suffix: str, **extra: str
) -> dict[str, str]:
    env = {key: value for key, value in os.environ.items() if not key.startswith("DANGXIAO_")}
    env.update(
        {
            "DANGXIAO_ENVIRONMENT": "test",
            "DANGXIAO_KAFKA_BOOTSTRAP_SERVERS": kafka_bootstrap,
            "DANGXIAO_DATABASE_URL": database_url,
            # A group of its own per system under test, so two systems on one broker do not split partitions.
            "DANGXIAO_KAFKA_GROUP_ID": f"dangxiao-{name}-{group_suffix}",
            "DANGXIAO_OUTBOX_POLL_SECONDS": "0.2",
            "DANGXIAO_LOG_LEVEL": "INFO",
            **extra,
        }
    )
    return env

"""The deployment files must agree with the code they deploy.

docker-compose.yml, deploy/prometheus/prometheus.yml, deploy/compose/create-databases.sql, the Dockerfile and
``./dev`` name services, ports, modules and settings that live in Python; these tests read both sides, so a
renamed setting, a moved port or a missing ``__main__`` fails here rather than in a container.
"""

from __future__ import annotations

import ast
import importlib
import importlib.metadata
import re
import shlex
import sys
import tomllib
from pathlib import Path
from typing import Any

import pytest
import yaml

from shared.settings import ServiceSettings

ROOT = Path(__file__).resolve().parents[2]
SERVICES = ("enrollment", "hours", "evaluation", "certificates", "planning")
PREFIX = "DANGXIAO_"


def read_yaml(relative: str) -> Any:
    return yaml.safe_load((ROOT / relative).read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def compose() -> dict[str, dict[str, Any]]:
    services: dict[str, dict[str, Any]] = read_yaml("docker-compose.yml")["services"]
    return services


def environment(service: dict[str, Any]) -> dict[str, str]:
    """A compose service's environment, whether written as a mapping or as a list of NAME=value."""
    raw = service.get("environment") or {}
    if isinstance(raw, list):
        raw = dict(item.split("=", 1) if "=" in item else (item, None) for item in raw)
    return {str(name): "" if value is None else str(value) for name, value in raw.items()}


def command(service: dict[str, Any]) -> list[str]:
    raw = service.get("command") or []
    return shlex.split(raw) if isinstance(raw, str) else [str(part) for part in raw]


def published_ports(service: dict[str, Any]) -> list[tuple[int, int]]:
    """(host port, container port) of each entry in ``ports``, short ("[ip:]host:container") or long syntax."""
    pairs = []
    for entry in service.get("ports") or []:
        if isinstance(entry, dict):
            pairs.append((int(entry["published"]), int(entry["target"])))
        else:
            *_, host, container = str(entry).split(":")
            pairs.append((int(host), int(container.split("/")[0])))
    return pairs


def settings_class(name: str) -> type[ServiceSettings]:
    settings: type[ServiceSettings] = importlib.import_module(f"services.{name}.settings").Settings
    return settings


def default_port(name: str) -> int:
    port: int = settings_class(name).model_fields["http_port"].default
    return port


def test_compose_runs_the_services_each_after_its_migrate_and_topics_steps(
    compose: dict[str, dict[str, Any]],
) -> None:
    for name in SERVICES:
        assert name in compose, f"docker-compose.yml has no service {name!r}"
        depends_on = compose[name].get("depends_on") or {}
        for step, needs in (("migrate", "postgres"), ("topics", "kafka")):
            assert f"{name}-{step}" in compose, f"docker-compose.yml has no {name}-{step} step"
            assert depends_on.get(f"{name}-{step}", {}).get("condition") == "service_completed_successfully"
            step_depends_on = compose[f"{name}-{step}"].get("depends_on") or {}
            assert step_depends_on.get(needs, {}).get("condition") == "service_healthy"
        assert depends_on.get("kafka", {}).get("condition") == "service_healthy"

    # Nothing else runs service code: another service would need its own checks here.
    running_code = {service_name for service_name, service in compose.items() if "-m" in command(service)}
    assert running_code == set(SERVICES) | {f"{name}-{step}" for name in SERVICES for step in ("migrate", "topics")}


def test_topics_are_never_created_by_a_client_touching_them(compose: dict[str, dict[str, Any]]) -> None:
    assert environment(compose["kafka"]).get("KAFKA_AUTO_CREATE_TOPICS_ENABLE") == "false"
    assert "auto.create.topics.enable=false" in (ROOT / "deploy" / "kafka" / "kafka.sh").read_text(encoding="utf-8")


@pytest.mark.parametrize("name", SERVICES)
@pytest.mark.parametrize("step", ["serve", "migrate", "topics"])
def test_each_command_runs_an_existing_service_module(compose: dict[str, dict[str, Any]], name: str, step: str) -> None:
    service = compose[name] if step == "serve" else compose[f"{name}-{step}"]
    assert command(service) == ["python", "-m", f"services.{name}", step]
    assert (ROOT / "services" / name / "__main__.py").is_file(), f"services/{name}/__main__.py is missing"


def test_every_dangxiao_variable_in_compose_is_a_setting(compose: dict[str, dict[str, Any]]) -> None:
    """Of the settings of the service the container runs (SERVICE), or of every service's."""
    assert ServiceSettings.model_config.get("env_prefix") == PREFIX
    used = 0
    for container in compose.values():
        variables = environment(container)
        settings = settings_class(variables["SERVICE"]) if "SERVICE" in variables else ServiceSettings
        names = [name for name in variables if name.startswith(PREFIX)]
        used += len(names)
        unknown = sorted(name for name in names if name.removeprefix(PREFIX).lower() not in settings.model_fields)
        assert unknown == [], f"not fields of {settings.__module__}.{settings.__name__}: {unknown}"
    assert used >= 5, "expected the services' settings in docker-compose.yml"


@pytest.mark.parametrize("name", SERVICES)
def test_a_service_listens_publishes_and_defaults_to_the_same_port(
    compose: dict[str, dict[str, Any]], name: str
) -> None:
    settings = settings_class(name)
    assert settings.model_fields["service_name"].default == name
    port = default_port(name)
    for service in (compose[name], compose[f"{name}-migrate"]):
        assert environment(service).get("DANGXIAO_HTTP_PORT") == str(port)
    assert published_ports(compose[name]) == [(port, port)]


def test_the_services_have_distinct_ports() -> None:
    ports = [default_port(name) for name in SERVICES]
    assert len(set(ports)) == len(ports), ports


@pytest.mark.parametrize("name", SERVICES)
def test_each_service_has_its_own_database(compose: dict[str, dict[str, Any]], name: str) -> None:
    url = environment(compose[name]).get("DANGXIAO_DATABASE_URL", "")
    assert re.fullmatch(rf"postgresql://dangxiao:[^@]+@postgres:5432/{name}", url), url
    assert environment(compose[f"{name}-migrate"]).get("DANGXIAO_DATABASE_URL") == url
    init_sql = (ROOT / "deploy/compose/create-databases.sql").read_text(encoding="utf-8")
    assert re.search(rf"^CREATE DATABASE {name}\b", init_sql, re.MULTILINE), f"no CREATE DATABASE {name}"


def test_prometheus_scrapes_exactly_the_services() -> None:
    config = read_yaml("deploy/prometheus/prometheus.yml")
    targets = []
    for job in config["scrape_configs"]:
        assert job.get("metrics_path", "/metrics") == "/metrics"
        targets += [target for static in job.get("static_configs", []) for target in static["targets"]]
    assert sorted(targets) == sorted(f"{name}:{default_port(name)}" for name in SERVICES)


def test_the_dockerfile_exposes_every_service_port() -> None:
    exposed: set[int] = set()
    for line in (ROOT / "Dockerfile").read_text(encoding="utf-8").splitlines():
        if line.startswith("EXPOSE "):
            for spec in line.split()[1:]:
                low, _, high = spec.split("/")[0].partition("-")
                exposed.update(range(int(low), int(high or low) + 1))
    missing = {default_port(name) for name in SERVICES} - exposed
    assert not missing, f"Dockerfile does not EXPOSE {sorted(missing)}"


def test_dev_script_starts_the_services_on_their_default_ports() -> None:
    match = re.search(r"^SERVICES=\(([^)]*)\)", (ROOT / "dev").read_text(encoding="utf-8"), re.MULTILINE)
    assert match, "./dev has no SERVICES=(name:port …) line"
    started = dict(entry.split(":") for entry in match.group(1).split())
    assert started == {name: str(default_port(name)) for name in SERVICES}


def pins(requirements: list[str]) -> dict[str, str]:
    """name -> version of requirement strings like ``faststream[kafka]==0.7.8`` (names normalised)."""
    pinned = {}
    for requirement in requirements:
        name, _, version = requirement.partition("==")
        pinned[re.sub(r"[-_.]+", "-", name.split("[")[0]).lower()] = version.split(";")[0].strip()
    return pinned


def locked(path: Path) -> dict[str, str]:
    lines = [line for line in path.read_text(encoding="utf-8").splitlines() if re.match(r"^[A-Za-z0-9]", line)]
    return pins([line.split(" ")[0] for line in lines])


def test_the_lock_files_hold_every_pin_of_pyproject_at_its_version() -> None:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    runtime, dev = pins(project["dependencies"]), pins(project["optional-dependencies"]["dev"])
    runtime_lock, dev_lock = locked(ROOT / "requirements" / "runtime.lock"), locked(ROOT / "requirements" / "dev.lock")
    assert {name: runtime_lock.get(name) for name in runtime} == runtime, "run ./dev lock"
    assert {name: dev_lock.get(name) for name in runtime | dev} == runtime | dev, "run ./dev lock"
    assert all(dev_lock.get(name) == version for name, version in runtime_lock.items())


def test_every_package_the_code_imports_is_declared() -> None:
    imported = set()
    for path in [*(ROOT / "shared").rglob("*.py"), *(ROOT / "services").rglob("*.py")]:
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                imported.update(alias.name.split(".")[0] for alias in node.names)
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                imported.add(node.module.split(".")[0])
    distributions = importlib.metadata.packages_distributions()
    third_party = {
        re.sub(r"[-_.]+", "-", distribution).lower()
        for module in imported - set(sys.stdlib_module_names) - {"shared", "services"}
        for distribution in distributions.get(module, [module])
    }
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    assert third_party - set(pins(project["dependencies"])) == set()


def test_the_image_and_dev_install_from_the_lock_files() -> None:
    assert "pip install --require-hashes -r requirements/runtime.lock" in (ROOT / "Dockerfile").read_text(
        encoding="utf-8"
    )
    assert "--require-hashes -r requirements/dev.lock" in (ROOT / "dev").read_text(encoding="utf-8")


def operator_value(variable: re.Match[str]) -> str:
    """What an operator would export for a ``${NAME:?…}`` that compose insists on."""
    return "https://training.example.edu.cn" if variable[1].endswith("_URL") else "x" * 40


def test_every_container_s_settings_hold_in_production_with_what_compose_gives_it(
    compose: dict[str, dict[str, Any]], monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """A production setting compose forgets stops the container at start; here it fails first. (Secrets the
    operator exports are stood in for as an operator would set them; files compose mounts, by a file that exists.)"""
    for name, container in compose.items():
        variables = environment(container)
        if "SERVICE" not in variables:
            continue
        for variable in [v for v in sys.modules["os"].environ if v.startswith(PREFIX)]:
            monkeypatch.delenv(variable)
        for variable, written in variables.items():
            if variable.startswith(PREFIX):
                value = re.sub(r"\$\{([A-Z_]+):\?[^}]*\}", operator_value, written)
                value = re.sub(r"\$\{([A-Z_]+):-([^}]*)\}", r"\2", value)
                monkeypatch.setenv(variable, str(tmp_path / "mounted") if value.startswith("/run/secrets/") else value)
        (tmp_path / "mounted").write_text("a mounted secret")
        try:
            settings_class(variables["SERVICE"])()
        except ValueError as error:
            pytest.fail(f"{name}: {error}")

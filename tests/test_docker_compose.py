"""docker-compose.yml, Dockerfile and .dockerignore hold together without a Docker engine.

The compose file is parsed as YAML (anchors and `<<` merges resolved) and checked for the
services the CeleryExecutor stack needs, their shared environment, mounts, healthchecks
and start order. Every AIRFLOW__SECTION__KEY variable is checked against the installed
Airflow's own configuration, so a misspelt or renamed option fails here, not at runtime.
"""

from __future__ import annotations

import base64
import json
import re
import subprocess
import sys
from pathlib import Path
from urllib.parse import urlsplit

import pytest
import yaml

REPO = Path(__file__).resolve().parents[1]
COMPOSE_FILE = REPO / "docker-compose.yml"
DOCKERFILE = REPO / "Dockerfile"
DOCKERIGNORE = REPO / ".dockerignore"

INFRA_SERVICES = {"postgres", "redis"}
# Service name -> words its command must contain.
AIRFLOW_COMMANDS = {
    "airflow-apiserver": "airflow api-server",
    "airflow-scheduler": "airflow scheduler",
    "airflow-dag-processor": "airflow dag-processor",
    "airflow-triggerer": "airflow triggerer",
    "airflow-worker": "airflow celery worker",
}
AIRFLOW_SERVICES = {"airflow-init", *AIRFLOW_COMMANDS}
# Variable -> exact value the stack depends on.
REQUIRED_ENV = {
    "AIRFLOW__CORE__EXECUTOR": "CeleryExecutor",
    "AIRFLOW__CORE__LOAD_EXAMPLES": "false",
    "AIRFLOW__CORE__EXECUTION_API_SERVER_URL": "http://airflow-apiserver:8080/execution/",
    "CLAIMLEDGER_WAREHOUSE_DIR": "/opt/claimledger/warehouse",
}
# Variable -> URL scheme it must use.
REQUIRED_URLS = {
    "AIRFLOW__DATABASE__SQL_ALCHEMY_CONN": "postgresql+psycopg2",
    "AIRFLOW__CELERY__BROKER_URL": "redis",
    "AIRFLOW__CELERY__RESULT_BACKEND": "db+postgresql+psycopg2",
}
# Shared by every component, or tokens and log fetches between them are rejected.
SHARED_SECRETS = ("AIRFLOW__API_AUTH__JWT_SECRET", "AIRFLOW__API__SECRET_KEY")
PROJECT_MOUNTS = ("dags", "transforms", "dbt_project", "expectations", "config", "corpus")
COMPOSE_CONDITIONS = {"service_started", "service_healthy", "service_completed_successfully"}
AIRFLOW_VAR = re.compile(r"^AIRFLOW__([A-Z0-9_]+?)__([A-Z0-9_]+)$")


@pytest.fixture(scope="module")
def compose() -> dict:
    return yaml.safe_load(COMPOSE_FILE.read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def services(compose) -> dict[str, dict]:
    return compose["services"]


@pytest.fixture(scope="module")
def common(compose) -> dict:
    return compose["x-airflow-common"]


def _env(service: dict) -> dict[str, str]:
    """A service's environment as a dict, whichever of compose's two forms it uses."""
    env = service.get("environment") or {}
    if isinstance(env, list):
        env = dict(item.split("=", 1) if "=" in item else (item, "") for item in env)
    return {key: "" if value is None else str(value) for key, value in env.items()}


def _command(service: dict) -> str:
    command = service.get("command") or ""
    return " ".join(command) if isinstance(command, list) else command


def _mounts(service: dict) -> list[tuple[str, str, str]]:
    """(kind, source, target) of each volume entry; kind is "bind" or "volume"."""
    mounts = []
    for entry in service.get("volumes") or []:
        if isinstance(entry, dict):
            mounts.append((entry.get("type", "volume"), entry["source"], entry["target"]))
            continue
        source, target = entry.split(":")[:2]
        kind = "bind" if source.startswith((".", "/", "~", "$")) else "volume"
        mounts.append((kind, source, target))
    return mounts


def _airflow_services(services: dict, common: dict) -> dict[str, dict]:
    return {
        name: service
        for name, service in services.items()
        if service.get("image") == common["image"] or "build" in service
    }


def test_compose_has_every_required_service(services):
    assert set(services) >= INFRA_SERVICES | AIRFLOW_SERVICES


def test_airflow_services_are_exactly_the_ones_built_from_the_dockerfile(services, common):
    assert set(_airflow_services(services, common)) == AIRFLOW_SERVICES
    assert common["build"]["context"] == "."
    assert (REPO / common["build"].get("dockerfile", "Dockerfile")).resolve() == DOCKERFILE


def test_every_airflow_service_has_the_common_environment(services, common):
    shared = _env(common)
    for name, service in _airflow_services(services, common).items():
        env = _env(service)
        missing = {key for key in shared if key not in env}
        assert not missing, f"{name} lacks {sorted(missing)}"
        changed = {key for key in shared if env[key] != shared[key]}
        assert not changed, f"{name} overrides {sorted(changed)}"


def test_common_environment_configures_celery_stack(common, services):
    env = _env(common)
    for key, value in REQUIRED_ENV.items():
        assert env.get(key) == value, key
    for key, scheme in REQUIRED_URLS.items():
        url = urlsplit(env[key])
        assert url.scheme == scheme, key
        assert url.hostname in services, f"{key} points at {url.hostname}, not a service"
    api_host = urlsplit(env["AIRFLOW__CORE__EXECUTION_API_SERVER_URL"]).hostname
    assert api_host == "airflow-apiserver"
    for key in SHARED_SECRETS:
        assert env.get(key), f"{key} must be set once for every component"
    dags_folder = env["AIRFLOW__CORE__DAGS_FOLDER"]
    assert ("bind", "./dags", dags_folder) in _mounts(common)


def test_airflow_services_run_their_component(services):
    for name, words in AIRFLOW_COMMANDS.items():
        assert words in _command(services[name]), name


def test_init_migrates_creates_admin_and_writer_pool(services):
    init = services["airflow-init"]
    script = _command(init)
    assert "airflow db migrate" in script
    assert 'airflow pools set duckdb_writer 1 "single DuckDB writer"' in script
    env = _env(init)
    assert env.get("_AIRFLOW_WWW_USER_PASSWORD")
    assert "SIMPLE_AUTH_MANAGER_PASSWORDS_FILE" in script
    # The pool must exist before anything can schedule a warehouse-writing task.
    assert script.index("db migrate") < script.index("pools set")


def test_project_folders_and_warehouse_are_mounted(common):
    mounts = _mounts(common)
    sources = {source.removeprefix("./") for kind, source, _ in mounts if kind == "bind"}
    assert set(PROJECT_MOUNTS) <= sources
    warehouse = [m for m in mounts if m[2] == "/opt/claimledger/warehouse"]
    assert len(warehouse) == 1 and warehouse[0][0] == "volume", warehouse


def test_every_bind_mounted_host_path_exists(services):
    for name, service in services.items():
        for kind, source, _ in _mounts(service):
            if kind == "bind":
                assert (REPO / source).exists(), f"{name} mounts missing {source}"


def test_every_named_volume_is_declared(compose, services):
    declared = set(compose.get("volumes") or {})
    used = {
        source
        for service in services.values()
        for kind, source, _ in _mounts(service)
        if kind == "volume"
    }
    assert used, "no named volumes used"
    assert used <= declared, f"undeclared volumes: {sorted(used - declared)}"


def test_every_long_running_service_has_a_healthcheck(services):
    for name, service in services.items():
        if name == "airflow-init":
            continue
        test = (service.get("healthcheck") or {}).get("test")
        assert test, f"{name} has no healthcheck"


def test_start_order_waits_for_healthy_dependencies(services, common):
    for name, service in services.items():
        for dependency, spec in (service.get("depends_on") or {}).items():
            assert dependency in services, f"{name} depends on unknown {dependency}"
            condition = spec["condition"]
            assert condition in COMPOSE_CONDITIONS, f"{name}: {condition}"
            if condition == "service_healthy":
                assert services[dependency].get("healthcheck"), f"{dependency} has no check"
    for name, service in _airflow_services(services, common).items():
        depends = service["depends_on"]
        assert depends["postgres"]["condition"] == "service_healthy", name
        assert depends["redis"]["condition"] == "service_healthy", name
        if name != "airflow-init":
            assert depends["airflow-init"]["condition"] == "service_completed_successfully"
    worker = services["airflow-worker"]["depends_on"]
    assert worker["airflow-apiserver"]["condition"] == "service_healthy"


def test_dockerfile_installs_the_locked_project_with_uv():
    text = DOCKERFILE.read_text(encoding="utf-8")
    assert re.search(r"^FROM python:3\.11-slim\b", text, re.MULTILINE)
    assert "uv.lock" in text
    assert "uv sync --frozen --all-extras --no-dev" in text
    assert re.search(r"^ENV PATH=.*\.venv/bin", text, re.MULTILINE)


def test_dockerfile_copies_only_files_that_exist():
    text = DOCKERFILE.read_text(encoding="utf-8")
    ignored = set(DOCKERIGNORE.read_text(encoding="utf-8").split())
    for line in text.splitlines():
        parts = line.split()
        if not parts or parts[0] != "COPY" or any(p.startswith("--from") for p in parts):
            continue
        for source in parts[1:-1]:
            assert (REPO / source).exists(), f"Dockerfile copies missing {source}"
            assert source not in ignored, f".dockerignore hides {source} from the build"


def test_dockerignore_keeps_local_state_out_of_the_image():
    entries = set(DOCKERIGNORE.read_text(encoding="utf-8").split())
    assert {".venv", "warehouse", ".git"} <= entries


def test_airflow_variables_name_real_config_options(services, tmp_path):
    names = sorted(
        {
            key
            for service in services.values()
            for key in _env(service)
            if key.startswith("AIRFLOW__")
        }
    )
    options = []
    for name in names:
        match = AIRFLOW_VAR.match(name)
        assert match, f"{name} is not AIRFLOW__SECTION__KEY"
        options.append([match.group(1).lower(), match.group(2).lower()])
    # A fresh interpreter with an empty AIRFLOW_HOME: only Airflow's own defaults count,
    # not this machine's airflow.cfg or environment.
    script = (
        "import json, sys\n"
        "from airflow.configuration import conf\n"
        "options = json.loads(sys.argv[1])\n"
        # has_option() is False for documented options without a default value
        # (result_backend, execution_api_server_url), so also accept any option the
        # configuration schema (core and provider config.yml) describes.
        "described = conf.configuration_description\n"
        "def known(section, key):\n"
        "    documented = described.get(section, {}).get('options', {})\n"
        "    return conf.has_option(section, key) or key in documented\n"
        "print(json.dumps([o for o in options if not known(*o)]))\n"
    )
    env = {"AIRFLOW_HOME": str(tmp_path), "PATH": "/usr/bin:/bin", "HOME": str(tmp_path)}
    result = subprocess.run(
        [sys.executable, "-c", script, json.dumps(options)],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
        check=True,
    )
    unknown = json.loads(result.stdout.strip().splitlines()[-1])
    assert not unknown, f"not Airflow config options: {unknown}"


# Variable -> the compose setting whose value must come from it, with no default.
REQUIRED_SECRETS = {
    "AIRFLOW__CORE__FERNET_KEY": "AIRFLOW_FERNET_KEY",
    "AIRFLOW__API_AUTH__JWT_SECRET": "AIRFLOW_JWT_SECRET",
    "AIRFLOW__API__SECRET_KEY": "AIRFLOW_API_SECRET_KEY",
}
# ${NAME:?message}: compose refuses to start, printing the message, when NAME is unset or empty.
REQUIRED_VARIABLE = re.compile(r"^\$\{(?P<name>[A-Za-z_][A-Za-z0-9_]*):\?(?P<why>[^}]+)\}$")


def test_secrets_are_required_variables_without_defaults(common, services):
    env = _env(common)
    for key, variable in REQUIRED_SECRETS.items():
        match = REQUIRED_VARIABLE.match(env[key])
        assert match, f"{key} = {env[key]!r} has a default or is not a required variable"
        assert match["name"] == variable
        assert "make compose-env" in match["why"], "the refusal must say how to fix it"
    password = _env(services["airflow-init"])["_AIRFLOW_WWW_USER_PASSWORD"]
    assert REQUIRED_VARIABLE.match(password), password


def test_no_guessable_secret_is_left_in_the_compose_file():
    text = COMPOSE_FILE.read_text(encoding="utf-8")
    assert "change-me" not in text
    assert not re.search(r"\$\{[A-Z_]*(SECRET|FERNET|PASSWORD)[A-Z_]*:-", text), (
        "a secret falls back to a default")


def test_worker_signals_only_celery_main_process_for_a_warm_shutdown(services, common):
    worker = services["airflow-worker"]
    assert _env(worker).get("DUMB_INIT_SETSID") == "0"
    assert worker.get("stop_grace_period"), "a warm shutdown needs time to finish tasks"
    # DUMB_INIT_SETSID means something only when dumb-init is PID 1.
    text = DOCKERFILE.read_text(encoding="utf-8")
    assert re.search(r"apt-get install .*\bdumb-init\b", text)
    assert re.search(r'^ENTRYPOINT \["/usr/bin/dumb-init", "--"\]', text, re.MULTILINE)
    assert "init" not in common, "docker's own init would sit above dumb-init"
    assert "entrypoint" not in worker


def test_compose_env_writes_fresh_secrets_once(tmp_path):
    make = ["make", "-s", "-f", str(REPO / "Makefile"), "-C", str(tmp_path), "compose-env"]
    subprocess.run(make, check=True, capture_output=True, timeout=60)
    env_file = tmp_path / ".env"
    first = env_file.read_text(encoding="utf-8")
    values = dict(line.split("=", 1) for line in first.splitlines())
    needed = {*REQUIRED_SECRETS.values(), "_AIRFLOW_WWW_USER_PASSWORD"}
    assert needed <= set(values)
    assert all(len(values[name]) >= 16 for name in needed)
    # A Fernet key is 32 bytes in url-safe base64.
    assert len(base64.urlsafe_b64decode(values["AIRFLOW_FERNET_KEY"])) == 32
    assert env_file.stat().st_mode & 0o077 == 0, ".env must be readable by its owner only"
    subprocess.run(make, check=True, capture_output=True, timeout=60)
    assert env_file.read_text(encoding="utf-8") == first, "a second call replaced the secrets"

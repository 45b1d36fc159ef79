"""The production stack (docker-compose.yml, .env.example) as a city deploys it.

Docker has no engine here, so nothing is started: the file is read as compose reads it (PyYAML,
anchors and merge keys included) and its shape is checked against what the app needs — start order,
health checks, restart policies, Temporal with SQL advanced visibility, every setting the app reads
either set by the file or documented for the city, no secret with a default. When the
`docker-compose` binary is installed, `docker-compose config` must also accept the file with every
value filled in, and refuse it, by name, while a secret is still empty.
"""

from __future__ import annotations

import fnmatch
import re
import shutil
import subprocess
import tomllib
from pathlib import Path
from typing import Any

import pytest
import yaml

from core import settings as settings_module
from core.settings import Settings

ROOT = Path(__file__).resolve().parent.parent
COMPOSE_FILE = ROOT / "docker-compose.yml"
ENV_EXAMPLE = ROOT / ".env.example"

APP_SERVICES = ("worker", "api", "migrate", "temporal-setup")
LONG_RUNNING = (
    "temporal-db",
    "temporal",
    "temporal-ui",
    "app-db",
    "redis",
    "mailpit",
    "worker",
    "api",
    "proxy",
)
ONE_SHOTS = ("temporal-schema", "temporal-namespace", "temporal-setup", "migrate")
# Values only the city may choose: none may have a default in the compose file or .env.example.
SECRETS = (
    "TICHET_LINK_SECRET",
    "TICHET_WEBEX_TOKEN",
    "TICHET_WEBEX_WEBHOOK_SECRET",
    "TICHET_PAYLOAD_KEYS",
    "TICHET_PAYLOAD_KEY_ID",
    "APP_DB_PASSWORD",
    "TEMPORAL_DB_PASSWORD",
)
_REFERENCE = re.compile(r"\$\{([A-Z0-9_]+)(:?[-?][^}]*)?\}")


def compose() -> dict[str, Any]:
    loaded = yaml.safe_load(COMPOSE_FILE.read_text(encoding="utf-8"))
    assert isinstance(loaded, dict)
    return loaded


def services() -> dict[str, Any]:
    found = compose()["services"]
    assert isinstance(found, dict)
    return found


def env_example() -> dict[str, str]:
    """The `KEY=value` lines of .env.example (comments and blank lines left out)."""
    pairs = {}
    for line in ENV_EXAMPLE.read_text(encoding="utf-8").splitlines():
        if line.strip() and not line.lstrip().startswith("#"):
            key, sep, value = line.partition("=")
            assert sep, f".env.example: not KEY=value: {line!r}"
            pairs[key.strip()] = value.strip()
    return pairs


def references() -> dict[str, str]:
    """Every `${VAR…}` in the compose file: VAR -> its modifier (`:?message`, `:-default`, or '')."""
    return {m.group(1): m.group(2) or "" for m in _REFERENCE.finditer(COMPOSE_FILE.read_text("utf-8"))}


def setting_names() -> set[str]:
    prefix = Settings.model_config.get("env_prefix", "")
    return {f"{prefix}{name}".upper() for name in Settings.model_fields}


def test_every_part_of_the_stack_is_there() -> None:
    expected = {"temporal-db", "temporal-schema", "temporal", "temporal-namespace", "temporal-setup"}
    expected |= {"temporal-ui", "app-db", "redis", "mailpit"}
    assert expected | {"migrate", "worker", "api", "proxy"} <= set(services())


def test_worker_and_api_start_after_the_migration_and_the_temporal_setup() -> None:
    for name in ("worker", "api"):
        depends = services()[name]["depends_on"]
        assert depends["migrate"]["condition"] == "service_completed_successfully", name
        assert depends["temporal-setup"]["condition"] == "service_completed_successfully", name
        assert depends["app-db"]["condition"] == "service_healthy", name
        assert depends["redis"]["condition"] == "service_healthy", name
    assert services()["migrate"]["depends_on"]["app-db"]["condition"] == "service_healthy"
    done = "service_completed_successfully"
    assert services()["temporal-setup"]["depends_on"]["temporal-namespace"]["condition"] == done
    assert services()["temporal-namespace"]["depends_on"]["temporal"]["condition"] == "service_healthy"
    assert services()["temporal"]["depends_on"]["temporal-schema"]["condition"] == done
    assert services()["temporal-schema"]["depends_on"]["temporal-db"]["condition"] == "service_healthy"
    assert services()["proxy"]["depends_on"]["api"]["condition"] == "service_healthy"


def test_the_one_shots_migrate_and_configure_temporal_and_are_not_restarted() -> None:
    # `alembic upgrade head`, after stamping a database that create_all made before migrations existed.
    assert services()["migrate"]["command"] == ["python", "-m", "store.migrate"]
    assert services()["temporal-setup"]["command"] == ["python", "-m", "devstack.temporal_setup"]
    for name in ONE_SHOTS:
        assert services()[name]["restart"] == "no", name


def test_long_running_services_restart_and_report_their_health() -> None:
    for name in LONG_RUNNING:
        assert services()[name]["restart"] in ("unless-stopped", "always"), name
    for name in ("temporal-db", "temporal", "app-db", "redis", "worker", "api"):
        assert services()[name]["healthcheck"]["test"], name
    api_check = " ".join(services()["api"]["healthcheck"]["test"])
    assert "127.0.0.1:8000/health" in api_check
    worker = services()["worker"]
    metrics_port = worker["environment"]["TICHET_WORKER_METRICS_ADDRESS"].rsplit(":", 1)[1]
    assert f"127.0.0.1:{metrics_port}/metrics" in " ".join(worker["healthcheck"]["test"])
    # SIGINT is what `asyncio.run` turns into a clean worker shutdown; SIGTERM would kill it.
    assert worker["stop_signal"] == "SIGINT"


def test_replicas_can_be_scaled() -> None:
    """`--scale worker=N --scale api=N` needs no fixed container name and no host port on them."""
    for name in ("worker", "api"):
        assert "container_name" not in services()[name], name
        assert "ports" not in services()[name], name


def test_temporal_runs_on_postgresql_with_sql_advanced_visibility() -> None:
    server = services()["temporal"]
    assert server["image"].startswith("temporalio/server:")  # auto-setup is deprecated, no longer built
    env = server["environment"]
    assert env["DB"] == "postgres12"  # the plugin of the v12 schemas: advanced visibility on SQL
    assert env["VISIBILITY_DBNAME"] and env["VISIBILITY_DBNAME"] != env["DBNAME"]
    assert env["POSTGRES_SEEDS"] == "temporal-db"
    assert str(env["ENABLE_ES"]).lower() == "false"
    assert services()["temporal-db"]["image"].startswith("postgres:")
    # The schema one-shot sets up exactly those two databases, visibility from the v12 (advanced) schema.
    schema = services()["temporal-schema"]
    assert schema["image"].split(":")[1] == server["image"].split(":")[1]  # same Temporal version
    script = "\n".join(schema["command"])
    assert "--plugin postgres12" in script
    assert f"for db in {env['DBNAME']} {env['VISIBILITY_DBNAME']}" in script
    assert "/etc/temporal/schema/postgresql/v12/$$dir/versioned" in script
    assert "dir=visibility" in script


def test_the_ui_decodes_through_the_apps_codec_server() -> None:
    env = services()["temporal-ui"]["environment"]
    assert env["TEMPORAL_ADDRESS"] == "temporal:7233"
    default = references()["TEMPORAL_CODEC_ENDPOINT"].removeprefix(":-")
    assert default.endswith(("/personal/codec", "/codec"))
    ui_port = services()["temporal-ui"]["ports"][0].rsplit(":", 1)[1]
    # The UI's origin must get CORS answers from the codec server.
    assert f"http://localhost:{ui_port}" in references()["TICHET_TEMPORAL_UI_ORIGINS"]


def test_the_rate_limits_share_the_stacks_redis() -> None:
    for name in ("worker", "api"):
        assert services()[name]["environment"]["TICHET_RATE_LIMIT_STORAGE"].startswith("redis://redis:")


def test_every_setting_the_app_reads_is_set_by_the_stack_or_documented_for_the_city() -> None:
    app_env = set(services()["api"]["environment"]) | set(services()["worker"]["environment"])
    documented = set(env_example())
    commented = set(re.findall(r"^# (TICHET_[A-Z0-9_]+)=", ENV_EXAMPLE.read_text("utf-8"), re.MULTILINE))
    missing = sorted(setting_names() - app_env)
    assert not missing, f"not passed to the app by docker-compose.yml: {missing}"
    undocumented = sorted(setting_names() - documented - commented)
    assert not undocumented, f"neither in .env.example nor listed there as set by the stack: {undocumented}"


def test_everything_in_env_example_reaches_the_stack() -> None:
    """A value the city fills in that compose never reads would be silently ignored."""
    ignored = sorted(set(env_example()) - set(references()))
    assert not ignored, f".env.example values docker-compose.yml never uses: {ignored}"


def test_no_secret_has_a_default() -> None:
    refs = references()
    for name in SECRETS:
        assert refs[name].startswith(":?"), f"{name} must be required (${{{name}:?…}}), not {refs[name]!r}"
        assert env_example()[name] == "", f".env.example must leave {name} empty"
    for name in ("TICHET_CITY_NAME", "TICHET_PUBLIC_BASE_URL", "TICHET_SITE_ADDRESS", "TICHET_SMTP_SENDER"):
        assert refs[name].startswith(":?"), name
    dev_values = [v for k, v in vars(settings_module).items() if k.startswith("DEV_") and isinstance(v, str)]
    assert dev_values
    for path in (COMPOSE_FILE, ENV_EXAMPLE):
        text = path.read_text("utf-8")
        assert not [v for v in dev_values if v in text], f"{path.name} holds a development secret"
    app_env = services()["api"]["environment"]
    assert app_env["TICHET_ENVIRONMENT"] == "production"


def _filled_env_file(tmp_path: Path, leave_empty: str | None = None) -> Path:
    values = {key: (value or f"city-value-{i}") for i, (key, value) in enumerate(env_example().items())}
    if leave_empty:
        values[leave_empty] = ""
    path = tmp_path / "city.env"
    path.write_text("".join(f"{k}={v}\n" for k, v in values.items()), encoding="utf-8")
    return path


def _docker_compose_config(env_file: Path, quiet: bool = True) -> subprocess.CompletedProcess[str]:
    binary = shutil.which("docker-compose")
    if binary is None:
        pytest.skip("docker-compose is not installed (apt-get install docker-compose); the checks above hold")
    return subprocess.run(
        [binary, "--env-file", str(env_file), "-f", str(COMPOSE_FILE), "config", *(["-q"] if quiet else [])],
        capture_output=True,
        text=True,
        env={"PATH": "/usr/bin:/bin:/usr/local/bin"},  # nothing from the caller's environment
        cwd=ROOT,
        timeout=60,
        check=False,
    )


def test_docker_compose_config_passes_the_citys_values_to_the_app(tmp_path: Path) -> None:
    env_file = _filled_env_file(tmp_path)
    result = _docker_compose_config(env_file, quiet=False)
    assert result.returncode == 0, result.stderr
    resolved = yaml.safe_load(result.stdout)["services"]
    city = dict(line.split("=", 1) for line in env_file.read_text("utf-8").splitlines())
    for service in APP_SERVICES:
        env = resolved[service]["environment"]
        for name in sorted(setting_names() & set(city)):
            assert env[name] == city[name], (service, name)
        password = city["APP_DB_PASSWORD"]
        assert env["TICHET_DATABASE_URL"] == f"postgresql://tichet:{password}@app-db:5432/tichet"


@pytest.mark.parametrize("secret", SECRETS)
def test_docker_compose_config_refuses_an_empty_secret_by_name(tmp_path: Path, secret: str) -> None:
    result = _docker_compose_config(_filled_env_file(tmp_path, leave_empty=secret))
    assert result.returncode != 0
    assert secret in result.stderr


def test_the_image_holds_what_runs_and_leaves_out_tests_and_local_secrets() -> None:
    """The Dockerfile copies the tree minus .dockerignore: every package, module and template the
    app and the one-shots run must be in it (migrations included), tests and `.env` must not."""
    patterns = [
        line.strip()
        for line in (ROOT / ".dockerignore").read_text("utf-8").splitlines()
        if line.strip() and not line.startswith("#")
    ]

    def ignored(path: str) -> bool:
        return any(fnmatch.fnmatch(path, p) or path.startswith(f"{p.rstrip('/')}/") for p in patterns)

    tool = tomllib.loads((ROOT / "pyproject.toml").read_text("utf-8"))["tool"]["setuptools"]
    packages = [p.rstrip("*") for p in tool["packages"]["find"]["include"] if p != "webex_emulator*"]
    needed = [*packages, *(f"{m}.py" for m in tool["py-modules"]), "templates", "pyproject.toml"]
    needed += [p.name for p in ROOT.glob("alembic*")] + [p.name for p in ROOT.glob("migrations")]
    assert not [p for p in needed if ignored(p)]
    for left_out in (".env", "tests", ".venv", ".data", "bench", "webex_emulator"):
        assert ignored(left_out), left_out
    assert "COPY . ." in (ROOT / "Dockerfile").read_text("utf-8")

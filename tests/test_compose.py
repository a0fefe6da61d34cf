"""docker-compose.yml and the Dockerfile run the stack the README describes.

There is no Docker engine in CI: these tests read the files, they do not start containers.
"""

from __future__ import annotations

import json
import shlex
from pathlib import Path
from urllib.parse import urlparse

import pytest
import yaml

ROOT = Path(__file__).resolve().parent.parent
APP_SERVICES = ("web", "worker", "beat")


@pytest.fixture(scope="module")
def services() -> dict:
    compose = yaml.safe_load((ROOT / "docker-compose.yml").read_text(encoding="utf-8"))
    return compose["services"]


def environment(service: dict) -> dict[str, str]:
    """A service's environment, whether written as a mapping or as a list of NAME=value."""
    env = service.get("environment") or {}
    if isinstance(env, list):
        env = dict(item.split("=", 1) if "=" in item else (item, "") for item in env)
    return {name: str(value) for name, value in env.items()}


def command(service: dict) -> str:
    value = service.get("command", "")
    return " ".join(value) if isinstance(value, list) else str(value)


def dockerfile_instructions() -> list[tuple[str, str]]:
    """(INSTRUCTION, arguments) pairs of the Dockerfile, continuation lines joined, comments dropped."""
    instructions, pending = [], ""
    for line in (ROOT / "Dockerfile").read_text(encoding="utf-8").splitlines():
        stripped = line.strip()
        if not stripped or stripped.startswith("#"):
            continue
        if stripped.endswith("\\"):
            pending += stripped[:-1] + " "
            continue
        keyword, _, arguments = (pending + stripped).partition(" ")
        instructions.append((keyword.upper(), arguments.strip()))
        pending = ""
    return instructions


def test_compose_runs_web_worker_beat_database_broker_and_mail(services):
    assert {"web", "worker", "beat", "db", "redis", "mail"} <= set(services)
    assert services["db"]["image"].startswith("postgres:")
    assert services["redis"]["image"].startswith("redis:")
    assert services["mail"]["image"].startswith("axllent/mailpit")


@pytest.mark.parametrize("name", ["web", "worker", "db", "redis", "mail"])
def test_long_running_service_has_a_health_check(services, name):
    assert services[name]["healthcheck"]["test"]


def test_web_health_check_asks_the_health_page(services):
    assert "/health/" in " ".join(services["web"]["healthcheck"]["test"])


def test_database_health_check_uses_pg_isready_and_broker_health_check_pings_redis(services):
    assert "pg_isready" in " ".join(services["db"]["healthcheck"]["test"])
    assert "ping" in " ".join(services["redis"]["healthcheck"]["test"])


@pytest.mark.parametrize("name", APP_SERVICES)
def test_app_service_uses_the_stack_database_and_broker(services, name):
    env = environment(services[name])
    database = urlparse(env["DATABASE_URL"])
    broker = urlparse(env["CELERY_BROKER_URL"])
    assert database.scheme in {"postgres", "postgresql"}
    assert database.hostname == "db"
    assert broker.scheme == "redis"
    assert broker.hostname == "redis"
    assert urlparse(env["CACHE_URL"]).hostname == "redis"


@pytest.mark.parametrize("name", APP_SERVICES)
def test_app_service_sends_mail_to_the_mail_catcher_with_debug_off(services, name):
    env = environment(services[name])
    assert env["EMAIL_BACKEND"] == "django.core.mail.backends.smtp.EmailBackend"
    assert env["EMAIL_HOST"] == "mail"
    assert env["EMAIL_PORT"] == "1025"
    assert env["DEBUG"] == "0"


@pytest.mark.parametrize("name", APP_SERVICES)
def test_secret_key_has_no_default_and_must_be_set(services, name):
    assert environment(services[name])["SECRET_KEY"].startswith("${SECRET_KEY:?")


@pytest.mark.parametrize("name", APP_SERVICES)
def test_app_service_waits_until_its_dependencies_are_healthy(services, name):
    depends_on = services[name]["depends_on"]
    assert isinstance(depends_on, dict), "depends_on needs conditions, not just names"
    assert "redis" in depends_on
    for dependency, rule in depends_on.items():
        assert rule["condition"] == "service_healthy", dependency
        assert "healthcheck" in services[dependency], dependency


def test_web_waits_for_database_and_broker(services):
    assert {"db", "redis"} <= set(services["web"]["depends_on"])


def test_web_applies_migrations_before_starting_gunicorn(services):
    web = command(services["web"])
    assert "migrate" in web
    assert "gunicorn" in web
    assert web.index("migrate") < web.index("gunicorn")


def test_worker_and_beat_run_celery(services):
    assert "celery -A mediazione worker" in command(services["worker"])
    assert "celery -A mediazione beat" in command(services["beat"])


def test_dockerfile_serves_the_portal_with_gunicorn():
    cmd = [arguments for keyword, arguments in dockerfile_instructions() if keyword == "CMD"][-1]
    argv = json.loads(cmd) if cmd.startswith("[") else shlex.split(cmd)
    assert argv[0] == "gunicorn"
    assert "mediazione.wsgi:application" in argv


def test_dockerfile_runs_as_a_user_who_is_not_root():
    users = [arguments for keyword, arguments in dockerfile_instructions() if keyword == "USER"]
    assert users
    assert users[-1] not in {"root", "0"}


def test_dockerfile_builds_on_python_3_11():
    images = [arguments.split()[0] for keyword, arguments in dockerfile_instructions() if keyword == "FROM"]
    assert images[-1].startswith("python:3.11")

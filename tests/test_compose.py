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
    assert {"migrate", "web", "lb", "worker", "beat", "pgbouncer", "db", "redis", "mail"} <= set(services)
    assert services["db"]["image"].startswith("postgres:")
    assert services["redis"]["image"].startswith("redis:")
    assert services["mail"]["image"].startswith("axllent/mailpit")


@pytest.mark.parametrize("name", ["web", "lb", "worker", "pgbouncer", "db", "redis", "mail"])
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
    # Through PgBouncer, which alone talks to PostgreSQL (db).
    assert database.hostname == "pgbouncer"
    assert environment(services["pgbouncer"])["DB_HOST"] == "db"
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
def test_app_service_waits_until_its_dependencies_are_healthy_and_migrated(services, name):
    depends_on = services[name]["depends_on"]
    assert isinstance(depends_on, dict), "depends_on needs conditions, not just names"
    assert "redis" in depends_on
    assert depends_on.pop("migrate") == {"condition": "service_completed_successfully"}
    for dependency, rule in depends_on.items():
        assert rule["condition"] == "service_healthy", dependency
        assert "healthcheck" in services[dependency], dependency


def test_web_waits_for_database_and_broker(services):
    assert {"pgbouncer", "redis"} <= set(services["web"]["depends_on"])


def test_migrations_run_once_in_their_own_service_straight_on_postgresql(services):
    migrate = services["migrate"]
    assert command(migrate).split()[:3] == ["python", "manage.py", "migrate"]
    assert migrate["restart"] == "no" and "deploy" not in migrate
    assert urlparse(environment(migrate)["DATABASE_URL"]).hostname == "db"
    assert migrate["depends_on"] == {"db": {"condition": "service_healthy"}}
    for name in APP_SERVICES:
        assert "migrate" not in command(services[name]), name


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


# --- Beyond one machine (docs/deployment.md) ------------------------------------------------------------------------


def replicas(service: dict) -> int:
    return int((service.get("deploy") or {}).get("replicas", 1))


def test_two_web_replicas_run_behind_the_load_balancer(services):
    web, lb = services["web"], services["lb"]
    assert replicas(web) == 2
    assert "ports" not in web, "the web replicas are reached through the load balancer only"
    assert "gunicorn" in command(web)
    assert lb["image"].startswith("nginx:")
    assert lb["ports"] == ["127.0.0.1:8000:80"]
    assert lb["depends_on"] == {"web": {"condition": "service_healthy"}}
    assert "/health/" in " ".join(lb["healthcheck"]["test"])


def test_the_load_balancer_spreads_requests_over_the_web_service_and_passes_the_client_on(services):
    (mount,) = services["lb"]["volumes"]
    source, target, _mode = mount.split(":")
    assert target == "/etc/nginx/conf.d/default.conf"
    conf = (ROOT / source).read_text(encoding="utf-8")
    assert "server web:8000 resolve;" in conf and "proxy_pass http://portal;" in conf
    assert "proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;" in conf
    assert "proxy_set_header X-Forwarded-Proto $scheme;" in conf
    assert "proxy_set_header Host $http_host;" in conf
    for name in APP_SERVICES:
        env = environment(services[name])
        assert (env["BEHIND_PROXY"], env["TRUSTED_PROXY_COUNT"]) == ("1", "1"), name


def test_two_workers_and_exactly_one_beat(services):
    assert replicas(services["worker"]) == 2
    assert replicas(services["beat"]) == 1


@pytest.mark.parametrize("name", APP_SERVICES)
def test_every_app_container_shares_the_files_and_the_cache(services, name):
    env = environment(services[name])
    assert env["STORAGE_BACKEND"] == "${STORAGE_BACKEND:-filesystem}"
    assert f"media:{env['MEDIA_ROOT']}" in services[name]["volumes"]
    assert "media" in yaml.safe_load((ROOT / "docker-compose.yml").read_text(encoding="utf-8"))["volumes"]
    assert urlparse(env["CACHE_URL"]).scheme == "redis"
    assert env["AWS_STORAGE_BUCKET_NAME"] == "${AWS_STORAGE_BUCKET_NAME:-}"


def test_pgbouncer_pools_in_transaction_mode_and_the_portal_knows_it(services):
    pgbouncer = environment(services["pgbouncer"])
    assert pgbouncer["POOL_MODE"] == "transaction"
    assert services["pgbouncer"]["depends_on"] == {"db": {"condition": "service_healthy"}}
    for name in APP_SERVICES:
        assert environment(services[name])["DATABASE_PGBOUNCER"] == "1", name
    assert environment(services["migrate"])["DATABASE_PGBOUNCER"] == "0"


def test_the_load_balancer_configuration_stays_out_of_the_image():
    ignored = (ROOT / ".dockerignore").read_text(encoding="utf-8").split()
    assert "deploy" in ignored

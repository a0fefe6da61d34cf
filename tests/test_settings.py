"""Settings come from the environment; a misconfiguration is reported in words by `manage.py check`."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


def run_check(tmp_path, **env):
    clean = {k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "CELERY_BROKER_URL", "CACHE_URL"}}
    clean.update({"DATABASE_URL": f"sqlite:///{tmp_path / 'check.sqlite3'}", **env})
    return subprocess.run(
        [sys.executable, "manage.py", "check"], cwd=ROOT, env=clean, capture_output=True, text=True, timeout=120
    )


def read_settings(tmp_path, code: str, **env):
    clean = {k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "CELERY_BROKER_URL", "CACHE_URL"}}
    clean.update(env)
    script = f"import django, os; os.environ['DJANGO_SETTINGS_MODULE']='mediazione.settings'; django.setup(); {code}"
    return subprocess.run([sys.executable, "-c", script], cwd=ROOT, env=clean, capture_output=True, text=True)


def test_a_missing_secret_key_with_debug_off_is_reported_in_words(tmp_path):
    result = run_check(tmp_path, DEBUG="0", ALLOWED_HOSTS="mediazione.example.org", SECRET_KEY="")
    assert result.returncode != 0
    assert "SECRET_KEY is not set and DEBUG is off" in result.stderr


def test_a_nonsense_boolean_is_reported(tmp_path):
    result = run_check(tmp_path, DEBUG="forse", SECRET_KEY="x" * 50, ALLOWED_HOSTS="a.example.org")
    assert "DEBUG='forse' is not a yes/no value" in result.stderr


def test_an_unsupported_broker_is_reported(tmp_path):
    result = run_check(tmp_path, DEBUG="1", CELERY_BROKER_URL="amqp://guest@localhost//")
    assert result.returncode != 0
    assert "is not a redis:// address" in result.stderr


def test_the_secret_key_can_come_from_a_file(tmp_path):
    secret = tmp_path / "secret"
    secret.write_text("chiave-segreta-lunga-e-casuale-0123456789-abcdefghijklmnopqrstuvwxyz\n")
    result = read_settings(
        tmp_path, "from django.conf import settings; print(settings.SECRET_KEY)", SECRET_KEY_FILE=str(secret)
    )
    assert result.stdout.strip() == "chiave-segreta-lunga-e-casuale-0123456789-abcdefghijklmnopqrstuvwxyz"


def test_a_correct_production_environment_passes_the_check(tmp_path):
    result = run_check(
        tmp_path,
        DEBUG="0",
        SECRET_KEY="k" * 60,
        ALLOWED_HOSTS="mediazione.example.org",
        EMAIL_BACKEND="django.core.mail.backends.smtp.EmailBackend",
    )
    assert result.returncode == 0, result.stderr
    assert "no issues" in result.stdout


def test_the_embedded_defaults_are_sqlite_eager_celery_and_console_email(tmp_path):
    code = (
        "from django.conf import settings as s; "
        "print(s.DATABASES['default']['ENGINE'], s.CELERY_TASK_ALWAYS_EAGER, s.EMAIL_BACKEND, s.TIME_ZONE, "
        "s.LANGUAGE_CODE, s.USE_TZ)"
    )
    env = {"DEBUG": "1"}
    for name in ("EMAIL_BACKEND",):
        env[name] = os.environ.get(name, "")
    result = read_settings(tmp_path, code, **{k: v for k, v in env.items() if v})
    assert result.stdout.split() == [
        "django.db.backends.sqlite3",
        "True",
        "django.core.mail.backends.console.EmailBackend",
        "Europe/Rome",
        "it",
        "True",
    ]


@pytest.mark.parametrize("pool", ["0", "1"])
def test_postgresql_connections_are_persistent_or_pooled(tmp_path, pool):
    code = (
        "from django.conf import settings as s; d = s.DATABASES['default']; "
        "print(d['CONN_MAX_AGE'], 'pool' in d.get('OPTIONS', {}))"
    )
    result = read_settings(
        tmp_path, code, DEBUG="1", DATABASE_URL="postgres://postgres@127.0.0.1:5432/x", DATABASE_POOL=pool
    )
    assert result.stdout.split() == (["60", "False"] if pool == "0" else ["0", "True"])


def test_gunicorn_refuses_to_start_a_misconfigured_portal(tmp_path):
    result = read_settings(
        tmp_path,
        "import mediazione.wsgi",
        DEBUG="0",
        SECRET_KEY="",
        ALLOWED_HOSTS="a.example.org",
        DATABASE_URL=f"sqlite:///{tmp_path / 'w.sqlite3'}",
    )
    assert result.returncode != 0
    assert "Mediazione is misconfigured" in result.stderr


def test_a_web_process_loads_its_urls_and_templates_before_freezing_them(tmp_path):
    """Before the freeze, mediazione.wsgi builds the URLconf's tables and compiles the portal's templates (in the cached
    loader), which the first requests would otherwise leave among the objects every full collection walks."""
    code = (
        "import mediazione.wsgi; from django.template import engines; from django.urls import get_resolver; "
        "cache = engines['django'].engine.template_loaders[0].get_template_cache; "
        "print(get_resolver()._populated, 'base.html' in cache, 'timesheets/district.html' in cache)"
    )
    result = read_settings(tmp_path, code, DEBUG="1", DATABASE_URL=f"sqlite:///{tmp_path / 'x.sqlite3'}")
    assert result.stdout.strip() == "True True True", result.stderr


def test_a_web_process_freezes_what_it_loaded_and_collects_in_short_pauses(tmp_path):
    """mediazione.wsgi (what gunicorn loads) tunes the garbage collector once the portal is loaded."""
    code = "import gc, mediazione.wsgi; print(gc.get_threshold(), gc.get_freeze_count() > 10000)"
    env = {"DEBUG": "1", "DATABASE_URL": f"sqlite:///{tmp_path / 'x.sqlite3'}"}
    result = read_settings(tmp_path, code, **env)
    assert result.stdout.strip() == "(5000, 10, 10) True", result.stderr
    result = read_settings(tmp_path, code, GC_THRESHOLDS="2000,10,10", **env)
    assert result.stdout.strip() == "(2000, 10, 10) True", result.stderr


def test_nonsense_thresholds_of_the_garbage_collector_are_reported(tmp_path):
    result = run_check(tmp_path, DEBUG="1", GC_THRESHOLDS="molti")
    assert "GC_THRESHOLDS='molti' is not three whole numbers above 0" in result.stderr

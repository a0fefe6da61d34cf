"""Deployment hardening: Django's deploy checks pass in production settings; uploads are limited in size and type."""

import secrets

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from .conftest import login_client
from .test_settings import ROOT, read_settings, run_check


def test_check_deploy_is_clean_at_warning_level_in_production_settings(tmp_path):
    import os
    import subprocess
    import sys

    env = {k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "CELERY_BROKER_URL", "CACHE_URL"}}
    env.pop("EMAIL_BACKEND", None)
    env.update(
        DEBUG="0",
        SECRET_KEY=secrets.token_urlsafe(60)[:50],
        ALLOWED_HOSTS="x",
        DATABASE_URL=f"sqlite:///{tmp_path / 'deploy.sqlite3'}",
    )
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    assert "no issues (0 silenced)" in result.stdout


def test_production_defaults_are_secure(tmp_path):
    code = (
        "from django.conf import settings as s; "
        "print(s.SESSION_COOKIE_SECURE, s.CSRF_COOKIE_SECURE, s.SECURE_SSL_REDIRECT, s.SECURE_HSTS_SECONDS, "
        "s.SECURE_HSTS_INCLUDE_SUBDOMAINS, s.X_FRAME_OPTIONS, s.SECURE_REFERRER_POLICY, s.SESSION_COOKIE_HTTPONLY, "
        "getattr(s, 'SECURE_PROXY_SSL_HEADER', None))"
    )
    production = read_settings(tmp_path, code, DEBUG="0", SECRET_KEY="k" * 60, ALLOWED_HOSTS="a.example.org")
    assert production.stdout.split() == [
        "True",
        "True",
        "True",
        "31536000",
        "True",
        "DENY",
        "same-origin",
        "True",
        "None",
    ], production.stderr
    proxied = read_settings(
        tmp_path, code, DEBUG="0", SECRET_KEY="k" * 60, ALLOWED_HOSTS="a.example.org", BEHIND_PROXY="1"
    )
    assert proxied.stdout.split()[-2:] == ["('HTTP_X_FORWARDED_PROTO',", "'https')"]
    # Plain HTTP on a laptop (docker compose): no secure cookies, no redirect, no HSTS.
    plain = read_settings(tmp_path, code, DEBUG="0", SECRET_KEY="k" * 60, ALLOWED_HOSTS="a.example.org", HTTPS="0")
    assert plain.stdout.split()[:4] == ["False", "False", "False", "0"]


def test_the_health_page_is_not_redirected_to_https(settings, db):
    settings.SECURE_SSL_REDIRECT = True
    assert Client().get("/health/").status_code in (200, 503)
    assert Client().get("/accounts/login/").status_code == 301


def test_a_bad_mfa_or_security_value_is_reported_in_words(tmp_path):
    result = run_check(tmp_path, DEBUG="1", SECURE_HSTS_SECONDS="un anno")
    assert "SECURE_HSTS_SECONDS='un anno' is not a whole number" in result.stderr


def test_password_validators_refuse_short_common_and_numeric_passwords(db):
    from django.contrib.auth.password_validation import validate_password
    from django.core.exceptions import ValidationError

    for weak in ["corta", "password123", "1234567890123"]:
        with pytest.raises(ValidationError):
            validate_password(weak)
    validate_password("una-frase-lunga-e-poco-comune")


# --- uploads -----------------------------------------------------------------------------------------------------


@pytest.fixture
def coordinator(demo_world):
    return login_client(demo_world["users"]["coordinatore.cremona"])


def test_a_file_over_the_limit_is_refused_with_a_clear_message_and_never_stored(coordinator, settings, tmp_path):
    from mediators.models import Mediator

    before = Mediator.objects.count()
    big = SimpleUploadedFile("roster.csv", b"first_name,last_name\n" + b"a,b\n" * 600_000, content_type="text/csv")
    response = coordinator.post(reverse("mediators:import"), {"file": big})
    assert response.status_code == 200
    errors = response.context["form"].errors["file"]
    assert errors == [str(response.context["form"].fields["file"].error_messages["required"])]
    assert "2 MB" in errors[0]
    assert Mediator.objects.count() == before
    imports = settings.MEDIA_ROOT / "imports"
    assert not imports.exists() or not any(imports.iterdir())


@pytest.mark.parametrize(
    ("name", "content"),
    [("roster.exe", b"MZ\x90\x00"), ("roster.pdf", b"%PDF-1.4"), ("roster", b"a,b"), ("roster.xlsx", b"not a zip")],
)
def test_a_file_of_another_type_is_refused_with_a_message(coordinator, name, content):
    response = coordinator.post(reverse("mediators:import"), {"file": SimpleUploadedFile(name, content)})
    assert response.status_code == 200
    assert response.context["form"].errors["file"]


def test_request_bodies_are_limited(settings):
    assert settings.DATA_UPLOAD_MAX_MEMORY_SIZE <= 5 * 1024 * 1024
    assert settings.FILE_UPLOAD_MAX_MEMORY_SIZE <= 5 * 1024 * 1024
    assert settings.UPLOAD_MAX_BYTES == 2 * 1024 * 1024

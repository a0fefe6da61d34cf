"""Production serves hashed static files from a manifest: every page must render with it (DEBUG off)."""

import pytest
from django.core.management import call_command
from django.test import Client

pytestmark = pytest.mark.django_db


@pytest.fixture
def collected(settings, tmp_path):
    settings.STATIC_ROOT = tmp_path / "static"
    settings.STORAGES = {
        **settings.STORAGES,
        # The production storage without compression (compression only slows the test down).
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.ManifestStaticFilesStorage"},
    }
    # (Changing STORAGES through the settings fixture resets the storage Django had built.)
    call_command("collectstatic", "--noinput", verbosity=0)


def test_login_and_home_render_with_the_production_static_manifest(collected, client_for):
    from . import factories as f

    assert Client().get("/accounts/login/").status_code == 200
    assert client_for(f.coordinator()).get("/").status_code == 200
    assert Client().get("/non-esiste/").status_code == 404
